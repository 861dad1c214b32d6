"""Reading the environment for settings: every value has a safe default, and a malformed
value stops start-up with a message that names the variable (portal.md → Configuration)."""

from __future__ import annotations

import ipaddress
import os
from urllib.parse import urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no, on/off)")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} must be at least {minimum}")
    return value


def env_rate(name: str, default: str) -> str:
    """A DRF throttle rate, N/second|minute|hour|day (e.g. 60/min)."""
    raw = (os.environ.get(name) or "").strip() or default
    count, _, period = raw.partition("/")
    if not count.isdigit() or int(count) < 1 or not period or period[0] not in "smhd":
        raise ImproperlyConfigured(f"{name} must look like 60/min (N per sec, min, hour or day), not {raw!r}")
    return raw


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_networks(name: str) -> list[str]:
    """A comma-separated list of IP addresses or networks (10.0.0.5, 172.30.0.0/24, ::1);
    empty when unset. A malformed entry stops start-up."""
    out = []
    for item in env_list(name, []):
        try:
            out.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise ImproperlyConfigured(f"{name}: {item!r} is not an IP address or network") from None
    return out


def database_config(default_sqlite_path: str) -> dj_database_url.DBConfig:
    raw = os.environ.get("DATABASE_URL", "").strip()
    if not raw:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": default_sqlite_path,
            "OPTIONS": {"timeout": 30},
        }
    scheme = urlparse(raw).scheme
    if scheme not in {"postgres", "postgresql", "pgsql", "sqlite"}:
        raise ImproperlyConfigured(
            f"DATABASE_URL={raw!r} is not usable: the scheme must be postgres:// or sqlite:// (got {scheme!r})"
        )
    try:
        # Persistent connections, checked before reuse: a PostgreSQL restart costs a
        # request nothing (the dead connection is replaced before the first query).
        config = dj_database_url.parse(raw, conn_max_age=60, conn_health_checks=True)
    except Exception as exc:  # dj-database-url raises several kinds for a malformed URL
        raise ImproperlyConfigured(f"DATABASE_URL={raw!r} is malformed: {exc}") from None
    if config["ENGINE"].endswith("postgresql") and not config.get("NAME"):
        raise ImproperlyConfigured(f"DATABASE_URL={raw!r} names no database (…/DBNAME)")
    return config


def broker_url() -> str | None:
    raw = os.environ.get("CELERY_BROKER_URL", "").strip()
    if not raw:
        return None
    parsed = urlparse(raw)
    if parsed.scheme not in {"redis", "rediss", "amqp", "memory"} or (
        parsed.scheme != "memory" and not parsed.hostname
    ):
        raise ImproperlyConfigured(f"CELERY_BROKER_URL={raw!r} is malformed: expected redis://HOST:PORT/DB")
    try:
        parsed.port  # noqa: B018 — raises ValueError for a port that is not a number
    except ValueError:
        raise ImproperlyConfigured(f"CELERY_BROKER_URL={raw!r} has an invalid port") from None
    return raw


def cache_config(default_dir: str) -> dict:
    """The default cache, shared by every process of the portal (gunicorn workers, Celery
    workers, beat): a FileBasedCache under `default_dir` with nothing set (the embedded
    default, one host), Redis when CACHE_URL=redis://HOST:PORT/DB is set."""
    raw = os.environ.get("CACHE_URL", "").strip()
    if not raw:
        return {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": default_dir,
            "TIMEOUT": 300,
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        }
    parsed = urlparse(raw)
    if parsed.scheme not in {"redis", "rediss"} or not parsed.hostname:
        raise ImproperlyConfigured(f"CACHE_URL={raw!r} is malformed: expected redis://HOST:PORT/DB")
    try:
        parsed.port  # noqa: B018 — raises ValueError for a port that is not a number
    except ValueError:
        raise ImproperlyConfigured(f"CACHE_URL={raw!r} has an invalid port") from None
    db = parsed.path.strip("/")
    if db and not db.isdigit():
        raise ImproperlyConfigured(f"CACHE_URL={raw!r} names no Redis database number (…/DB, e.g. /1)")
    return {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": raw,
        "KEY_PREFIX": "wuhai",
        "TIMEOUT": 300,
    }
