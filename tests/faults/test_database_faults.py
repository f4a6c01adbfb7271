"""The database goes away and comes back: 503 with Retry-After meanwhile, then 200, no restart.

A gunicorn server (debug off) reads the database through a TCP proxy (PostgreSQL) or from
a file in a folder that disappears (SQLite); its log is read back to check that every
5xx left one JSON line with the request id the response carried.
"""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

from tests.faults.conftest import Server
from tests.faults.network import TcpProxy

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PATHS = {"/api/v1/claims/": "application/json", "/": "text/"}


class PostgresOutage:
    def __init__(self, tmp_path):
        db = connection.settings_dict
        self.proxy = TcpProxy(int(db["PORT"] or 5432), db["HOST"] or "127.0.0.1")
        user = db["USER"] or "postgres"
        self.env = {
            "DATABASE_URL": f"postgresql://{user}@127.0.0.1:{self.proxy.port}/{db['NAME']}",
            "DATABASE_CONN_MAX_AGE": "60",  # production's persistent connections must recover too
        }

    def cut(self):
        self.proxy.cut()

    def restore(self):
        self.proxy.restore()

    def close(self):
        self.proxy.cut()


class SqliteOutage:
    """The database file's folder goes away (an unmounted volume) and comes back."""

    def __init__(self, tmp_path):
        self.folder = tmp_path / "data"
        self.folder.mkdir()
        url = f"sqlite:///{self.folder / 'db.sqlite3'}"
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_",))}
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--no-input", "-v0"],
            cwd=settings.BASE_DIR,
            env={**clean, "DATABASE_URL": url},
            check=True,
        )
        self.env = {"DATABASE_URL": url, "DATABASE_CONN_MAX_AGE": "0"}

    def cut(self):
        self.folder.rename(self.folder.with_name("away"))

    def restore(self):
        self.folder.with_name("away").rename(self.folder)

    def close(self):
        pass


@pytest.fixture
def outage(tmp_path):
    kind = PostgresOutage if connection.vendor == "postgresql" else SqliteOutage
    fault = kind(tmp_path)
    yield fault
    fault.close()


def test_database_down_is_a_503_with_retry_after_then_recovers(outage, tmp_path):
    server = Server(outage.env, tmp_path / "server.log")
    try:
        for path in PATHS:
            status, _, _ = server.get(path)
            assert status == 200, (path, server.log_path.read_text()[-3000:])

        outage.cut()
        request_ids = []
        for path, content_type in PATHS.items():
            status, headers, body = server.get(path)
            assert status == 503, (path, body[:500])
            assert int(headers["Retry-After"]) > 0
            assert headers["Content-Type"].startswith(content_type)
            assert b"Traceback" not in body
            request_ids.append(headers["X-Request-ID"])
        assert b'"detail"' in server.get("/api/v1/claims/")[2]

        outage.restore()
        for path in PATHS:
            status, _, body = server.get(path)
            assert status == 200, (path, body[:500])
        assert server.process.poll() is None, "the server kept running"
    finally:
        server.stop()

    errors = [line for line in server.log_lines() if line["level"] == "ERROR" and line.get("status_code") == 503]
    logged = {line["request_id"] for line in errors}
    assert set(request_ids) <= logged, "each 503 left a JSON line with its request id"
    for line in errors:
        assert line["path"] in PATHS
        assert "user_id" in line
        assert "exception" in line
