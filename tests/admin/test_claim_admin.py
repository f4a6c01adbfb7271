"""The claim screens: list, filters, search, queue, change page, grading, concurrent edits."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.http import urlencode

from claims.choices import CURRENT_VERDICT_STATUSES, VerdictStatus
from claims.models import Claim, Verdict
from factcheck.paginators import LargeTablePaginator
from tests.admin.helpers import change_form_data
from tests.factories import make_claim, make_verdict

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:claims_claim_changelist")


def listed_claims(response) -> set[str]:
    return {claim.text for claim in response.context["cl"].result_list}


@pytest.fixture
def reviewer_client(client, reviewer, demo_data):
    client.force_login(reviewer)
    return client


class TestChangelist:
    def test_shows_current_verdict_status_and_rating_with_colour(self, reviewer_client):
        response = reviewer_client.get(CHANGELIST)
        assert response.status_code == 200
        html = response.content.decode()
        assert "North Korea promised 100,000 volunteers" in html
        assert 'class="status-badge status-published"' in html
        assert 'class="rating-chip" style="background:#7b4fa8"></span> Disputed' in html
        assert "Igor Korotchenko (Russian talk show host)" in html

    @pytest.mark.parametrize(
        ("query", "expected_count", "must_include"),
        [
            ("status=published", 4, "North Korea promised 100,000 volunteers"),
            ("status=draft", 1, "North Korea has promised to send builders"),
            ("status=in_review", 1, "Iran is preparing to train Russian soldiers"),
            ("status=none", 12, "Russia will probably buy more North Korean arms"),
            ("status=retracted", 1, "Russia has faced technical difficulties with the drones"),
            ("rating=disputed", 1, "North Korea promised 100,000 volunteers"),
            ("has_verdict=no", 12, "Russia will probably buy more North Korean arms"),
            ("topic=drones", 4, "Iran will provide Russia with hundreds of drones"),
        ],
    )
    def test_filters(self, reviewer_client, query, expected_count, must_include):
        response = reviewer_client.get(f"{CHANGELIST}?{query}")
        claims = listed_claims(response)
        assert len(claims) == expected_count
        assert any(text.startswith(must_include) for text in claims)

    def test_every_combination_of_the_verdict_filters(self, reviewer_client):
        """Status, rating and "any verdict" together, against the claims' verdicts read one by one."""
        claims = Claim.objects.prefetch_related("verdicts__rating")

        def desk(claim):
            verdicts = list(claim.verdicts.all())
            current = next((v for v in verdicts if v.status in CURRENT_VERDICT_STATUSES), None)
            status = current.status if current else (VerdictStatus.RETRACTED if verdicts else "none")
            return status, current.rating.slug if current and current.rating else None, bool(verdicts)

        desks = {claim.text: desk(claim) for claim in claims}
        ratings = sorted({rating for _, rating, _ in desks.values() if rating})
        assert len(ratings) >= 2
        matched_some = 0
        for status in ["", "none", "draft", "in_review", "published", "retracted"]:
            for rating in ["", *ratings]:
                for has_verdict in ["", "yes", "no"]:
                    query = {"status": status, "rating": rating, "has_verdict": has_verdict}
                    expected = {
                        text
                        for text, (desk_status, desk_rating, any_verdict) in desks.items()
                        if (not status or desk_status == status)
                        and (not rating or desk_rating == rating)
                        and (not has_verdict or any_verdict == (has_verdict == "yes"))
                    }
                    url = f"{CHANGELIST}?{urlencode({k: v for k, v in query.items() if v})}"
                    assert listed_claims(reviewer_client.get(url)) == expected, query
                    matched_some += bool(expected)
        assert matched_some > 10

    def test_verdict_filters_that_cannot_hold_together_ask_no_query(self, reviewer_client):
        with CaptureQueriesContext(connection) as ctx:
            response = reviewer_client.get(f"{CHANGELIST}?status=draft&has_verdict=no&rating=false")
        assert response.status_code == 200
        assert listed_claims(response) == set()
        assert not [q for q in ctx.captured_queries if "claims_claim" in q["sql"]]
        assert "0 claims" in response.content.decode()

    def test_status_and_rating_are_one_subquery(self, reviewer_client):
        with CaptureQueriesContext(connection) as ctx:
            response = reviewer_client.get(f"{CHANGELIST}?status=published&rating=disputed")
        assert {claim.text[:20] for claim in response.context["cl"].result_list} == {"North Korea promised"}
        # The capped count is the only statement that filters (the page is picked among its keys).
        filtering = [q["sql"] for q in ctx.captured_queries if "EXISTS" in q["sql"] and "LIMIT 1001" in q["sql"]]
        assert len(filtering) == 1
        assert filtering[0].count("claims_verdict") == 1

    def test_filter_by_speaker_source_and_assigned_reviewer(self, client, reviewer, demo_data):
        client.force_login(reviewer)
        korotchenko = Claim.objects.get(text__contains="100,000").speaker_id
        response = client.get(f"{CHANGELIST}?speaker__pk__exact={korotchenko}")
        assert listed_claims(response) == {
            "North Korea promised 100,000 volunteers to fight in Russia's invasion of Ukraine."
        }

        second_article = Claim.objects.get(text__contains="100,000").appearances.get().source_id
        response = client.get(f"{CHANGELIST}?source={second_article}")
        assert (
            len(listed_claims(response))
            == Claim.objects.filter(appearances__source_id=second_article).distinct().count()
        )

        Claim.objects.filter(text__startswith="Russia will probably").update(assigned_to=reviewer)
        response = client.get(f"{CHANGELIST}?assigned=me")
        assert listed_claims(response) == {"Russia will probably buy more North Korean arms in the future."}

    @pytest.mark.parametrize(
        ("term", "expected_start"),
        [
            ("volunteers", "North Korea promised 100,000 volunteers"),  # claim text
            ("hegemonic", "The United States is to blame"),  # only in a quote
            ("Korotchenko", "North Korea promised 100,000 volunteers"),  # speaker name
        ],
    )
    def test_search_covers_text_quotes_and_speakers(self, reviewer_client, term, expected_start):
        claims = listed_claims(reviewer_client.get(f"{CHANGELIST}?q={term}"))
        assert any(text.startswith(expected_start) for text in claims), claims

    def test_query_count_does_not_grow_with_the_page(self, client, reviewer):
        client.force_login(reviewer)

        def queries_for(n):
            for i in range(n):
                make_verdict(make_claim(text=f"Claim number {i}."), VerdictStatus.PUBLISHED)
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(CHANGELIST).status_code == 200
            return len(ctx)

        few = queries_for(3)
        many = queries_for(30)
        assert few == many

    def test_claim_change_page_shows_appearances_and_verdicts(self, reviewer_client):
        claim = Claim.objects.get(text__contains="100,000")
        response = reviewer_client.get(reverse("admin:claims_claim_change", args=[claim.pk]))
        html = response.content.decode()
        assert "said on Russian state TV that North Korea had promised 100,000 “volunteers”" in html
        assert "Open the published verdict" in html
        assert "Russia&#x27;s own Foreign Ministry disputed" in html


