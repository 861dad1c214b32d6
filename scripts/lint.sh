#!/usr/bin/env bash
# The static checks CI runs and pre-commit runs: ruff's lint, ruff's formatter (check
# only) and mypy with the Django and DRF plugins over the apps.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
