#!/usr/bin/env bash
# Runs the whole test suite: formatting, lints, then every crate's tests (one release profile).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt --all -- --check
cargo clippy --release --workspace --all-targets -- -D warnings
cargo test --release --workspace
