-- PackCheck core schema. Plain codes and phone numbers never appear here: codes are HMAC-SHA-256
-- hashes, customers are keyed by HMAC, tokens are stored as SHA-256 digests.

create table settings (
  name  text primary key,
  value text not null
);

create table manufacturers (
  id              bigint generated always as identity primary key,
  name            text   not null,
  price_per_check bigint not null check (price_per_check >= 0),
  currency        char(3) not null,
  created_at      timestamptz not null default now()
);

create table pharmacies (
  id          bigint generated always as identity primary key,
  name        text  not null,
  region      text,
  customer_id bytea not null unique,
  created_at  timestamptz not null default now()
);

-- One row per customer across channels: a pharmacy now, an MSISDN (encrypted) with SMS.
create table customers (
  id          bytea primary key,
  kind        text  not null check (kind in ('pharmacy', 'msisdn')),
  pharmacy_id bigint references pharmacies,
  msisdn_enc  bytea,
  created_at  timestamptz not null default now()
);

create table api_tokens (
  token_hash      bytea primary key,
  role            text not null check (role in ('admin', 'manufacturer', 'pharmacy')),
  manufacturer_id bigint references manufacturers,
  pharmacy_id     bigint references pharmacies,
  created_at      timestamptz not null default now()
);

create table products (
  id              bigint generated always as identity primary key,
  manufacturer_id bigint not null references manufacturers,
  name            text   not null,
  gtin            text,
  created_at      timestamptz not null default now()
);
create index products_manufacturer on products (manufacturer_id, id);

create table batches (
  id              bigint generated always as identity primary key,
  manufacturer_id bigint not null references manufacturers,
  product_id      bigint not null references products,
  lot             text   not null,
  expiry          date   not null,
  state           text   not null default 'draft' check (state in ('draft', 'active', 'recalled')),
  recall_reason   text,
  activated_at    timestamptz,
  recalled_at     timestamptz,
  created_at      timestamptz not null default now(),
  unique (product_id, lot)
);
create index batches_manufacturer on batches (manufacturer_id, id);

-- The code formats of a batch: one row per code length, with the traits (alphabet, check scheme)
-- every code of that length must have. An unknown code that matches no released format is a typo.
create table batch_formats (
  batch_id        bigint   not null references batches,
  length          smallint not null,
  required_traits integer  not null,
  primary key (batch_id, length)
);
create index batch_formats_length on batch_formats (length);

-- state: 0 active (checkable once its batch is active), 1 dispensed, 2 consumed. No foreign key to
-- batches: uploads of millions of codes would pay a lookup per row.
create table codes (
  hash         bytea    primary key,
  batch_id     bigint   not null,
  state        smallint not null default 0,
  dispensed_by bigint,
  dispensed_at timestamptz,
  consumed_by  bytea,
  consumed_at  timestamptz
);
create index codes_batch on codes (batch_id);

-- The ledger: one row per answer given (idempotent replays are answered from here, not re-recorded).
create sequence interactions_id_seq;
create table interactions (
  id                bigint primary key,
  at                timestamptz not null,
  channel           text    not null check (channel in ('http', 'sms')),
  customer_id       bytea   not null,
  action            text    not null check (action in ('verify', 'dispense', 'check')),
  code_hash         bytea   not null,
  batch_id          bigint,
  manufacturer_id   bigint,
  outcome           text    not null,
  first_check       boolean not null,
  first_verified_at timestamptz,
  dispensed_at      timestamptz,
  price             bigint  not null,
  currency          char(3),
  idempotency_key   text
);
create index interactions_code on interactions (code_hash);
create index interactions_manufacturer_at on interactions (manufacturer_id, at);
create index interactions_customer_at on interactions (customer_id, at);

create table idempotency_keys (
  customer_id    bytea  not null,
  key            text   not null,
  interaction_id bigint not null,
  primary key (customer_id, key)
);
