-- A delivery in flight is leased apart from its schedule: next_attempt_at is only ever the retry
-- time, so pending deliveries can be brought forward (the receiver answered again, its URL changed)
-- without touching one another instance is sending.
alter table webhook_deliveries add column leased_until timestamptz;
create index webhook_deliveries_pending on webhook_deliveries (manufacturer_id) where state = 'pending';
