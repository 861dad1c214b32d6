"""Configuration: the embedded default, switching by environment, and loud failure."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from wuhai_coverage import config

ROOT = Path(__file__).resolve().parents[2]


def _settings_in_subprocess(env: dict) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DATABASE_URL",
            "CELERY_BROKER_URL",
            "DJANGO_DEBUG",
            "DJANGO_SECRET_KEY",
            "ROSTER_MAX_BYTES",
            "CACHE_URL",
        }
    }
    clean.update(env)
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='wuhai_coverage.settings'; "
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL, s.DEBUG)"
    )
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True)


def test_nothing_set_means_sqlite_and_in_process_tasks(tmp_path):
    out = _settings_in_subprocess({"WUHAI_VAR_DIR": str(tmp_path)})
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["django.db.backends.sqlite3", "True", "None", "True"]


def test_urls_switch_to_postgresql_and_redis(tmp_path):
    out = _settings_in_subprocess(
        {
            "WUHAI_VAR_DIR": str(tmp_path),
            "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/x",
            "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
            "DJANGO_SECRET_KEY": "k" * 50,
        }
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [
        "django.db.backends.postgresql",
        "False",
        "redis://127.0.0.1:6379/0",
        "False",
    ]


@pytest.mark.parametrize(
    "env, named",
    [
        ({"DATABASE_URL": "mysql//nonsense"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgres://u@127.0.0.1:5432"}, "DATABASE_URL"),
        ({"CELERY_BROKER_URL": "localhost:6379"}, "CELERY_BROKER_URL"),
        ({"CELERY_BROKER_URL": "redis://127.0.0.1:port/0"}, "CELERY_BROKER_URL"),
        ({"DJANGO_DEBUG": "maybe"}, "DJANGO_DEBUG"),
        ({"ROSTER_MAX_BYTES": "lots"}, "ROSTER_MAX_BYTES"),
        ({"ROSTER_MAX_BYTES": "0"}, "ROSTER_MAX_BYTES"),
        ({"CACHE_URL": "localhost:6379"}, "CACHE_URL"),
        ({"CACHE_URL": "memcached://127.0.0.1:11211"}, "CACHE_URL"),
        ({"CACHE_URL": "redis://127.0.0.1:port/1"}, "CACHE_URL"),
        ({"CACHE_URL": "redis://127.0.0.1:6379/one"}, "CACHE_URL"),
        ({"DATABASE_URL": "postgres://u:p@127.0.0.1:5432/x", "DJANGO_DEBUG": "0"}, "DJANGO_SECRET_KEY"),
    ],
)
def test_malformed_value_stops_start_up_naming_it(tmp_path, env, named):
    out = _settings_in_subprocess({"WUHAI_VAR_DIR": str(tmp_path), **env})
    assert out.returncode != 0
    assert "ImproperlyConfigured" in out.stderr and named in out.stderr


def _cache_in_subprocess(env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"CACHE_URL", "DATABASE_URL", "DJANGO_DEBUG"}}
    clean.update(env)
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='wuhai_coverage.settings'; "
        "from django.conf import settings as s; c = s.CACHES['default']; print(c['BACKEND'], c['LOCATION'])"
    )
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True)


def test_given_no_cache_url_the_cache_is_a_file_cache_under_the_var_dir(tmp_path):
    out = _cache_in_subprocess({"WUHAI_VAR_DIR": str(tmp_path)})
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [
        "django.core.cache.backends.filebased.FileBasedCache",
        str(tmp_path / "cache"),
    ]


def test_given_a_redis_cache_url_the_cache_is_redis(tmp_path):
    out = _cache_in_subprocess({"WUHAI_VAR_DIR": str(tmp_path), "CACHE_URL": "redis://127.0.0.1:6379/1"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["django.core.cache.backends.redis.RedisCache", "redis://127.0.0.1:6379/1"]


def test_env_helpers(monkeypatch):
    monkeypatch.setenv("X_BOOL", "Yes")
    assert config.env_bool("X_BOOL", False) is True
    monkeypatch.setenv("X_INT", " 42 ")
    assert config.env_int("X_INT", 1) == 42
    monkeypatch.setenv("X_INT", "-1")
    with pytest.raises(ImproperlyConfigured, match="X_INT"):
        config.env_int("X_INT", 1)
    monkeypatch.setenv("X_LIST", "a.example, b.example,,")
    assert config.env_list("X_LIST", []) == ["a.example", "b.example"]


def test_check_deploy_has_no_errors_in_production_like_environment(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        {
            "WUHAI_VAR_DIR": str(tmp_path),
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "x9" * 30 + "-prod-like-key",
            "DJANGO_ALLOWED_HOSTS": "portal.wuhai.example",
            "DATABASE_URL": os.environ.get(
                "DATABASE_URL", "postgres://wuhai:wuhai@127.0.0.1:5432/wuhai_coverage"
            ),
            "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
        }
    )
    out = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "ERROR"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "ERRORS" not in out.stderr
