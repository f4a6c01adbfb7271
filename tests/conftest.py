import pytest
from django.core.management import call_command

from claims.models import Rating


@pytest.fixture
def demo_data(db):
    """The demo fixture built from the two seed articles."""
    call_command("loaddata", "demo", verbosity=0)


@pytest.fixture
def rating(db):
    """A rating on the true-to-false axis from the default scale."""
    return Rating.objects.get(slug="false")


def pytest_report_header(config):
    from django.conf import settings

    database = settings.DATABASES["default"]
    return f"database: {database['ENGINE'].rsplit('.', 1)[-1]} {database.get('HOST') or ''}".rstrip()
