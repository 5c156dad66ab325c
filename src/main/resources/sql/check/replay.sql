-- An idempotent replay: the answer stored for ($1 customer, $2 key), with the same column names as the
-- group statement's answers, and the code and action it was given for (a different request under the
-- same key is refused).
select i.outcome, i.first_check, i.first_verified_at, i.dispensed_at, i.id as interaction_id,
       pr.name as product, pr.gtin, b.lot, b.expiry,
       (select c.state from codes c where c.hash = i.code_hash) as code_state,
       i.manufacturer_id, i.code_hash, i.action
from idempotency_keys k
join interactions i on i.id = k.interaction_id
left join batches b on b.id = i.batch_id
left join products pr on pr.id = b.product_id
where k.customer_id = $1 and k.key = $2
