-- Dispatcher board and technician app: last known technician positions and the stop status
-- events a technician reports from the route page (on my way / arrived / completed).

CREATE TABLE board_positions (
    org_id         uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    technician_id  uuid NOT NULL,
    lat            double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lon            double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
    accuracy_m     double precision,
    at             timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, technician_id),
    FOREIGN KEY (org_id, technician_id) REFERENCES technicians (org_id, id) ON DELETE CASCADE
);

CREATE TABLE board_stop_events (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id         uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    work_order_id  uuid NOT NULL,
    technician_id  uuid NOT NULL,
    status         text NOT NULL CHECK (status IN ('on_my_way', 'arrived', 'completed')),
    -- When it happened on the device (may be earlier than created_at for offline updates).
    at             timestamptz NOT NULL,
    -- Idempotency key from the device's offline queue.
    client_id      text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (org_id, work_order_id) REFERENCES work_orders (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, technician_id) REFERENCES technicians (org_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX board_stop_events_client ON board_stop_events (org_id, client_id);
CREATE INDEX board_stop_events_wo ON board_stop_events (org_id, work_order_id, at);