class TestGrading:
    def test_grade_starts_one_draft_and_reopens_it(self, client, reviewer, demo_data):
        client.force_login(reviewer)
        claim = Claim.objects.get(text__startswith="Russia will probably")
        url = reverse("admin:claims_claim_grade", args=[claim.pk])
        looked = client.get(url)
        assert looked.url == reverse("admin:claims_claim_change", args=[claim.pk])
        assert not Verdict.objects.filter(claim=claim).exists()  # a GET writes nothing
        page = client.get(looked.url).content.decode()
        assert f'formaction="{url}" formmethod="post"' in page
        first = client.post(url)
        draft = Verdict.objects.get(claim=claim)
        assert first.url == reverse("admin:claims_verdict_change", args=[draft.pk])
        assert draft.status == VerdictStatus.DRAFT and draft.reviewer == reviewer
        second = client.post(url)
        assert second.url == first.url
        assert client.get(url).url == first.url
        assert Verdict.objects.filter(claim=claim).count() == 1

    def test_my_queue_lists_assigned_claims_and_own_drafts(self, client, reviewer, other_reviewer, demo_data):
        client.force_login(reviewer)
        assigned = Claim.objects.get(text__startswith="Russia will probably")
        assigned.assigned_to = reviewer
        assigned.save()
        someone_elses = Claim.objects.get(text__startswith="North Korea has fired")
        someone_elses.assigned_to = other_reviewer
        someone_elses.save()
        response = client.get(reverse("admin:claims_reviewqueue_changelist"))
        assert listed_claims(response) == {assigned.text}

    def test_outsider_cannot_open_claims(self, client, outsider, demo_data):
        client.force_login(outsider)
        assert client.get(CHANGELIST).status_code == 403


