import pytest
from django.core.cache import cache
from django.core.management import call_command

from tests.api.helpers import rolled_back_at_the_end


@pytest.fixture(autouse=True)
def fresh_throttle_counts():
    # AnonRateThrottle counts requests in the cache, which outlives a test: without this,
    # the anonymous requests of earlier tests would throttle later ones.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="module")
def _demo_loaded(django_db_setup, django_db_blocker):
    # Loading the demo takes longer than most API tests: load it once per module.
    with rolled_back_at_the_end(django_db_blocker):
        call_command("loaddata", "demo", verbosity=0)
        yield


@pytest.fixture
def demo_data(_demo_loaded, db):
    """The demo fixture built from the two seed articles (shared by the tests of a module)."""
