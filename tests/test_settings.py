"""Settings come from the environment and fail loudly when production would be unsafe."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from factcheck.settings import env_bool, env_list


def run_settings(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_URL"))}
    return subprocess.run(
        [sys.executable, "-c", "import factcheck.settings as s; print(s.DATABASES['default']['ENGINE'], s.DEBUG)"],
        env={**clean, **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )


def test_missing_secret_key_with_debug_off_is_a_clear_error():
    result = run_settings({"DJANGO_DEBUG": "0"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_debug_on_runs_without_a_secret_key():
    result = run_settings({"DJANGO_DEBUG": "1"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "True"]


def test_database_url_selects_postgresql():
    result = run_settings({"DJANGO_SECRET_KEY": "x", "DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/x"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.postgresql", "False"]


def test_env_bool(monkeypatch):
    monkeypatch.setenv("X_FLAG", "yes")
    assert env_bool("X_FLAG") is True
    monkeypatch.setenv("X_FLAG", "0")
    assert env_bool("X_FLAG", default=True) is False
    monkeypatch.setenv("X_FLAG", "perhaps")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env_bool("X_FLAG")


def test_env_list(monkeypatch):
    monkeypatch.setenv("X_HOSTS", " a.example , b.example,,")
    assert env_list("X_HOSTS") == ["a.example", "b.example"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("{not json", "FACTCHECK_RATING_ALIASES is not valid JSON"),
        ('["Engañoso"]', "FACTCHECK_RATING_ALIASES must be a JSON object"),
        ('{"Engañoso": 3}', "FACTCHECK_RATING_ALIASES must be a JSON object"),
    ],
)
def test_rating_aliases_that_do_not_parse_are_a_clear_error(value, message):
    result = run_settings({"DJANGO_DEBUG": "1", "FACTCHECK_RATING_ALIASES": value})
    assert result.returncode != 0
    assert message in result.stderr


def test_rating_aliases_come_from_the_environment():
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_URL"))}
    result = subprocess.run(
        [sys.executable, "-c", "import factcheck.settings as s; print(s.FACTCHECK_RATING_ALIASES['Engañoso'])"],
        env={**env, "DJANGO_DEBUG": "1", "FACTCHECK_RATING_ALIASES": '{"Engañoso": "mostly-false"}'},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout.strip() == "mostly-false", result.stderr


def test_prepared_statements_are_on_by_default_and_can_be_turned_off():
    base = {"DJANGO_SECRET_KEY": "x", "DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/x"}
    script = "import factcheck.settings as s; print(s.DATABASES['default']['OPTIONS']['prepare_threshold'])"
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_"))}

    def threshold(**env):
        return subprocess.run(
            [sys.executable, "-c", script],
            env={**clean, **base, **env},
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            check=False,
        )

    assert threshold().stdout.strip() == "5"
    assert threshold(DATABASE_PREPARE_THRESHOLD="off").stdout.strip() == "None"
    assert threshold(DATABASE_PREPARE_THRESHOLD="2").stdout.strip() == "2"
    refused = threshold(DATABASE_PREPARE_THRESHOLD="sometimes")
    assert refused.returncode != 0
    assert 'DATABASE_PREPARE_THRESHOLD must be a whole number or "off"' in refused.stderr
