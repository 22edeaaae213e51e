-- Asynchronous optimisation jobs (POST /api/v1/optimize/jobs), kept so that a job can be read
-- after a restart and a job interrupted by one is reported as failed instead of vanishing.
-- The process running a job (`runner`) renews `heartbeat_at` every second; a queued or running
-- job whose heartbeat is older than the lease is failed with code `interrupted`.
CREATE TABLE optimize_jobs (
    org_id           uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    id               uuid NOT NULL,
    created_by       uuid,
    status           text NOT NULL DEFAULT 'queued'
                     CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
    -- The VROOM/native request as submitted.
    input            jsonb NOT NULL,
    -- {fraction, elapsed, iterations, best: totals of the best solution so far}.
    progress         jsonb NOT NULL DEFAULT '{"fraction": 0, "elapsed": 0, "iterations": 0, "best": null}'::jsonb,
    -- The VROOM answer once completed (the best solution found when cancelled mid-search).
    result           jsonb,
    -- {code, message, field} when failed.
    error            jsonb,
    cancel_requested boolean NOT NULL DEFAULT false,
    runner           uuid NOT NULL,
    heartbeat_at     timestamptz NOT NULL DEFAULT now(),
    created_at       timestamptz NOT NULL DEFAULT now(),
    started_at       timestamptz,
    finished_at      timestamptz,
    PRIMARY KEY (org_id, id)
);

-- The sweeper looks for open jobs with an expired heartbeat.
CREATE INDEX optimize_jobs_open ON optimize_jobs (heartbeat_at) WHERE status IN ('queued', 'running');
CREATE INDEX optimize_jobs_finished ON optimize_jobs (finished_at) WHERE finished_at IS NOT NULL;
