-- Fake checks per 10 seconds, by sender (customer id in hex) and by region, for the alert scan's bursts.
-- Each scan counts again, from the ledger, the stretches its window touches and reads the rest of the
-- hour from here, instead of reading every fake of the last hour every few seconds. Stretches older
-- than the hour are deleted by the scan.
create table fake_counts (
  by_   text        not null check (by_ in ('sender', 'region')),
  who   text        not null,
  since timestamptz not null,
  fakes integer     not null,
  primary key (by_, who, since)
);
