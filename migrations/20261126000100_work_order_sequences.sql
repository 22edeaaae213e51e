-- Work-order numbers come from one Postgres sequence per organisation instead of the
-- organisations.wo_seq counter row. Taking a number no longer locks a row until the creating
-- transaction commits, so creates of one organisation run in parallel and a create is a single
-- statement (see db::records::create_logged). Sequences are not transactional: a create that
-- fails after taking its number leaves a gap (numbers stay unique and increasing).

-- The sequence of an organisation: `work_order_seq_<org id as 32 hex digits>`.
CREATE FUNCTION work_order_seq_name(org uuid) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT 'work_order_seq_' || replace(org::text, '-', '') $$;

-- The organisation's next work-order number (1, 2, 3, ...).
CREATE FUNCTION next_work_order_seq(org uuid) RETURNS bigint
    LANGUAGE sql VOLATILE
    AS $$ SELECT nextval(work_order_seq_name(org)::regclass) $$;

-- Every organisation gets its sequence when it is created, and loses it when it is deleted.
CREATE FUNCTION organisations_work_order_seq() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        EXECUTE format('CREATE SEQUENCE %I AS bigint MINVALUE 1 START WITH 1',
                       work_order_seq_name(NEW.id));
    ELSE
        EXECUTE format('DROP SEQUENCE IF EXISTS %I', work_order_seq_name(OLD.id));
    END IF;
    RETURN NULL;
END
$$;

-- No number may be taken from the old counter while the sequences are set up.
LOCK TABLE organisations IN SHARE ROW EXCLUSIVE MODE;

-- Existing organisations continue after the highest number they have used.
DO $$
DECLARE
    o record;
BEGIN
    FOR o IN
        SELECT org.id, greatest(org.wo_seq, coalesce(max(w.seq), 0)) AS last
        FROM organisations org LEFT JOIN work_orders w ON w.org_id = org.id
        GROUP BY org.id, org.wo_seq
    LOOP
        EXECUTE format('CREATE SEQUENCE %I AS bigint MINVALUE 1 START WITH %s',
                       work_order_seq_name(o.id), o.last + 1);
    END LOOP;
END
$$;

CREATE TRIGGER organisations_work_order_seq_created AFTER INSERT ON organisations
    FOR EACH ROW EXECUTE FUNCTION organisations_work_order_seq();
CREATE TRIGGER organisations_work_order_seq_deleted AFTER DELETE ON organisations
    FOR EACH ROW EXECUTE FUNCTION organisations_work_order_seq();

-- The counter is gone, so nothing can take numbers from it by mistake.
ALTER TABLE organisations DROP COLUMN wo_seq;
