-- The plan dashboard reads status changes of work orders from the activity log (first change
-- into in_progress / completed); this index finds them per organisation without scanning every
-- activity row.
CREATE INDEX activity_org_work_order_status ON activity (org_id, (after->>'status'), at)
    WHERE entity = 'work_order';

-- Follow-up repairs at the same asset or site after a completion (first-time fix rate).
CREATE INDEX work_orders_org_asset_created ON work_orders (org_id, asset_id, created_at)
    WHERE asset_id IS NOT NULL;
CREATE INDEX work_orders_org_site_created ON work_orders (org_id, site_id, created_at);
