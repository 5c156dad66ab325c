-- How far the ledger's ids had been drawn, on PostgreSQL's clock: by taken_at, every id up to last_id had
-- been drawn, by transactions numbered below next_xid (the sampling transaction's own id). The roll-up
-- takes ids only up to a sample older than its settling time whose earlier transactions have all ended,
-- so a check still committing is never passed over, whatever the clocks of the instances that time the
-- checks (`at`) and however long a transaction writing interactions (an import, say) runs.
create table ledger_horizon (
  taken_at timestamptz not null,
  last_id  bigint      not null,
  next_xid xid8        not null
);
