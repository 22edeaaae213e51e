-- Help-desk automation: event and time rules, macros, agent skills for assignment,
-- notifications, and outgoing webhooks with a delivery queue. Composite (org_id, id) keys.

-- Rules: `trigger` is ticket_created / ticket_updated (event rules) or sla_due_soon /
-- sla_breached / on_hold (time rules, evaluated by the sweeper). `conditions` and `actions`
-- are JSON arrays validated by the API (desk::automation::model).
CREATE TABLE automation_rules (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id       uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    position     integer NOT NULL DEFAULT 0,
    active       boolean NOT NULL DEFAULT true,
    trigger      text NOT NULL CHECK (trigger IN ('ticket_created', 'ticket_updated',
                     'sla_due_soon', 'sla_breached', 'on_hold')),
    -- Event rules on update: fire only when one of these fields changed (empty: any change).
    changed_fields text[] NOT NULL DEFAULT '{}',
    -- Time rules: minutes before a due time (sla_due_soon) or on hold for (on_hold).
    minutes      integer CHECK (minutes > 0),
    -- Time rules on SLA: which due time (first_response, next_response, resolution; NULL: any).
    sla_target   text CHECK (sla_target IN ('first_response', 'next_response', 'resolution')),
    match_mode   text NOT NULL DEFAULT 'all' CHECK (match_mode IN ('all', 'any')),
    conditions   jsonb NOT NULL DEFAULT '[]',
    actions      jsonb NOT NULL DEFAULT '[]',
    version      bigint NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id)
);
CREATE INDEX automation_rules_org ON automation_rules (org_id, trigger, position);

-- Time rules and built-in escalations fire at most once per ticket and target.
CREATE TABLE automation_firings (
    org_id      uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    rule_key    text NOT NULL,
    ticket_id   uuid NOT NULL,
    target      text NOT NULL,
    fired_at    timestamptz NOT NULL,
    PRIMARY KEY (org_id, rule_key, ticket_id, target),
    FOREIGN KEY (org_id, ticket_id) REFERENCES tickets (org_id, id) ON DELETE CASCADE
);

-- Round-robin cursors: the last agent picked per pool (a team, or the nil uuid for all agents).
CREATE TABLE assignment_cursors (
    org_id        uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    pool_id       uuid NOT NULL,
    last_user_id  uuid NOT NULL,
    PRIMARY KEY (org_id, pool_id)
);

-- Skills of agents, matched against a ticket's category and tags.
CREATE TABLE agent_skills (
    org_id      uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    user_id     uuid NOT NULL,
    skills      text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (org_id, user_id),
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE
);

-- In-app notifications for users (from rules, macros and escalations).
CREATE TABLE desk_notifications (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id      uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    user_id     uuid NOT NULL,
    ticket_id   uuid,
    message     text NOT NULL,
    read_at     timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, ticket_id) REFERENCES tickets (org_id, id) ON DELETE CASCADE
);
CREATE INDEX desk_notifications_user ON desk_notifications (org_id, user_id, created_at);

-- Macros / canned responses: a reply body with placeholders and optional actions.
CREATE TABLE desk_macros (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id      uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    body        text NOT NULL DEFAULT '',
    kind        text NOT NULL DEFAULT 'reply' CHECK (kind IN ('reply', 'note')),
    actions     jsonb NOT NULL DEFAULT '[]',
    version     bigint NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id),
    UNIQUE (org_id, name)
);

-- Outgoing webhook subscriptions; `events` like ticket.created, or '*' for all.
CREATE TABLE webhook_subscriptions (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id      uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    url         text NOT NULL CHECK (url ~ '^https?://'),
    events      text[] NOT NULL,
    secret      text NOT NULL,
    active      boolean NOT NULL DEFAULT true,
    version     bigint NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id)
);

-- The delivery queue and log: written in the transaction of the change (an outbox), sent by
-- the background sender with retries and exponential backoff.
CREATE TABLE webhook_deliveries (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id            uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    subscription_id   uuid NOT NULL,
    event             text NOT NULL,
    payload           jsonb NOT NULL,
    status            text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts          integer NOT NULL DEFAULT 0,
    next_attempt_at   timestamptz,
    last_status_code  integer,
    last_error        text,
    delivered_at      timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, subscription_id) REFERENCES webhook_subscriptions (org_id, id) ON DELETE CASCADE
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_sub ON webhook_deliveries (org_id, subscription_id, created_at);
