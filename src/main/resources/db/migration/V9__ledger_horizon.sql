-- How far the ledger's ids had been drawn, on PostgreSQL's clock: by taken_at, every id up to last_id had
-- been drawn. The roll-up takes ids only up to a sample older than its settling time, so a check still
-- committing is never passed over, whatever the clocks of the instances that time the checks (`at`).
create table ledger_horizon (
  taken_at timestamptz not null,
  last_id  bigint      not null
);
