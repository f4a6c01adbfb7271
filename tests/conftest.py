import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command

from claims.models import Rating

# Overlapping transactions on concurrent connections (see tests/concurrency/conftest.py):
# the SQLite test database is in memory with a shared cache, where a second connection
# fails at once with "database table is locked" instead of waiting for the first.
POSTGRESQL_CONCURRENCY = "postgresql_concurrency"


def pytest_configure(config):
    from django.conf import settings

    config.addinivalue_line(
        "markers",
        f"{POSTGRESQL_CONCURRENCY}: overlapping transactions on real concurrent connections; "
        "collected on PostgreSQL only",
    )

    # The live server (browser tests) answers in its own thread; with persistent
    # connections it would keep one open and the test database could not be dropped.
    settings.DATABASES["default"]["CONN_MAX_AGE"] = 0
    # A second database on the same server stands in for a read replica
    # (tests/test_replicas.py); it is created and migrated like the default one.
    default = settings.DATABASES["default"]
    replica = {**default, "TEST": dict(default.get("TEST") or {})}
    if default["ENGINE"] != "django.db.backends.sqlite3":
        replica["TEST"]["NAME"] = f"test_{default['NAME']}_replica"
    settings.DATABASES.setdefault("replica", replica)
    # Django has read DATABASES already: give the new aliases its defaults too.
    from django.db import connections

    connections.configure_settings(settings.DATABASES)
    # Most tests are about other rules and submit bare verdicts, some from fixtures wider
    # than one test; the evidence rule (FACTCHECK_SUBMIT_MIN_EVIDENCE, 1 by default) is
    # tested where a test sets it back with the settings fixture.
    settings.FACTCHECK_SUBMIT_MIN_EVIDENCE = 0
    # No listening connection left open on the test database (it could not be dropped);
    # tests/api/test_revalidation.py starts and stops one where it is tested.
    settings.FACTCHECK_PUBLIC_VERSION_LISTEN = False


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        return
    deselected = [item for item in items if item.get_closest_marker(POSTGRESQL_CONCURRENCY)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker(POSTGRESQL_CONCURRENCY)]


def pytest_report_header(config):
    from django.conf import settings

    database = settings.DATABASES["default"]
    return f"database: {database['ENGINE'].rsplit('.', 1)[-1]} {database.get('HOST') or ''}".rstrip()


@pytest.fixture(autouse=True)
def fresh_matching_index(settings):
    """Each test matches against its own database: no index left from another, synced on every search."""
    from claims.matching.index import reset_indexes

    settings.MATCHING = {"SYNC_INTERVAL": 0}
    reset_indexes()
    yield
    reset_indexes()


@pytest.fixture
def demo_data(db):
    """The demo fixture built from the two seed articles."""
    call_command("loaddata", "demo", verbosity=0)


@pytest.fixture
def rating(db):
    """A rating on the true-to-false axis from the default scale."""
    return Rating.objects.get(slug="false")


def _member(username: str, group: str | None, **fields):
    user = get_user_model().objects.create_user(username=username, password=username, is_staff=True, **fields)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def reviewer(db):
    return _member("rita", "Reviewer")


@pytest.fixture
def other_reviewer(db):
    return _member("ravi", "Reviewer")


@pytest.fixture
def editor(db):
    return _member("edna", "Editor")


@pytest.fixture
def other_editor(db):
    return _member("eli", "Editor")


@pytest.fixture
def superuser(db):
    return _member("sam", None, is_superuser=True)


@pytest.fixture
def outsider(db):
    """Staff without a desk role: can log in to the admin, can do nothing in it."""
    return _member("olga", None)


@pytest.fixture(autouse=True)
def fresh_response_cache():
    """Each test's database starts over (its version with it): no response kept from another's."""
    from factcheck.api.response_cache import responses

    responses.clear()


@pytest.fixture(autouse=True)
def fresh_throttle_leases():
    """Allowances a test's requests were lent stay with that test (they outlive its cache)."""
    from factcheck.api.throttling import leases

    leases.clear()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Deliberately slow hashing is for production; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def local_cache(settings):
    # Tests clear the cache (throttle counts); never let that reach a shared Redis.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
