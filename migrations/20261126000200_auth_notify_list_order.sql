-- 1. Changes that take access away are announced on the `fieldpath_auth` channel (payload: the
--    user id; empty: anyone), so every process of the deployment drops the tokens it has
--    cached for that user (auth::cache). NOTIFY is delivered at commit, and only then.
-- 2. Record lists in their default order (newest first, id as tie-breaker) walk an index.

CREATE FUNCTION notify_auth_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_LEVEL = 'STATEMENT' THEN
        PERFORM pg_notify('fieldpath_auth', '');
    ELSIF TG_TABLE_NAME = 'users' THEN
        PERFORM pg_notify('fieldpath_auth', OLD.id::text);
    ELSE
        PERFORM pg_notify('fieldpath_auth', OLD.user_id::text);
    END IF;
    RETURN NULL;
END
$$;

-- Refresh tokens never authenticate a request (rotating them must not empty caches).
CREATE TRIGGER tokens_auth_changed AFTER UPDATE ON tokens
    FOR EACH ROW WHEN (OLD.kind <> 'refresh' AND (
        OLD.revoked_at IS DISTINCT FROM NEW.revoked_at
        OR OLD.expires_at IS DISTINCT FROM NEW.expires_at
        OR OLD.user_id <> NEW.user_id OR OLD.org_id <> NEW.org_id
        OR OLD.kind <> NEW.kind OR OLD.family_id <> NEW.family_id
        OR OLD.token_hash <> NEW.token_hash))
    EXECUTE FUNCTION notify_auth_change();
CREATE TRIGGER tokens_auth_deleted AFTER DELETE ON tokens
    FOR EACH ROW WHEN (OLD.kind <> 'refresh')
    EXECUTE FUNCTION notify_auth_change();
CREATE TRIGGER tokens_auth_truncated AFTER TRUNCATE ON tokens
    FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_change();

CREATE TRIGGER users_auth_changed AFTER UPDATE ON users
    FOR EACH ROW WHEN (
        OLD.active IS DISTINCT FROM NEW.active
        OR OLD.role IS DISTINCT FROM NEW.role
        OR OLD.customer_id IS DISTINCT FROM NEW.customer_id
        OR OLD.org_id IS DISTINCT FROM NEW.org_id)
    EXECUTE FUNCTION notify_auth_change();
CREATE TRIGGER users_auth_deleted AFTER DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION notify_auth_change();
CREATE TRIGGER users_auth_truncated AFTER TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_change();

-- `ORDER BY created_at DESC, id DESC LIMIT n` reads the first n index entries (no sort).
DROP INDEX customers_org_created;
CREATE INDEX customers_org_created ON customers (org_id, created_at, id);
DROP INDEX sites_org_created;
CREATE INDEX sites_org_created ON sites (org_id, created_at, id);
DROP INDEX technicians_org_created;
CREATE INDEX technicians_org_created ON technicians (org_id, created_at, id);
DROP INDEX work_orders_org_created;
CREATE INDEX work_orders_org_created ON work_orders (org_id, created_at, id);
CREATE INDEX assets_org_created ON assets (org_id, created_at, id);
CREATE INDEX assignments_org_created ON assignments (org_id, created_at, id);
CREATE INDEX service_reports_org_created ON service_reports (org_id, created_at, id);
CREATE INDEX attachments_org_created ON attachments (org_id, created_at, id);
