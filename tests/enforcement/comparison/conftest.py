"""Fixtures of the comparison engine's tests. The engine's tests build their worlds with
`comparison_world.World` (a builder, imported by name because it is a helper class, not a
fixture)."""

# A private redis-server and real `celery worker` / `beat` subprocesses (test_comparison_fanout).
from tests.core.test_faults import redis as redis  # noqa: E402
from tests.core.test_faults import stack as stack  # noqa: E402
