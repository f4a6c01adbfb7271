import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from tests.faults.network import closed_port


@pytest.fixture
def live_demo(django_db_serialized_rollback, live_server):
    """The demo data behind a live server (real HTTP, its own threads and connections)."""
    call_command("loaddata", "demo", verbosity=0)
    yield live_server
    # The live server's keep-alive threads hold their database sessions until the process
    # ends; end them so the test database can be dropped.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


class Server:
    """A gunicorn server run as production runs it (debug off), its log kept in a file."""

    def __init__(self, env: dict[str, str], log_path: Path):
        self.port = closed_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        ours = ("DJANGO_", "DATABASE_", "REDIS_", "FACTCHECK_")
        clean = {key: value for key, value in os.environ.items() if not key.startswith(ours)}
        self._log = log_path.open("wb")
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "factcheck.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
                "--timeout",
                "30",
            ],
            cwd=settings.BASE_DIR,
            env={
                **clean,
                "DJANGO_SECRET_KEY": "live-server-test-only",
                "DJANGO_DEBUG": "0",
                "DJANGO_HTTPS": "0",
                "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
                **env,
            },
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log_path.read_text()
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise AssertionError("gunicorn did not start:\n" + self.log_path.read_text())

    def get(self, path: str):
        """(status, headers, body) of a GET, whatever the status."""
        try:
            with urllib.request.urlopen(self.url + path, timeout=20) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def log_lines(self) -> list[dict]:
        lines = []
        for line in self.log_path.read_text().splitlines():
            if line.startswith("{"):
                lines.append(json.loads(line))
        return lines

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)
        self._log.close()
