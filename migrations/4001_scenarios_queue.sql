-- Planning scenarios run in the background: a Postgres-backed job queue shared by any number of
-- `fieldpath worker` processes. Workers claim with SELECT ... FOR UPDATE SKIP LOCKED and hold a
-- lease they renew (heartbeat); a job whose lease expired (crashed worker) is claimed again.
-- Every run belongs to an organisation.

CREATE TABLE scenario_runs (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id            uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    name              text NOT NULL DEFAULT '',
    -- The scenario file (JSON) and run options ({"seconds": .., "seed": ..}).
    scenario          jsonb NOT NULL,
    options           jsonb NOT NULL DEFAULT '{}'::jsonb,
    status            text NOT NULL DEFAULT 'queued'
                      CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    attempts          integer NOT NULL DEFAULT 0,
    max_attempts      integer NOT NULL DEFAULT 3,
    worker_id         text,
    lease_until       timestamptz,
    heartbeat_at      timestamptz,
    progress          double precision NOT NULL DEFAULT 0,
    progress_note     text NOT NULL DEFAULT '',
    cancel_requested  boolean NOT NULL DEFAULT false,
    result            jsonb,
    error             text,
    created_by        uuid,
    created_at        timestamptz NOT NULL DEFAULT now(),
    started_at        timestamptz,
    finished_at       timestamptz,
    updated_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id)
);

-- What workers look at: runs waiting, and running ones whose lease may have expired.
CREATE INDEX scenario_runs_claimable ON scenario_runs (created_at)
    WHERE status IN ('queued', 'running');
CREATE INDEX scenario_runs_org_created ON scenario_runs (org_id, created_at DESC);
