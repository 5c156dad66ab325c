-- How many codes each batch holds per format, so that an upload can tell how much of a format's
-- space is in use (a dense format lets a counterfeiter guess valid codes). Hashes do not reveal a
-- code's length: a batch stored before this counts all its codes in each of its formats.
alter table batch_formats add column codes bigint not null default 0;
update batch_formats f set codes = (select count(*) from codes c where c.batch_id = f.batch_id);
create index batch_formats_format on batch_formats (length, required_traits);
