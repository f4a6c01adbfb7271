import pytest
from django.core.management import call_command
from django.db import connection


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
