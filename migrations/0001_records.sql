-- Fieldpath service: organisations, accounts, tokens and the field-service records.
-- Every tenant-owned table carries org_id; references between records are composite
-- (org_id, x_id) foreign keys so that a record can never point into another organisation.

CREATE TABLE organisations (
    id          uuid PRIMARY KEY,
    name        text NOT NULL,
    slug        text NOT NULL UNIQUE,
    wo_seq      bigint NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE customers (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id          uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    name            text NOT NULL,
    email           text,
    phone           text,
    billing_address text,
    notes           text,
    version         bigint NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id)
);
CREATE INDEX customers_org_created ON customers (org_id, created_at);

CREATE TABLE users (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id        uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    email         text NOT NULL,
    name          text NOT NULL,
    role          text NOT NULL CHECK (role IN ('admin', 'dispatcher', 'agent', 'technician', 'customer')),
    customer_id   uuid,
    password_hash text NOT NULL,
    active        boolean NOT NULL DEFAULT true,
    version       bigint NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, customer_id) REFERENCES customers (org_id, id)
);
CREATE UNIQUE INDEX users_email ON users (lower(email));

-- Sessions, access, refresh and API tokens: only the SHA-256 of the secret is stored.
CREATE TABLE tokens (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id       uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    user_id      uuid NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('session', 'access', 'refresh', 'api')),
    family_id    uuid NOT NULL,
    token_hash   bytea NOT NULL UNIQUE,
    name         text,
    expires_at   timestamptz,
    revoked_at   timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE
);
CREATE INDEX tokens_family ON tokens (family_id);
CREATE INDEX tokens_user ON tokens (org_id, user_id, kind);

CREATE TABLE sites (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id           uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    customer_id      uuid,
    name             text NOT NULL,
    address          text,
    lat              double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lon              double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
    snapped_lat      double precision,
    snapped_lon      double precision,
    snap_distance_m  double precision,
    notes            text,
    version          bigint NOT NULL DEFAULT 1,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, customer_id) REFERENCES customers (org_id, id)
);
CREATE INDEX sites_org_created ON sites (org_id, created_at);

CREATE TABLE assets (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id          uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    site_id         uuid NOT NULL,
    model           text NOT NULL,
    serial          text,
    warranty_until  date,
    notes           text,
    version         bigint NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, site_id) REFERENCES sites (org_id, id)
);
CREATE INDEX assets_org_site ON assets (org_id, site_id);

CREATE TABLE technicians (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id            uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    user_id           uuid,
    name              text NOT NULL,
    email             text,
    phone             text,
    -- [{"skill": "hvac", "level": 3}]
    skills            jsonb NOT NULL DEFAULT '[]',
    -- {"mon": [{"start": "08:00", "end": "17:00"}], ...}
    working_hours     jsonb NOT NULL DEFAULT '{}',
    -- [{"start": "2025-01-01T00:00:00Z", "end": "...", "reason": "..."}]
    time_off          jsonb NOT NULL DEFAULT '[]',
    home_lat          double precision NOT NULL CHECK (home_lat BETWEEN -90 AND 90),
    home_lon          double precision NOT NULL CHECK (home_lon BETWEEN -180 AND 180),
    max_jobs_per_day  integer NOT NULL DEFAULT 8 CHECK (max_jobs_per_day > 0),
    active            boolean NOT NULL DEFAULT true,
    version           bigint NOT NULL DEFAULT 1,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id)
);
CREATE INDEX technicians_org_created ON technicians (org_id, created_at);

CREATE TABLE work_orders (
    id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id                  uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    seq                     bigint NOT NULL,
    number                  text NOT NULL,
    title                   text NOT NULL,
    description             text,
    work_type               text NOT NULL DEFAULT 'maintenance',
    priority                text NOT NULL DEFAULT 'medium' CHECK (priority IN ('low', 'medium', 'high', 'urgent')),
    status                  text NOT NULL DEFAULT 'draft'
        CHECK (status IN ('draft', 'scheduled', 'dispatched', 'in_progress', 'completed', 'cancelled')),
    customer_id             uuid,
    site_id                 uuid NOT NULL,
    asset_id                uuid,
    window_start            timestamptz,
    window_end              timestamptz,
    estimated_duration_min  integer NOT NULL DEFAULT 60 CHECK (estimated_duration_min > 0),
    -- [{"skill": "hvac", "level": 2}]
    required_skills         jsonb NOT NULL DEFAULT '[]',
    version                 bigint NOT NULL DEFAULT 1,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id),
    UNIQUE (org_id, number),
    CONSTRAINT work_orders_window_check CHECK (window_end IS NULL OR window_start IS NULL OR window_end > window_start),
    FOREIGN KEY (org_id, customer_id) REFERENCES customers (org_id, id),
    FOREIGN KEY (org_id, site_id) REFERENCES sites (org_id, id),
    FOREIGN KEY (org_id, asset_id) REFERENCES assets (org_id, id)
);
CREATE INDEX work_orders_org_created ON work_orders (org_id, created_at);
CREATE INDEX work_orders_org_status ON work_orders (org_id, status);
CREATE INDEX work_orders_org_window ON work_orders (org_id, window_start);

CREATE TABLE assignments (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id         uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    work_order_id  uuid NOT NULL,
    technician_id  uuid NOT NULL,
    planned_start  timestamptz NOT NULL,
    planned_end    timestamptz NOT NULL,
    sequence       integer NOT NULL DEFAULT 0,
    locked         boolean NOT NULL DEFAULT false,
    version        bigint NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id),
    CONSTRAINT assignments_planned_check CHECK (planned_end > planned_start),
    FOREIGN KEY (org_id, work_order_id) REFERENCES work_orders (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, technician_id) REFERENCES technicians (org_id, id)
);
CREATE INDEX assignments_org_tech ON assignments (org_id, technician_id, planned_start);
CREATE INDEX assignments_org_wo ON assignments (org_id, work_order_id);

CREATE TABLE service_reports (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id         uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    work_order_id  uuid NOT NULL,
    technician_id  uuid,
    work_done      text NOT NULL,
    -- [{"part": "filter F7", "quantity": 2}]
    parts_used     jsonb NOT NULL DEFAULT '[]',
    notes          text,
    -- base64 PNG
    signature_png  text,
    version        bigint NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, work_order_id) REFERENCES work_orders (org_id, id),
    FOREIGN KEY (org_id, technician_id) REFERENCES technicians (org_id, id)
);
CREATE INDEX service_reports_org_wo ON service_reports (org_id, work_order_id);

-- Files (photos, documents) kept in the object store; the row holds the metadata.
CREATE TABLE attachments (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id             uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    work_order_id      uuid,
    service_report_id  uuid,
    filename           text NOT NULL,
    content_type       text NOT NULL,
    size_bytes         bigint NOT NULL,
    sha256             text NOT NULL,
    object_key         text NOT NULL,
    version            bigint NOT NULL DEFAULT 1,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, work_order_id) REFERENCES work_orders (org_id, id),
    FOREIGN KEY (org_id, service_report_id) REFERENCES service_reports (org_id, id)
);

-- Every change to a record: who, which entity, what, before and after.
CREATE TABLE activity (
    id          bigserial PRIMARY KEY,
    org_id      uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    actor_id    uuid,
    entity      text NOT NULL,
    entity_id   uuid NOT NULL,
    action      text NOT NULL,
    before      jsonb,
    after       jsonb,
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX activity_org_entity ON activity (org_id, entity, entity_id, id);
CREATE INDEX activity_org_at ON activity (org_id, id);
