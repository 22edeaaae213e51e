#!/usr/bin/env bash
# Runs the whole test suite: formatting, lints, then every crate's tests (one release profile).
# The service tests need PostgreSQL: scripts/pg.sh provides DATABASE_URL (the environment's, a
# server on 127.0.0.1:5432, or a private cluster under .fieldpath/pg that is stopped afterwards).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt --all -- --check
cargo clippy --release --workspace --all-targets -- -D warnings
# shellcheck source=scripts/pg.sh
. scripts/pg.sh
fieldpath_pg_start
trap fieldpath_pg_stop EXIT
cargo test --release --workspace
./scripts/e2e.sh
