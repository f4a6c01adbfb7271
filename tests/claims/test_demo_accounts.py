import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client

pytestmark = pytest.mark.django_db


def test_demo_accounts_have_their_roles_and_can_log_in(settings):
    settings.DEBUG = True
    call_command("demo_accounts", verbosity=0)
    call_command("demo_accounts", verbosity=0)  # idempotent
    User = get_user_model()
    assert User.objects.count() == 3
    assert list(User.objects.get(username="reviewer").groups.values_list("name", flat=True)) == ["Reviewer"]
    assert list(User.objects.get(username="editor").groups.values_list("name", flat=True)) == ["Editor"]
    assert User.objects.get(username="admin").is_superuser
    for name in ("reviewer", "editor", "admin"):
        client = Client()
        response = client.post("/admin/login/?next=/admin/", {"username": name, "password": name})
        assert response.status_code == 302, name
        assert response["Location"] == "/admin/"
        assert client.get("/admin/").context["user"].username == name


def test_demo_accounts_refuse_to_run_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG"):
        call_command("demo_accounts")
    assert not get_user_model().objects.exists()
