-- The ledger partitioned by the month of `at`, so that it can grow for years and old months can be
-- detached for archive (their roll-ups in ledger_days and customer_sets stay, so the bill and the
-- customers summary still answer for them; docs/operations.md, "Archiving old months").
--
-- The interactions already there become one partition, from the start of time to the end of the month
-- the migration runs in: no row is copied. Attaching it builds its (id, at) key and reads it once to check
-- its bound; every other index it has is taken over as it is. Checks wait meanwhile (the migration holds
-- the table's lock): docs/operations.md gives the time it took for 10 million rows.

-- 1. The existing table and its indexes step aside, keeping their contents.
alter table interactions rename to interactions_before_months;
alter index interactions_pkey rename to interactions_before_months_pkey;
alter index interactions_code rename to interactions_before_months_code;
alter index interactions_manufacturer_at rename to interactions_before_months_manufacturer_at;
alter index interactions_customer_at rename to interactions_before_months_customer_at;
alter index interactions_alertable rename to interactions_before_months_alertable;

-- 2. The partitioned ledger, with the same columns, checks and indexes. Its key must hold `at`.
create table interactions (like interactions_before_months including defaults including constraints)
  partition by range (at);
alter table interactions add primary key (id, at);
create index interactions_code on interactions (code_hash);
create index interactions_manufacturer_at on interactions (manufacturer_id, at);
create index interactions_customer_at on interactions (customer_id, at);
create index interactions_alertable on interactions (at) where outcome in ('already_used', 'recalled', 'fake');

-- 3. The old rows, as the first partition; its key becomes the parent's (id, at) (ids stay unique: they
--    come from one sequence), and a check constraint first, so that attaching need not read the table a
--    second time.
alter table interactions_before_months drop constraint interactions_before_months_pkey;
do $$
declare
  bound timestamptz := date_trunc('month', now() at time zone 'utc') at time zone 'utc' + interval '1 month';
begin
  execute format('alter table interactions_before_months add constraint interactions_before_months_bound
                  check (at < %L)', bound);
  execute format('alter table interactions attach partition interactions_before_months
                  for values from (minvalue) to (%L)', bound);
  alter table interactions_before_months drop constraint interactions_before_months_bound;
end $$;

-- 4. Anything no month holds yet (a clock far ahead) lands here rather than failing its check; the
--    monthly task (ledger_months_ahead) keeps it empty by creating months ahead of time.
create table interactions_default partition of interactions default;

-- 5. Months ahead: creates the partitions of the months after the last one, up to `ahead` months past the
--    current one (UTC), named interactions_yYYYYmMM; returns how many it created. Run at each start and
--    every hour by every instance: concurrent calls wait on one lock and create each month once.
create function ledger_months_ahead(ahead int) returns int language plpgsql as $$
declare
  created int := 0;
  name text;
  month timestamptz;
  last_bound timestamptz;
  horizon timestamptz := date_trunc('month', now() at time zone 'utc') at time zone 'utc'
                         + make_interval(months => ahead + 1);
begin
  perform pg_advisory_xact_lock(hashtext('packcheck ledger months'));
  select max(substring(pg_get_expr(c.relpartbound, c.oid) from 'TO \(''([^'']+)''\)')::timestamptz)
    into last_bound
    from pg_inherits i join pg_class c on c.oid = i.inhrelid
    where i.inhparent = 'interactions'::regclass and pg_get_expr(c.relpartbound, c.oid) <> 'DEFAULT';
  month := last_bound;
  while month < horizon loop
    name := to_char(month at time zone 'utc', '"interactions_y"YYYY"m"MM');
    -- a month detached for archive keeps its table: its checks, if any come, go to the default partition
    if to_regclass(name) is null then
      execute format('create table %I partition of interactions for values from (%L) to (%L)',
                     name, month, month + interval '1 month');
      created := created + 1;
    end if;
    month := month + interval '1 month';
  end loop;
  return created;
end $$;

select ledger_months_ahead(2);
