-- One group of checks, one statement, one implicit transaction: PostgreSQL decides every outcome.
-- $1-$10 are the group's columns, one element per check (idx is its place in the group); $11 is the
-- group's time. Every join below is either a hash join between two of the statement's own sets or an
-- index lookup into a table, so the cost per check stays flat as groups grow (GroupStatementPlanTest).

-- 1. The checks, each with the id its interaction will have.
with input as materialized (
  select r.idx, r.hash, r.action, r.customer, r.pharmacy, r.channel, r.ikey, r.len, r.traits, r.light,
         nextval('interactions_id_seq') as iid
  from unnest($1::int4[], $2::bytea[], $3::text[], $4::bytea[], $5::int8[], $6::text[], $7::text[],
              $8::int4[], $9::int4[], $10::bool[])
    as r(idx, hash, action, customer, pharmacy, channel, ikey, len, traits, light)
),
-- 2. Idempotency keys claimed by this group; a check whose key was already used is answered by a replay.
claimed as (
  insert into idempotency_keys (customer_id, key, interaction_id)
  select customer, ikey, iid from input where ikey is not null order by customer, ikey
  on conflict do nothing
  returning interaction_id
),
live as materialized (
  select * from input where ikey is null or iid in (select interaction_id from claimed)
),
-- 3. Codes read without a lock: the checks Redis saw as unable to change anything (light).
peeked as materialized (
  select c.hash, c.batch_id, c.state, c.dispensed_by, c.dispensed_at, c.consumed_by, c.consumed_at
  from codes c
  where c.hash = any(array(select hash from live where light))
),
-- 4. Codes locked in hash order (instances never deadlock): every other check's, and a light one's
--    that turned out able to change its code after all.
locked as materialized (
  select c.hash, c.batch_id, c.state, c.dispensed_by, c.dispensed_at, c.consumed_by, c.consumed_at
  from codes c
  where c.hash = any(array(
    select hash from live where not light
    union
    select p.hash from peeked p join live i on i.hash = p.hash
    where i.action <> 'verify' and (p.state = 0 or (i.action = 'check' and p.state = 1))))
  order by c.hash
  for no key update
),
present as (
  select * from locked
  union all
  select * from peeked where hash not in (select hash from locked)
),
-- 5. The first check per code that may change it. The queue puts at most one kind of change per code in
--    a group, so the first dispense or check of a code is its only candidate.
candidate as (
  select distinct on (i.hash) i.hash, i.idx, i.action, i.customer, i.pharmacy
  from live i
  where i.action in ('dispense', 'check')
  order by i.hash, i.idx
),
-- 6. The guarded change: a locked code in a state the action may leave, of an active batch not past
--    its expiry.
changed as (
  update codes c set
    state        = case when x.action = 'dispense' then 1 else 2 end,
    dispensed_by = case when x.action = 'dispense' then x.pharmacy else c.dispensed_by end,
    dispensed_at = case when x.action = 'dispense' then $11::timestamptz else c.dispensed_at end,
    consumed_by  = case when x.action = 'check' then x.customer else c.consumed_by end,
    consumed_at  = case when x.action = 'check' then $11::timestamptz else c.consumed_at end
  from candidate x, batches b
  where c.hash = x.hash and x.hash in (select hash from locked)
    and (c.state = 0 or (x.action = 'check' and c.state = 1))
    and b.id = c.batch_id and b.state = 'active' and b.expiry >= ($11::timestamptz at time zone 'utc')::date
  returning c.hash, c.batch_id, c.state, c.dispensed_by, c.dispensed_at, c.consumed_by, c.consumed_at,
            x.idx as changer
),
-- 7. Every code as it is after the change.
post as (
  select l.*, null::int4 as changer from present l where l.hash not in (select hash from changed)
  union all
  select * from changed
),
-- 8. The outcome of each check, in the order docs/design.md gives: unknown (fake, or invalid when no
--    released format could hold it), inactive, recalled, expired, then genuine or already used.
judged as (
  select i.idx, i.iid, i.hash, i.action, i.customer, i.channel, i.ikey,
         p.batch_id, b.manufacturer_id, b.product_id, b.lot, b.expiry,
         coalesce(p.changer = i.idx, false) as first_check,
         case
           when p.hash is null then
             case when exists (select 1 from batch_formats f join batches fb on fb.id = f.batch_id
                               where f.length = i.len and fb.state <> 'draft'
                                 and (i.traits & f.required_traits) = f.required_traits)
                  then 'fake' else 'invalid' end
           when b.state = 'draft' then 'inactive'
           when b.state = 'recalled' then 'recalled'
           when b.expiry < ($11::timestamptz at time zone 'utc')::date then 'expired'
           when p.state = 0
             or (p.state = 1 and (i.action = 'check' or p.dispensed_by = i.pharmacy))
             or (p.state = 2 and i.action = 'check' and p.consumed_by = i.customer) then 'genuine'
           else 'already_used'
         end as outcome,
         p.state, p.dispensed_at, p.consumed_at
  from live i
  left join post p on p.hash = i.hash
  left join batches b on b.id = p.batch_id
),
-- 9. The times an answer shows: when the code was first verified, and when it was dispensed.
answered as (
  select j.*,
         case when j.outcome not in ('genuine', 'already_used') then null
              when j.action = 'check' then j.consumed_at
              else coalesce(j.dispensed_at, j.consumed_at) end as first_verified_at,
         case when j.outcome in ('genuine', 'already_used') then j.dispensed_at end as shown_dispensed_at
  from judged j
),
-- 10. One interaction per answer, priced at the manufacturer's price per check.
recorded as (
  insert into interactions (id, at, channel, customer_id, action, code_hash, batch_id, manufacturer_id,
                            outcome, first_check, first_verified_at, dispensed_at, price, currency,
                            idempotency_key)
  select a.iid, $11::timestamptz, a.channel, a.customer, a.action, a.hash, a.batch_id, a.manufacturer_id,
         a.outcome, a.first_check, a.first_verified_at, a.shown_dispensed_at,
         coalesce(m.price_per_check, 0), m.currency, a.ikey
  from answered a left join manufacturers m on m.id = a.manufacturer_id
)
-- 11. The answers, one row per check; a null outcome marks a check to be answered by a replay.
select i.idx, a.outcome, a.first_check, a.first_verified_at, a.shown_dispensed_at as dispensed_at,
       i.iid as interaction_id, pr.name as product, pr.gtin, a.lot, a.expiry, a.state as code_state,
       a.manufacturer_id
from input i
left join answered a on a.idx = i.idx
left join products pr on pr.id = a.product_id
