//! Why a job stayed unassigned: checked per job against each technician alone.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::solution::UnassignedReason;

use super::instance::Instance;
use super::recreate::{best_insertion, Open};
use super::schedule;
use super::state::State;

/// The reason job `j` is not in `state`.
pub(crate) fn reason(inst: &Instance, state: &State, j: usize) -> UnassignedReason {
    let techs = &inst.problem.technicians;
    let job = &inst.problem.jobs[j];
    if !techs.iter().any(|t| t.skills.covers(&job.skills)) {
        let missing = techs
            .iter()
            .map(|t| t.skills.missing(&job.skills))
            .min_by_key(|m| m.indices().len())
            .unwrap_or(job.skills)
            .indices();
        return UnassignedReason::Skills { missing };
    }
    let candidates: Vec<usize> = match job.pinned_to {
        Some(p) => vec![p],
        None => (0..inst.n_techs).collect(),
    };
    if let Some(p) = job.pinned_to {
        let alone = techs[p].skills.covers(&job.skills)
            && inst.capacity_ok(p, j)
            && schedule::evaluate(inst, p, [j].into_iter()).is_some();
        if !alone {
            return UnassignedReason::Pinned { technician: p };
        }
    }
    let skilled: Vec<usize> = candidates
        .into_iter()
        .filter(|&t| techs[t].skills.covers(&job.skills))
        .collect();
    let sized: Vec<usize> = skilled
        .into_iter()
        .filter(|&t| inst.capacity_ok(t, j))
        .collect();
    if sized.is_empty() {
        return UnassignedReason::Capacity;
    }
    let reachable = sized
        .iter()
        .any(|&t| schedule::evaluate(inst, t, [j].into_iter()).is_some());
    if !reachable {
        return UnassignedReason::TimeWindow;
    }
    if job.unassigned_cost.is_some() {
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        let open = if inst.problem.objective.minimize_technicians {
            Open::WhenNeeded
        } else {
            Open::Freely
        };
        if best_insertion(inst, state, j, &mut rng, 0.0, open).is_some() {
            return UnassignedReason::NotWorthIt;
        }
    }
    UnassignedReason::NoRoom
}