class TestConcurrentEdits:
    def test_second_save_of_a_stale_form_is_refused(
        self, client, reviewer, other_reviewer, demo_data, django_user_model
    ):
        from django.test import Client

        claim = Claim.objects.get(text__startswith="Russia will probably")
        url = reverse("admin:claims_claim_change", args=[claim.pk])
        first, second = Client(), Client()
        first.force_login(reviewer)
        second.force_login(other_reviewer)
        first_form = first.get(url)
        second_form = second.get(url)

        saved = first.post(
            url, change_form_data(first_form, text="Russia will buy more North Korean arms, an official said.")
        )
        assert saved.status_code == 302

        refused = second.post(url, change_form_data(second_form, text="A different rewording."))
        assert refused.status_code == 200
        errors = " ".join(refused.context["adminform"].form.non_field_errors())
        assert "was changed by rita" in errors
        assert "Your changes were not saved" in errors
        claim.refresh_from_db()
        assert claim.text == "Russia will buy more North Korean arms, an official said."
        assert claim.version == 2

    def test_a_fresh_form_saves_after_a_conflict(self, client, reviewer, demo_data):
        client.force_login(reviewer)
        claim = Claim.objects.get(text__startswith="Russia will probably")
        url = reverse("admin:claims_claim_change", args=[claim.pk])
        for text in ("Edit one.", "Edit two."):
            response = client.post(url, change_form_data(client.get(url), text=text))
            assert response.status_code == 302
        claim.refresh_from_db()
        assert (claim.text, claim.version) == ("Edit two.", 3)

    def test_appearance_quote_must_be_verbatim_in_the_admin(self, client, reviewer, demo_data):
        client.force_login(reviewer)
        claim = Claim.objects.get(text__startswith="Russia will probably")
        url = reverse("admin:claims_claim_change", args=[claim.pk])
        data = change_form_data(client.get(url), **{"appearances-0-quote": "Russia will certainly buy more arms"})
        response = client.post(url, data)
        assert response.status_code == 200
        assert "not found verbatim" in response.content.decode()
        assert claim.appearances.get().quote.startswith("a U.S. official stated")


class TestHistory:
    def test_history_page_shows_who_changed_what(self, client, reviewer, demo_data):
        client.force_login(reviewer)
        claim = Claim.objects.get(text__startswith="Russia will probably")
        url = reverse("admin:claims_claim_change", args=[claim.pk])
        client.post(url, change_form_data(client.get(url), text="Russia will buy more arms."))
        history = client.get(reverse("admin:claims_claim_history", args=[claim.pk]))
        html = history.content.decode()
        assert ">rita<" in html
        assert "Russia will probably buy more North Korean arms in the future." in html
        assert "Russia will buy more arms." in html


