-- Knowledge base (categories, articles with full-text search, versions, feedback), the customer
-- portal's deflections, and satisfaction surveys after resolution. Composite (org_id, id) keys.

CREATE TABLE kb_categories (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id       uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    slug         text NOT NULL CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 80),
    description  text NOT NULL DEFAULT '',
    position     integer NOT NULL DEFAULT 0,
    version      bigint NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id),
    UNIQUE (org_id, slug)
);

-- One row per article: its current content. `search_config` is the text-search configuration
-- chosen from the locale; `search` is the weighted document (title A, body B) behind the GIN index.
CREATE TABLE kb_articles (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id          uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    title           text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    slug            text NOT NULL CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 120),
    body            text NOT NULL DEFAULT '',
    status          text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'archived')),
    category_id     uuid,
    tags            text[] NOT NULL DEFAULT '{}',
    locale          text CHECK (locale ~ '^[a-z]{2}(-[A-Z]{2})?$'),
    search_config   regconfig NOT NULL DEFAULT 'english',
    search          tsvector GENERATED ALWAYS AS (
                        setweight(to_tsvector(search_config, title), 'A') ||
                        setweight(to_tsvector(search_config, body), 'B')
                    ) STORED,
    author_id       uuid,
    updated_by      uuid,
    published_at    timestamptz,
    version         bigint NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id),
    UNIQUE (org_id, slug),
    FOREIGN KEY (org_id, category_id) REFERENCES kb_categories (org_id, id),
    FOREIGN KEY (org_id, author_id) REFERENCES users (org_id, id),
    FOREIGN KEY (org_id, updated_by) REFERENCES users (org_id, id)
);
CREATE INDEX kb_articles_search ON kb_articles USING gin (search);
CREATE INDEX kb_articles_org_status ON kb_articles (org_id, status, updated_at DESC);
CREATE INDEX kb_articles_tags ON kb_articles USING gin (tags);

-- Every saved state of an article's content (the current one included), numbered by the
-- article's version: editing a published article never loses what readers saw before.
CREATE TABLE kb_article_versions (
    org_id       uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    article_id   uuid NOT NULL,
    version      bigint NOT NULL,
    title        text NOT NULL,
    slug         text NOT NULL,
    body         text NOT NULL,
    status       text NOT NULL,
    category_id  uuid,
    tags         text[] NOT NULL,
    locale       text,
    editor_id    uuid,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, article_id, version),
    FOREIGN KEY (org_id, article_id) REFERENCES kb_articles (org_id, id) ON DELETE CASCADE
);

-- Helpful / not helpful: one vote per voter (`u:<user id>` or `s:<anonymous session>`) and
-- article; voting again replaces the vote.
CREATE TABLE kb_feedback (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id       uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    article_id   uuid NOT NULL,
    voter        text NOT NULL CHECK (length(voter) BETWEEN 3 AND 100),
    user_id      uuid,
    helpful      boolean NOT NULL,
    comment      text CHECK (length(comment) <= 2000),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id),
    UNIQUE (org_id, article_id, voter),
    FOREIGN KEY (org_id, article_id) REFERENCES kb_articles (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE
);

-- A customer read a suggested article while writing a ticket and then did not submit it.
CREATE TABLE kb_deflections (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id       uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    article_id   uuid NOT NULL,
    user_id      uuid NOT NULL,
    customer_id  uuid,
    query        text NOT NULL DEFAULT '' CHECK (length(query) <= 500),
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, article_id) REFERENCES kb_articles (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, customer_id) REFERENCES customers (org_id, id) ON DELETE CASCADE
);
CREATE INDEX kb_deflections_org_created ON kb_deflections (org_id, created_at);

-- Satisfaction: one answer per ticket, given once the ticket is resolved.
CREATE TABLE ticket_surveys (
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
CREATE INDEX ticket_surveys_org_created ON ticket_surveys (org_id, created_at);

-- Tokenised survey links for e-mails: only the SHA-256 of the token is stored.
CREATE TABLE ticket_survey_links (
    token_hash   bytea PRIMARY KEY,
    org_id       uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    ticket_id    uuid NOT NULL,
    expires_at   timestamptz NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (org_id, ticket_id) REFERENCES tickets (org_id, id) ON DELETE CASCADE
);
