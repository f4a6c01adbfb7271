import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command

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
        assert authenticate(username=name, password=name) is not None


def test_demo_accounts_refuse_to_run_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG"):
        call_command("demo_accounts")
    assert not get_user_model().objects.exists()