class TestLargeTablePaginator:
    def test_filtered_counts_stop_at_the_cap(self, client, reviewer, demo_data, monkeypatch):
        monkeypatch.setattr(LargeTablePaginator, "count_cap", 5)
        client.force_login(reviewer)
        response = client.get(f"{CHANGELIST}?status=none")
        assert response.context["cl"].result_count == 5
        assert "more than 5 claims" in response.content.decode()

    def test_a_capped_count_says_more_than_in_the_search_and_the_select_all_link(
        self, client, reviewer, demo_data, monkeypatch
    ):
        monkeypatch.setattr(LargeTablePaginator, "count_cap", 5)
        monkeypatch.setattr(admin.site.get_model_admin(Claim), "list_per_page", 2)
        client.force_login(reviewer)
        html = client.get(f"{CHANGELIST}?q=Russia").content.decode()
        assert "more than 5 results" in html
        assert "Select all claims that match (more than 5)" in html
        assert "All that match selected (more than 5)" in html
        assert "more than 5 claims" in html
        assert "Select all 5" not in html

    def test_an_exact_count_is_said_as_it_is(self, client, reviewer, demo_data, monkeypatch):
        monkeypatch.setattr(admin.site.get_model_admin(Claim), "list_per_page", 2)
        client.force_login(reviewer)
        html = client.get(f"{CHANGELIST}?status=published").content.decode()
        assert "4 claims" in html and "Select all 4 claims" in html
        assert "more than" not in html and "about 4" not in html

    def test_a_page_reads_its_keys_first_and_shows_each_rows_status(self, client, reviewer, demo_data, monkeypatch):
        monkeypatch.setattr(admin.site.get_model_admin(Claim), "list_per_page", 3)
        client.force_login(reviewer)
        pages = []
        for page in (1, 2):
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(f"{CHANGELIST}?status=published&p={page}")
            pages.append([claim.desk_status for claim in response.context["cl"].result_list])
            rows = [q["sql"] for q in ctx.captured_queries if "desk_status" in q["sql"]]
            # One statement: the display joins run for the page's keys only. On PostgreSQL a
            # list this small is counted in display order and page 2 is its slice of the keys.
            second = "LIMIT 1)" if connection.vendor == "postgresql" else "LIMIT 1 OFFSET 3)"
            assert len(rows) == 1 and " IN (SELECT " in rows[0] and ("LIMIT 3)" if page == 1 else second) in rows[0]
        assert pages == [["published"] * 3, ["published"]]

    def test_unfiltered_count_uses_the_planner_estimate_on_postgresql(self, client, reviewer, demo_data, monkeypatch):
        monkeypatch.setattr(LargeTablePaginator, "estimate_above", 0)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE claims_claim")
        client.force_login(reviewer)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(CHANGELIST)
        paginator = response.context["cl"].paginator
        counted = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
        if connection.vendor == "postgresql":
            assert paginator.count_is_estimate
            assert not counted
            assert "about 19 claims" in response.content.decode()
        else:
            assert not paginator.count_is_estimate
            assert paginator.count == 19


def test_an_appearance_edited_in_the_admin_is_a_new_version_of_the_claim(client, reviewer, demo_data):
    client.force_login(reviewer)
    claim = Claim.objects.get(text__startswith="Russia will probably")
    url = reverse("admin:claims_claim_change", args=[claim.pk])
    appearance = claim.appearances.get()
    data = change_form_data(client.get(url), **{"appearances-0-attributed_to": ""})
    assert client.post(url, data).status_code == 302
    claim.refresh_from_db()
    assert claim.version == 2
    record = appearance.history.latest("history_date")
    assert (record.attributed_to, record.history_user) == ("", reviewer)


def test_a_claims_history_reads_as_what_happened_to_it(client, reviewer, editor, other_editor, demo_data):
    import re

    from claims import services
    from claims.models import Rating

    claim = Claim.objects.get(text__startswith="Russia will probably")
    verdict = services.verdict_save(verdict=Verdict(claim=claim), actor=reviewer)
    verdict.rating, verdict.headline, verdict.explanation = Rating.objects.get(slug="true"), "True", "Checked."
    services.verdict_save(verdict=verdict, actor=reviewer)
    services.verdict_submit(verdict=verdict, actor=reviewer)
    services.verdict_publish(verdict=verdict, actor=editor)
    services.verdict_correct(
        verdict=verdict,
        actor=other_editor,
        public_note="Re-rated.",
        changes={"rating": Rating.objects.get(slug="false")},
    )
    client.force_login(reviewer)
    html = client.get(reverse("admin:claims_claim_history", args=[claim.pk])).content.decode()
    start = html.index('id="history-table"')
    table = html[start : html.index("</table>", start)]
    text = " ".join(re.sub(r"<[^>]+>", " ", table).split())
    for reason in ("Draft started", "Submitted for review", "Published", "Published as a correction"):
        assert f"<strong>{reason}</strong>" in table, reason
    assert "Draft → In review" in text
    assert "In review → Published" in text
    assert "True → False" in text  # a correction, against the version it corrects
    assert ">edna<" in table and ">eli<" in table and ">rita<" in table  # who, on the rows they made
    for leftover in ("pk=None", "None", "in_review", "Changed by"):
        assert leftover not in table, leftover
    assert not re.search(r"\d\d:\d\d:\d\d", table)  # to the minute
    rows = table.count("<tr>") - 1
    assert rows == table.count('class="history-who"') and "<dl></dl>" not in table
