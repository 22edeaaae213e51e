-- Proposed schedules from POST /api/v1/schedule/optimize: what the solver proposes (a diff
-- against the current assignments) and the record versions it was computed from, so that a
-- commit can refuse (409) when the records changed meanwhile.

CREATE TABLE schedule_plans (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id       uuid NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    created_by   uuid,
    status       text NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'committed', 'discarded')),
    range_start  timestamptz NOT NULL,
    range_end    timestamptz NOT NULL,
    -- {"assignments": [...], "unassigned": [...], "kept": [...], "summary": {...}}
    proposal     jsonb NOT NULL,
    -- {"work_orders": {id: version}, "assignments": {id: version}, "technicians": {id: version}}
    basis        jsonb NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    decided_at   timestamptz,
    UNIQUE (org_id, id)
);
CREATE INDEX schedule_plans_org_created ON schedule_plans (org_id, created_at);
