-- The ledger rolled up by manufacturer, UTC day, channel and outcome, so a month's report reads a few
-- hundred rows instead of millions. Interactions up to the watermark (an interaction id) are in it;
-- those after it are read from the ledger itself, so every check counts exactly once.
create table ledger_days (
  manufacturer_id bigint not null,
  day             date   not null,
  channel         text   not null,
  outcome         text   not null,
  checks          bigint not null,
  amount          bigint not null,
  primary key (manufacturer_id, day, channel, outcome)
);
insert into settings (name, value) values ('ledger_days_watermark', '0');
