-- Room in each page of codes for the new versions a dispense and a consume write: a state change then
-- stays on its page as a heap-only tuple (no indexed column changes), so it writes no entry into the
-- primary key nor codes_batch. Applies to pages written from now on (new uploads).
alter table codes set (fillfactor = 85);
