-- Help-desk assist and reports: stored sentiment of incoming messages, per-organisation assist
-- settings (the optional LLM endpoint), and the satisfaction-survey table the reports read
-- (created here only when the knowledge-base/portal migration has not made it already).

-- VADER sentiment of a ticket's description (message_id NULL) or of one customer reply.
-- text_sha256 says which text was scored, so an edited description is scored again.
CREATE TABLE ticket_sentiments (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id       uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    ticket_id    uuid NOT NULL,
    message_id   uuid,
    score        double precision NOT NULL CHECK (score >= -1 AND score <= 1),
    label        text NOT NULL CHECK (label IN ('negative', 'neutral', 'positive')),
    text_sha256  text NOT NULL,
    scored_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id),
    UNIQUE NULLS NOT DISTINCT (org_id, ticket_id, message_id),
    FOREIGN KEY (org_id, ticket_id) REFERENCES tickets (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, message_id) REFERENCES ticket_messages (org_id, id) ON DELETE CASCADE
);

-- Optional OpenAI-compatible endpoint per organisation (off when there is no row and the
-- service has no FIELDPATH_ASSIST_LLM_URL). The API key is never answered back.
CREATE TABLE desk_assist_settings (
    org_id       uuid PRIMARY KEY REFERENCES organisations(id) ON DELETE CASCADE,
    llm_url      text,
    llm_model    text NOT NULL DEFAULT 'gpt-4o-mini',
    llm_api_key  text,
    version      bigint NOT NULL DEFAULT 1,
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- Satisfaction surveys: created by the knowledge-base/portal migration (20261125000400), which
-- sorts first; the same definition here keeps this migration self-sufficient without it.
CREATE TABLE IF NOT EXISTS ticket_surveys (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id       uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    ticket_id    uuid NOT NULL,
    rating       integer NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment      text CHECK (length(comment) <= 4000),
    customer_id  uuid,
    user_id      uuid,
    via          text NOT NULL CHECK (via IN ('portal', 'link')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id),
    UNIQUE (org_id, ticket_id),
    FOREIGN KEY (org_id, ticket_id) REFERENCES tickets (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, customer_id) REFERENCES customers (org_id, id),
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id)
);
CREATE INDEX IF NOT EXISTS ticket_surveys_org_created ON ticket_surveys (org_id, created_at);

-- Reports scan tickets by resolution time too.
CREATE INDEX IF NOT EXISTS tickets_org_resolved ON tickets (org_id, resolved_at);
