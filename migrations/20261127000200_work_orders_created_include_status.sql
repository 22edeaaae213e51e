-- A list's capped count walks (org_id, created_at, id) newest first; with the status in the
-- index a status filter (`?status=open`, the board's and the dispatchers' usual list) is
-- answered from the index alone on all-visible pages: 0.25 ms instead of 0.35 ms per list of
-- the demo organisation (measured with pgbench on the list statement).
DROP INDEX work_orders_org_created;
CREATE INDEX work_orders_org_created ON work_orders (org_id, created_at, id) INCLUDE (status);
