"""factcheck.large_lists: the claim and verdict lists' rows, links and checkboxes."""

import re
from html import unescape
from urllib.parse import urlencode

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
def test_a_filtered_lists_row_links_are_djangos_own(client, reviewer, demo_data, model):
    """Each row's link keeps the list's filters exactly as Django's add_preserved_filters writes them."""
    from django.contrib.admin.templatetags.admin_urls import add_preserved_filters

    client.force_login(reviewer)
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    query = "status=published&o=1" if model is Claim else "status__exact=published&o=1"
    html = client.get(f"{changelist}?{query}").content.decode()
    links = re.findall(r'<th class="field-[a-z_]+"><a href="([^"]+)"', html)
    shown = [int(key) for key in re.findall(r'name="_selected_action" value="(\d+)"', html)]
    assert len(links) == len(shown) >= 2
    context = {"preserved_filters": urlencode({"_changelist_filters": query}), "opts": opts}
    for key, link in zip(shown, links, strict=True):
        change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[key])
        assert unescape(link) == add_preserved_filters(context, change)
        assert "status" in unescape(link)


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
    read = [sql for sql in statements if not sql.startswith("EXPLAIN ")]  # a plan reads no rows
    assert len(read) == 1  # the count's, not the page's


@pytest.mark.parametrize("in_order", [True, False])
@pytest.mark.parametrize("cap", [4, 5, 1000])
def test_pages_are_the_same_whichever_way_the_count_read_the_keys(
    client, reviewer, demo_data, monkeypatch, in_order, cap
):
    """Counted in display order (few matching rows) or not, capped or not, each page shows
    the rows the filters give in display order (a capped count's last page stops at the cap)."""
    from factcheck.paginators import LargeTablePaginator

    monkeypatch.setattr(LargeTablePaginator, "_few_expected", lambda self, queryset: in_order)
    monkeypatch.setattr(LargeTablePaginator, "count_cap", cap)
    monkeypatch.setattr(admin.site.get_model_admin(Claim), "list_per_page", 3)
    never = Claim.objects.filter(verdicts__isnull=True).order_by("-created_at", "-id")
    expected = list(never.values_list("pk", flat=True))
    assert len(expected) > 6
    client.force_login(reviewer)
    for page in (1, 2):
        response = client.get(reverse("admin:claims_claim_changelist") + f"?has_verdict=no&p={page}")
        cl = response.context["cl"]
        assert [claim.pk for claim in cl.result_list] == expected[(page - 1) * 3 : min(page * 3, cap)]
        assert cl.paginator.count_is_capped == (cap < len(expected))
        assert (cl.paginator.keys_in_order is not None) == in_order


def test_postgresql_counts_few_rows_in_display_order(client, reviewer, demo_data, monkeypatch):
    """The planner's estimate picks the way: a small table's filter is counted in display
    order on PostgreSQL (one statement for count and page), never elsewhere."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(reviewer)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("admin:claims_claim_changelist") + "?status=published")
    paginator = response.context["cl"].paginator
    counted = [q["sql"] for q in ctx.captured_queries if q["sql"].endswith("LIMIT 1001")]
    assert len(counted) == 1
    if connection.vendor == "postgresql":
        assert paginator.keys_in_order is not None and " ORDER BY " in counted[0]
    else:
        assert paginator.keys_in_order is None and " ORDER BY " not in counted[0]
