"""The nightly comparison (比对): current snapshots in, inspection tasks out.

- `parameters` — the thresholds of comparison.md (defaults here, edits in RuleParameter) and A.
- `sql`        — the few dialect differences between PostgreSQL and SQLite (the demo).
- `facts`      — set-based building blocks: employer and person facts, required employers,
                 persons eligible for 代缴; reused by `assessment`.
- `rules`      — the eleven task kinds, each one INSERT … SELECT into the run's candidates.
- `guards`     — which rules may run on the snapshots at hand, and why not.
- `engine`     — a run: lock, evaluate, write the tasks in one transaction, summarise.
"""
