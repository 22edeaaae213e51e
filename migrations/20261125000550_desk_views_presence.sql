-- Agent pages: saved ticket-list views (per user, optionally shared with the organisation) and
-- who is looking at which ticket right now (collision notice).

CREATE TABLE desk_views (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id      uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    owner_id    uuid NOT NULL,
    name        text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 80),
    -- {"status": [...], "priority": [...], "assignee": ["me" | "unassigned" | uuid], ...}
    filters     jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(filters) = 'object'),
    columns     text[] NOT NULL DEFAULT '{}',
    sort        text NOT NULL DEFAULT '-updated_at',
    shared      boolean NOT NULL DEFAULT false,
    version     bigint NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id),
    UNIQUE (org_id, owner_id, name),
    FOREIGN KEY (org_id, owner_id) REFERENCES users (org_id, id) ON DELETE CASCADE
);
CREATE INDEX desk_views_shared ON desk_views (org_id) WHERE shared;

-- Presence is a heartbeat, worthless after a crash: UNLOGGED (no WAL, emptied on crash
-- recovery) but shared by every API process, so agents behind a load balancer see each other.
-- Rows older than the TTL (30 s) are ignored by readers and deleted by writers. No foreign keys on
-- purpose: a heartbeat must not take a key-share lock on the ticket row that `FOR UPDATE` changes
-- wait on; the handler checks the ticket is visible before writing.
CREATE UNLOGGED TABLE ticket_presence (
    org_id      uuid NOT NULL,
    ticket_id   uuid NOT NULL,
    user_id     uuid NOT NULL,
    state       text NOT NULL CHECK (state IN ('viewing', 'replying')),
    seen_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, ticket_id, user_id)
);
CREATE INDEX ticket_presence_seen ON ticket_presence (org_id, seen_at);
