-- Alerts as cases (open → acknowledged → closed), found by scanning the ledger, and their delivery to
-- manufacturers' webhooks (at least once, retried with backoff for more than a day).

create table alerts (
  id              bigint generated always as identity primary key,
  manufacturer_id bigint references manufacturers,  -- null: the operator's (fakes belong to no manufacturer)
  kind            text not null check (kind in ('cloned_code', 'fake_burst', 'recalled_check')),
  dedupe_key      text not null,
  state           text not null default 'open' check (state in ('open', 'acknowledged', 'closed')),
  details         jsonb not null,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  unique (kind, dedupe_key)
);
create index alerts_manufacturer on alerts (manufacturer_id, state, id);

create table webhooks (
  manufacturer_id bigint primary key references manufacturers,
  url             text not null,
  secret          text not null,
  updated_at      timestamptz not null default now()
);

create table webhook_deliveries (
  alert_id        bigint not null references alerts,
  manufacturer_id bigint not null references manufacturers,
  state           text not null default 'pending' check (state in ('pending', 'delivered', 'failed')),
  attempts        int not null default 0,
  next_attempt_at timestamptz not null default now(),
  last_error      text,
  delivered_at    timestamptz,
  primary key (alert_id)
);
create index webhook_deliveries_due on webhook_deliveries (next_attempt_at) where state = 'pending';

-- The scanner reads the ledger by time; BRIN costs the insert path next to nothing.
create index interactions_at on interactions using brin (at);
