-- A manufacturer's customers as exact sets, so the customers summary reads a few sets instead of
-- millions of ledger rows. Each customer gets a dense number (customers.seq); a set is a serialized
-- Roaring bitmap of those numbers, per manufacturer, UTC hour, day or month, and facet:
--   'channel:http', 'channel:sms'  customers who checked by that channel,
--   'region:GH', ...               customers of that region (the customer's, or their pharmacy's),
--   'repeat'                       customers with more than one check in that hour, day or month.
-- They are rolled up with ledger_days, up to the same watermark.
alter table customers add column seq integer generated always as identity;

create table customer_sets (
  manufacturer_id bigint not null,
  span            text   not null check (span in ('hour', 'day', 'month')),
  start           timestamptz not null,
  facet           text   not null,
  members         bytea  not null,
  first_at        timestamptz not null,  -- the first and last check in the set: a period holding both
  last_at         timestamptz not null,  -- may take the set whole, even when it ends mid-hour or mid-month
  primary key (manufacturer_id, span, start, facet)
);

-- Sets are built from the ledger up to the watermark: start again from the first interaction so that
-- both roll-ups cover the same interactions (the reports read the ledger itself meanwhile).
truncate ledger_days;
update settings set value = '0' where name = 'ledger_days_watermark';
