-- Help-desk e-mail channel: per-organisation mail settings (support address, SMTP, IMAP,
-- inbound token), editable notification templates, the log of every inbound and outbound
-- Message-ID (threading and idempotence), the outbox drained by a background task, and
-- attachments kept from inbound mail.

CREATE TABLE desk_email_settings (
    org_id              uuid PRIMARY KEY REFERENCES organisations(id) ON DELETE CASCADE,
    support_address     text NOT NULL,
    support_name        text NOT NULL DEFAULT '',
    reply_to            text,
    portal_url          text NOT NULL DEFAULT '',
    smtp_host           text,
    smtp_port           integer CHECK (smtp_port BETWEEN 1 AND 65535),
    smtp_security       text NOT NULL DEFAULT 'starttls' CHECK (smtp_security IN ('none', 'starttls', 'tls')),
    smtp_username       text,
    smtp_password       text,
    imap_enabled        boolean NOT NULL DEFAULT false,
    imap_host           text,
    imap_port           integer CHECK (imap_port BETWEEN 1 AND 65535),
    imap_security       text NOT NULL DEFAULT 'tls' CHECK (imap_security IN ('none', 'tls')),
    imap_username       text,
    imap_password       text,
    imap_folder         text NOT NULL DEFAULT 'INBOX',
    poll_interval_secs  integer NOT NULL DEFAULT 60 CHECK (poll_interval_secs BETWEEN 5 AND 86400),
    last_polled_at      timestamptz,
    last_poll_error     text,
    -- SHA-256 of the secret mail gateways present to POST /api/v1/inbound/email.
    inbound_token_hash  bytea UNIQUE,
    version             bigint NOT NULL DEFAULT 1,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);

-- Customised templates; a missing row means the built-in default.
CREATE TABLE desk_email_templates (
    org_id      uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('ticket_created', 'agent_replied', 'ticket_resolved')),
    subject     text NOT NULL,
    body        text NOT NULL,
    version     bigint NOT NULL DEFAULT 1,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, kind)
);

-- Every Message-ID seen or sent, per organisation: threading looks replies up here, and a
-- repeated inbound Message-ID is ignored. Ignored inbound mail (auto-replies, loops) is kept
-- with its reason and no ticket.
CREATE TABLE desk_email_messages (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id              uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    direction           text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    message_id          text NOT NULL,
    ticket_id           uuid,
    ticket_message_id   uuid,
    disposition         text NOT NULL CHECK (disposition IN ('created', 'threaded', 'ignored', 'queued', 'sent', 'failed')),
    reason              text,
    source              text NOT NULL CHECK (source IN ('http', 'imap', 'outbox')),
    from_address        text,
    subject             text,
    in_reply_to         text,
    created_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id),
    UNIQUE (org_id, message_id),
    FOREIGN KEY (org_id, ticket_id) REFERENCES tickets (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, ticket_message_id) REFERENCES ticket_messages (org_id, id) ON DELETE SET NULL (ticket_message_id)
);
CREATE INDEX desk_email_messages_ticket ON desk_email_messages (org_id, ticket_id, created_at);

-- Outgoing mail, rendered when queued; a background task sends it with retries and backoff.
CREATE TABLE desk_email_outbox (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id              uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    ticket_id           uuid NOT NULL,
    ticket_message_id   uuid,
    template            text NOT NULL,
    message_id          text NOT NULL,
    in_reply_to         text,
    "references"        text[] NOT NULL DEFAULT '{}',
    from_address        text NOT NULL,
    from_name           text NOT NULL DEFAULT '',
    reply_to            text,
    to_address          text NOT NULL,
    subject             text NOT NULL,
    body                text NOT NULL,
    auto_generated      boolean NOT NULL DEFAULT false,
    status              text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
    attempts            integer NOT NULL DEFAULT 0,
    next_attempt_at     timestamptz NOT NULL DEFAULT now(),
    locked_until        timestamptz,
    last_error          text,
    smtp_response       text,
    sent_at             timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, ticket_id) REFERENCES tickets (org_id, id) ON DELETE CASCADE
);
CREATE INDEX desk_email_outbox_due ON desk_email_outbox (next_attempt_at) WHERE status IN ('queued', 'sending');
CREATE INDEX desk_email_outbox_org ON desk_email_outbox (org_id, created_at);

-- Files attached to inbound mail: the bytes live in the attachment store like every other
-- attachment (`attachments` row, `<org id>/<attachment id>`); this links them to the e-mail.
CREATE TABLE desk_email_attachments (
    org_id          uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    email_id        uuid NOT NULL,
    attachment_id   uuid NOT NULL,
    ticket_id       uuid NOT NULL,
    PRIMARY KEY (org_id, attachment_id),
    FOREIGN KEY (org_id, email_id) REFERENCES desk_email_messages (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, attachment_id) REFERENCES attachments (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, ticket_id) REFERENCES tickets (org_id, id) ON DELETE CASCADE
);
CREATE INDEX desk_email_attachments_ticket ON desk_email_attachments (org_id, ticket_id);
