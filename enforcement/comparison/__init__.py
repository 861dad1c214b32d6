"""The nightly comparison (比对): current snapshots in, inspection tasks out.

- `parameters` — the thresholds of comparison.md, each declared once (default, label,
                 bounds); edits in RuleParameter with their history; A.
- `facts`      — set-based building blocks: employer and person facts, required employers,
                 persons eligible for 代缴; reused by `assessment`.
- `rules`      — one SELECT per task kind; `enforcement.kinds` says which rule is whose.
- `guards`     — which rules may run on the snapshots at hand (`KindSpec.needs`), and why not.
- `engine`     — a run: lock, evaluate, write the tasks in one transaction, summarise.
- `services`   — writes for the portal and the API: request a run, edit a threshold or A.

Raw SQL here takes named parameters (`%(as_of)s` and a dict) and table names from
`wuhai_coverage.core.sql.t`; the PostgreSQL/SQLite differences live in that module too.
"""
