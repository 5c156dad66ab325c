-- The peer's lean schema: what a first design keeps, with only the indexes billing needs.
-- Run by run-side-by-side.sh with search_path set to the peer's own schema.

create table pharmacies (
  id         int   primary key,
  token_hash bytea not null unique
);

-- price per check kept on the batch: the bill is interactions × price, summed per manufacturer
create table batches (
  id              int  primary key,
  manufacturer_id int  not null,
  state           text not null,
  expiry          date not null,
  price           int  not null
);

-- a code's SHA-256; state 0 unused, 1 dispensed
create table codes (
  hash         bytea    primary key,
  batch_id     int      not null,
  state        smallint not null default 0,
  dispensed_by int,
  dispensed_at timestamptz
);

-- one row per answer; the bill reads it by manufacturer and month
create table interactions (
  id              bigint generated always as identity primary key,
  at              timestamptz not null default now(),
  pharmacy_id     int      not null,
  code_hash       bytea    not null,
  manufacturer_id int,
  outcome         text     not null,
  first_check     boolean  not null,
  price           int      not null
);
create index interactions_manufacturer_at on interactions (manufacturer_id, at);
