-- Help desk: tickets, their messages, per-organisation statuses / custom fields / teams, and
-- SLA policies with business-hours calendars. Composite (org_id, id) keys as everywhere else.

CREATE TABLE desk_counters (
    org_id      uuid PRIMARY KEY REFERENCES organisations(id) ON DELETE CASCADE,
    ticket_seq  bigint NOT NULL DEFAULT 0
);

-- Custom statuses: each maps to one of the built-in types.
CREATE TABLE ticket_statuses (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id       uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    name         text NOT NULL CHECK (name ~ '^[a-z0-9_]{1,40}$'),
    status_type  text NOT NULL CHECK (status_type IN ('open', 'pending', 'on_hold', 'resolved', 'closed')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id),
    UNIQUE (org_id, name)
);

-- Custom ticket fields, typed per organisation.
CREATE TABLE ticket_fields (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id      uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    key         text NOT NULL CHECK (key ~ '^[a-z][a-z0-9_]{0,39}$'),
    label       text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('text', 'number', 'date', 'select')),
    options     text[] NOT NULL DEFAULT '{}',
    required    boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id),
    UNIQUE (org_id, key)
);

CREATE TABLE desk_teams (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id      uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    name        text NOT NULL,
    member_ids  uuid[] NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id),
    UNIQUE (org_id, name)
);

-- Business hours: {"mon": [["09:00", "17:00"]], ...} in an IANA time zone, plus holidays.
CREATE TABLE business_calendars (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id      uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    name        text NOT NULL,
    time_zone   text NOT NULL,
    hours       jsonb NOT NULL,
    holidays    date[] NOT NULL DEFAULT '{}',
    version     bigint NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id)
);

-- SLA policies: the first active one (by position) whose conditions match applies.
CREATE TABLE sla_policies (
    id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id               uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    name                 text NOT NULL,
    position             integer NOT NULL DEFAULT 0,
    active               boolean NOT NULL DEFAULT true,
    -- {"priority": [...], "channel": [...], "customer_id": [...], "tags": [...]}
    conditions           jsonb NOT NULL DEFAULT '{}',
    first_response_mins  integer CHECK (first_response_mins > 0),
    next_response_mins   integer CHECK (next_response_mins > 0),
    resolution_mins      integer CHECK (resolution_mins > 0),
    calendar_id          uuid,
    escalate_to_id       uuid,
    version              bigint NOT NULL DEFAULT 1,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, calendar_id) REFERENCES business_calendars (org_id, id),
    FOREIGN KEY (org_id, escalate_to_id) REFERENCES users (org_id, id)
);

CREATE TABLE tickets (
    id                        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id                    uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    seq                       bigint NOT NULL,
    number                    text NOT NULL,
    subject                   text NOT NULL,
    description               text NOT NULL DEFAULT '',
    status                    text NOT NULL DEFAULT 'open',
    status_type               text NOT NULL DEFAULT 'open'
        CHECK (status_type IN ('open', 'pending', 'on_hold', 'resolved', 'closed')),
    priority                  text NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    category                  text,
    channel                   text NOT NULL DEFAULT 'web' CHECK (channel IN ('email', 'web', 'portal', 'phone', 'api')),
    requester_id              uuid,
    requester_email           text,
    assignee_id               uuid,
    team_id                   uuid,
    tags                      text[] NOT NULL DEFAULT '{}',
    custom_fields             jsonb NOT NULL DEFAULT '{}',
    parent_id                 uuid,
    merged_into_id            uuid,
    split_from_id             uuid,
    work_order_id             uuid,
    sla_policy_id             uuid,
    sla_elapsed_secs          bigint NOT NULL DEFAULT 0,
    sla_running_since         timestamptz,
    first_response_due        timestamptz,
    next_response_due         timestamptz,
    resolution_due            timestamptz,
    first_responded_at        timestamptz,
    resolved_at               timestamptz,
    closed_at                 timestamptz,
    first_response_breached   boolean NOT NULL DEFAULT false,
    next_response_breached    boolean NOT NULL DEFAULT false,
    resolution_breached       boolean NOT NULL DEFAULT false,
    escalated_at              timestamptz,
    version                   bigint NOT NULL DEFAULT 1,
    created_at                timestamptz NOT NULL DEFAULT now(),
    updated_at                timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id),
    UNIQUE (org_id, number),
    FOREIGN KEY (org_id, requester_id) REFERENCES customers (org_id, id),
    FOREIGN KEY (org_id, assignee_id) REFERENCES users (org_id, id),
    FOREIGN KEY (org_id, team_id) REFERENCES desk_teams (org_id, id),
    FOREIGN KEY (org_id, parent_id) REFERENCES tickets (org_id, id),
    FOREIGN KEY (org_id, merged_into_id) REFERENCES tickets (org_id, id),
    FOREIGN KEY (org_id, split_from_id) REFERENCES tickets (org_id, id),
    FOREIGN KEY (org_id, work_order_id) REFERENCES work_orders (org_id, id),
    FOREIGN KEY (org_id, sla_policy_id) REFERENCES sla_policies (org_id, id)
);
CREATE INDEX tickets_org_created ON tickets (org_id, created_at);
CREATE INDEX tickets_org_status ON tickets (org_id, status_type);
CREATE INDEX tickets_org_requester ON tickets (org_id, requester_id);
CREATE INDEX tickets_org_due ON tickets (org_id, resolution_due) WHERE resolution_due IS NOT NULL;

-- Public replies and internal notes of a ticket.
CREATE TABLE ticket_messages (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id              uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    ticket_id           uuid NOT NULL,
    kind                text NOT NULL CHECK (kind IN ('reply', 'note')),
    body                text NOT NULL,
    author_id           uuid,
    author_email        text,
    from_customer       boolean NOT NULL DEFAULT false,
    mentions            uuid[] NOT NULL DEFAULT '{}',
    email_message_id    text,
    moved_from_id       uuid,
    created_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, ticket_id) REFERENCES tickets (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, author_id) REFERENCES users (org_id, id)
);
CREATE INDEX ticket_messages_ticket ON ticket_messages (org_id, ticket_id, created_at);
