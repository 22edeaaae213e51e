-- The display number of a work order from its sequence number: WO-000123 (six digits at
-- least). The create statements number work orders with it; the service's own copy of the
-- format (`domain::work_order::number`, for numbers taken outside them) is tested equal.
CREATE FUNCTION work_order_number(seq bigint) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN 'WO-' || CASE WHEN seq < 1000000 THEN lpad(seq::text, 6, '0') ELSE seq::text END;
