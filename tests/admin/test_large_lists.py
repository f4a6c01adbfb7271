"""factcheck.large_lists: the claim and verdict lists' rows, links and checkboxes."""

import re

import pytest
from django.contrib import admin
from django.urls import reverse

from claims.models import Claim, Verdict

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [Claim, Verdict])
def test_each_row_links_to_its_own_change_page_keeping_the_filters(client, reviewer, demo_data, model):
    client.force_login(reviewer)
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    html = client.get(f"{changelist}?o=1").content.decode()
    links = re.findall(r'<th class="field-[a-z_]+"><a href="([^"]+)"', html)
    shown = [int(key) for key in re.findall(r'name="_selected_action" value="(\d+)"', html)]
    assert len(links) == len(shown) == model.objects.count()
    for key, link in zip(shown, links, strict=True):
        change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[key])
        assert link.startswith(f"{change}?_changelist_filters="), link


@pytest.mark.parametrize("model", [Claim, Verdict])
def test_the_row_checkbox_is_djangos_own(demo_data, model):
    model_admin = admin.site.get_model_admin(model)
    row = model.objects.select_related().first()
    row.pk = 12
    if model is Claim:
        row.text = 'A <b>"quoted"</b> & claim'
    assert model_admin.action_checkbox(row) == admin.ModelAdmin.action_checkbox(model_admin, row)


def test_a_list_under_the_cap_filters_the_table_once(client, reviewer, demo_data, monkeypatch):
    """The capped count reads the matching keys; the page is picked among them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(admin.site.get_model_admin(Claim), "list_per_page", 2)
    client.force_login(reviewer)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("admin:claims_claim_changelist") + "?topic=drones&p=2")
    listed = [claim.pk for claim in response.context["cl"].result_list]
    expected = list(
        Claim.objects.filter(topics__slug="drones").order_by("-created_at", "-id").values_list("pk", flat=True)
    )
    assert len(expected) == 4 and listed == expected[2:4]
    statements = [q["sql"] for q in ctx.captured_queries if "claims_claim_topics" in q["sql"]]
    assert len(statements) == 1  # the count's, not the page's
