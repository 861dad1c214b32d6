"""Name search over tasks by character bigrams (the queue's `q` for names).

A caseworker types two or three Han characters (`煤业`, `王建国`); `subject_name ILIKE
'%煤业%'` reads every open task (tens of ms over 150k rows, every time), and pg_trgm's
trigram index cannot serve a two-character query. So the name's overlapping 2-character
grams are indexed instead: on PostgreSQL, `GRAMS_FUNCTION(subject_name)` — an IMMUTABLE
function created by migration 0007_portalperf_queue_search — has a GIN index over the open
tasks (`NAME_GRAMS_INDEX`). PostgreSQL maintains an expression index itself on every
write, so the comparison's set-based INSERT/UPDATE keep it current with no code of theirs.

A query of two characters or more asks for tasks whose name grams contain all of the
query's grams (`@>`, the index) and keeps the exact case-insensitive substring test as
the recheck (a name holding every gram need not hold them in a row). Both sides are upper-cased by the same SQL
function, as Django's `icontains` (UPPER … LIKE UPPER …) does, so the index never drops
a row `icontains` would keep. A one-character query, and SQLite (the demo), use the
plain `icontains`.

The planner needs to know how common a gram is (a common one, 煤业, is best served by
walking the queue's ordered index; a rare one by the GIN index and a sort): statistics
on the expression (`NAME_GRAMS_STATS`, made by the same migration) give it that, because
PostgreSQL ignores a partial index's own expression statistics. ANALYZE fills them; the
comparison takes one after writing its tasks."""

from __future__ import annotations

from django.db import connections
from django.db.models import BooleanField, F, Func, QuerySet, Value
from django.db.models.functions import StrIndex, Upper

GRAMS_FUNCTION = "wuhai_name_bigrams"
NAME_GRAMS_INDEX = "task_active_name_grams_idx"
NAME_GRAMS_STATS = "task_name_grams_stats"


class NameGramsContain(Func):
    """`GRAMS_FUNCTION(name) @> GRAMS_FUNCTION(text)`: every 2-character gram of `text`
    is one of the name's (PostgreSQL only; the right side is folded to a constant by the
    planner, the left side is the GIN index's expression)."""

    arity = 2
    output_field = BooleanField()
    # Two arguments joined into "f(name) @> f(text::text)".
    template = f"{GRAMS_FUNCTION}(%(expressions)s::text)"
    arg_joiner = f") @> {GRAMS_FUNCTION}("


def name_search(qs: QuerySet, text: str) -> QuerySet:
    """`qs` narrowed to rows whose subject_name contains `text`, case-insensitively; through
    the bigram index on PostgreSQL when `text` has two characters or more."""
    if len(text) < 2 or connections[qs.db].vendor != "postgresql":
        return qs.filter(subject_name__icontains=text)
    # The recheck (a name holding every gram need not hold them in a row), as STRPOS rather
    # than LIKE: the same rows (no wildcards to escape), but the planner's guess for
    # LIKE '%…%' is so small that it would sort every match of a common text instead of
    # walking the queue's ordered index. Kept for two characters too, where the grams alone
    # would do: where the partial index cannot serve (closed tasks asked for) the cheap
    # STRPOS is evaluated first and the gram function only on the rows it keeps.
    position = StrIndex(Upper("subject_name"), Upper(Value(text)))
    return (
        qs.alias(_name_at=position)
        .filter(_name_at__gt=0)
        .filter(NameGramsContain(F("subject_name"), Value(text)))
    )
