"""The verdict screens: writing, submitting, the editor's transitions, bulk actions, corrections."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client
from django.urls import reverse

from claims import services
from claims.choices import VerdictStatus
from claims.models import Claim, Rating, Verdict
from tests.admin.helpers import change_form_data, formset_data

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:claims_verdict_changelist")


def change_url(verdict):
    return reverse("admin:claims_verdict_change", args=[verdict.pk])


def transition_url(verdict, name):
    return reverse("admin:claims_verdict_transition", args=[verdict.pk, name])


@pytest.fixture
def draft(reviewer, demo_data):
    claim = Claim.objects.get(text__startswith="Russia will probably")
    return services.verdict_save(verdict=Verdict(claim=claim), actor=reviewer)


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def grade(client, verdict, *, submit: bool):
    response = client.get(change_url(verdict))
    data = change_form_data(
        response,
        rating=str(Rating.objects.get(slug="unverifiable").pk),
        headline="A prediction from an unnamed official",
        explanation="The report quotes an unnamed U.S. official; nothing public confirms it.",
    )
    if submit:
        data["_submit"] = "Save and submit for review"
    return client.post(change_url(verdict), data)


class TestWriting:
    def test_draft_page_shows_the_claim_as_it_appeared(self, reviewer, draft):
        html = login(reviewer).get(change_url(draft)).content.decode()
        assert "a U.S. official stated that Russia will probably buy more North Korean arms in the future" in html
        assert "Russia Buying Millions of Artillery Shells, Rockets from North Korea" in html
        assert 'id="save-and-submit"' in html
        assert 'class="rating-chip" style="background:#6b7280"' in html  # the scale with its colours

    def test_save_and_submit(self, reviewer, draft):
        response = grade(login(reviewer), draft, submit=True)
        assert response.status_code == 302
        draft.refresh_from_db()
        assert draft.status == VerdictStatus.IN_REVIEW
        assert draft.rating.slug == "unverifiable"

    def test_a_failed_submit_stays_on_the_form_with_what_is_missing_marked(self, reviewer, draft, settings):
        settings.FACTCHECK_SUBMIT_MIN_EVIDENCE = 1
        client = login(reviewer)
        data = change_form_data(client.get(change_url(draft)), headline="Only a headline", _submit="1")
        response = client.post(change_url(draft), data)
        assert response.status_code == 200  # still on the form, with what was typed
        form = response.context["adminform"].form
        assert set(form.errors) == {"rating", "explanation"}
        assert "Needed before the verdict can be submitted: a rating." in form.errors["rating"]
        evidence = response.context["inline_admin_formsets"][0].formset
        assert "at least 1 piece of evidence" in " ".join(evidence.non_form_errors())
        html = response.content.decode()
        assert html.count('class="errornote"') == 1
        assert 'value="Only a headline"' in html
        assert not list(response.context["messages"])
        draft.refresh_from_db()
        assert (draft.status, draft.headline, draft.version) == (VerdictStatus.DRAFT, "", 1)

    def test_submitting_needs_evidence_in_the_services_too(self, reviewer, draft, settings):
        settings.FACTCHECK_SUBMIT_MIN_EVIDENCE = 1
        draft.rating = Rating.objects.get(slug="false")
        draft.headline, draft.explanation = "False", "It did not happen."
        services.verdict_save(verdict=draft, actor=reviewer)
        with pytest.raises(services.WorkflowError, match="without a piece of evidence"):
            services.verdict_submit(verdict=draft, actor=reviewer)

    def test_not_on_our_scale_is_for_imports_only(self, reviewer, draft):
        choices = login(reviewer).get(change_url(draft)).context["adminform"].form.fields["rating"].queryset
        assert "unmapped" not in {rating.slug for rating in choices}
        assert "false" in {rating.slug for rating in choices}

    def test_reviewer_cannot_edit_someone_elses_draft(self, other_reviewer, draft):
        client = login(other_reviewer)
        response = client.get(change_url(draft))
        assert 'name="headline"' not in response.content.decode()  # read-only view
        assert client.post(change_url(draft), {"headline": "Mine now"}).status_code == 403

    def test_second_verdict_for_a_claim_is_refused_in_the_add_form(self, other_reviewer, draft):
        client = login(other_reviewer)
        response = client.post(reverse("admin:claims_verdict_add"), {"claim": draft.claim_id, "headline": "Another"})
        assert response.status_code == 200
        assert "already has a verdict that is draft" in response.content.decode()
        assert Verdict.objects.filter(claim=draft.claim).count() == 1

    def test_concurrent_verdict_edits_keep_the_first(self, reviewer, editor, draft):
        author, copy_editor = login(reviewer), login(editor)
        author_form = author.get(change_url(draft))
        editor_form = copy_editor.get(change_url(draft))
        assert author.post(change_url(draft), change_form_data(author_form, headline="Author's")).status_code == 302
        refused = copy_editor.post(change_url(draft), change_form_data(editor_form, headline="Editor's"))
        assert refused.status_code == 200
        assert "Your changes were not saved" in refused.content.decode()
        draft.refresh_from_db()
        assert draft.headline == "Author's"


class TestEditorTransitions:
    @pytest.fixture
    def submitted(self, reviewer, draft):
        grade(login(reviewer), draft, submit=True)
        draft.refresh_from_db()
        return draft

    def test_editor_sees_the_transitions_the_reviewer_does_not(self, reviewer, editor, submitted):
        editor_html = login(editor).get(change_url(submitted)).content.decode()
        reviewer_html = login(reviewer).get(change_url(submitted)).content.decode()
        for name in ("publish", "return"):
            assert transition_url(submitted, name) in editor_html
            assert transition_url(submitted, name) not in reviewer_html

    def test_publish_asks_for_confirmation_first(self, editor, submitted):
        client = login(editor)
        page = client.get(transition_url(submitted, "publish"))
        assert page.status_code == 200
        assert "The verdict becomes public" in page.content.decode()
        submitted.refresh_from_db()
        assert submitted.status == VerdictStatus.IN_REVIEW
        response = client.post(transition_url(submitted, "publish"), {"loaded_version": submitted.version})
        assert response.url == change_url(submitted)
        submitted.refresh_from_db()
        assert submitted.status == VerdictStatus.PUBLISHED
        assert submitted.editor == editor

    def test_reviewer_cannot_reach_publish(self, reviewer, submitted):
        client = login(reviewer)
        assert client.get(transition_url(submitted, "publish")).status_code == 403
        assert client.post(transition_url(submitted, "publish")).status_code == 403
        submitted.refresh_from_db()
        assert submitted.status == VerdictStatus.IN_REVIEW

    def test_return_requires_a_comment(self, editor, submitted):
        client = login(editor)
        refused = client.post(transition_url(submitted, "return"), {"comment": ""})
        assert refused.status_code == 200
        assert "This field is required" in refused.content.decode()
        client.post(transition_url(submitted, "return"), {"comment": "Add the source."})
        submitted.refresh_from_db()
        assert (submitted.status, submitted.return_comment) == (VerdictStatus.DRAFT, "Add the source.")

    def test_workflow_error_is_shown_as_a_message(self, reviewer, submitted, settings):
        # The author is also an editor here, and the four-eyes rule refuses self-publishing.
        from django.contrib.auth.models import Group

        reviewer.groups.add(Group.objects.get(name="Editor"))
        response = login(reviewer).post(transition_url(submitted, "publish"), follow=True)
        assert "An editor other than the verdict&#x27;s author must publish it." in response.content.decode()
        submitted.refresh_from_db()
        assert submitted.status == VerdictStatus.IN_REVIEW

    def test_stale_publish_is_refused(self, editor, other_editor, submitted):
        seen = submitted.version
        services.verdict_return(verdict=submitted, actor=other_editor, comment="Not yet.")
        response = login(editor).post(transition_url(submitted, "publish"), {"loaded_version": seen}, follow=True)
        assert "Your changes were not saved" in response.content.decode()
        submitted.refresh_from_db()
        assert submitted.status == VerdictStatus.DRAFT

    def test_published_verdict_is_read_only_then_corrected(self, editor, other_editor, submitted):
        services.verdict_publish(verdict=submitted, actor=other_editor)
        submitted.refresh_from_db()
        client = login(editor)
        html = client.get(change_url(submitted)).content.decode()
        assert 'name="explanation"' not in html
        assert reverse("admin:claims_verdict_correct", args=[submitted.pk]) in html

        correct_url = reverse("admin:claims_verdict_correct", args=[submitted.pk])
        page = client.get(correct_url).context
        form = page["form"]
        response = client.post(
            correct_url,
            {
                **formset_data(page["evidence_formset"]),
                "rating": Rating.objects.get(slug="opinion").pk,
                "headline": form.initial["headline"],
                "explanation": "It is a forecast, not a checkable fact.",
                "internal_notes": "",
                "public_note": "Correction: re-rated as a forecast.",
                "loaded_version": submitted.version,
            },
        )
        corrected = Verdict.objects.get(supersedes=submitted)
        assert response.url == change_url(corrected)
        submitted.refresh_from_db()
        assert submitted.status == VerdictStatus.SUPERSEDED
        assert (corrected.status, corrected.rating.slug) == (VerdictStatus.PUBLISHED, "opinion")


class TestBulkActions:
    def test_bulk_publish_confirms_then_publishes_and_reports_failures(self, reviewer, editor, demo_data):
        claims = list(Claim.objects.filter(verdicts__isnull=True)[:3])
        verdicts = []
        for claim in claims:
            verdict = services.verdict_save(verdict=Verdict(claim=claim), actor=reviewer)
            verdict.rating = Rating.objects.get(slug="true")
            verdict.headline, verdict.explanation = "True", "Checked."
            verdicts.append(services.verdict_save(verdict=verdict, actor=reviewer))
        for verdict in verdicts[:2]:
            services.verdict_submit(verdict=verdict, actor=reviewer)
        selected = [str(v.pk) for v in verdicts]
        client = login(editor)

        confirm = client.post(CHANGELIST, {"action": "publish_selected", ACTION_CHECKBOX_NAME: selected})
        assert confirm.status_code == 200
        page = confirm.content.decode()
        # The draft is left out, with the reason, before anything is asked.
        assert "Publish: 2 verdict(s)?" in page
        assert "it is draft, not in review" in page
        assert {verdict.pk for verdict in confirm.context["queryset"]} == {v.pk for v in verdicts[:2]}
        assert Verdict.objects.filter(pk__in=selected, status=VerdictStatus.PUBLISHED).count() == 0

        done = client.post(
            CHANGELIST, {"action": "publish_selected", ACTION_CHECKBOX_NAME: selected, "confirm": "yes"}, follow=True
        )
        html = done.content.decode()
        assert "Publish: 2 verdict(s)." in html
        assert "Not done for" not in html
        assert Verdict.objects.filter(pk__in=selected, status=VerdictStatus.PUBLISHED).count() == 2
        assert Verdict.objects.get(pk=verdicts[2].pk).status == VerdictStatus.DRAFT

    def test_bulk_retract_needs_a_note(self, editor, demo_data):
        published = Verdict.objects.filter(status=VerdictStatus.PUBLISHED, claim__text__contains="100,000")
        selected = [str(published.get().pk)]
        client = login(editor)
        refused = client.post(
            CHANGELIST,
            {"action": "retract_selected", ACTION_CHECKBOX_NAME: selected, "confirm": "yes", "public_note": ""},
        )
        assert "This field is required" in refused.content.decode()
        assert published.exists()
        client.post(
            CHANGELIST,
            {
                "action": "retract_selected",
                ACTION_CHECKBOX_NAME: selected,
                "confirm": "yes",
                "public_note": "Withdrawn.",
            },
        )
        assert Verdict.objects.get(pk=selected[0]).status == VerdictStatus.RETRACTED

    def test_reviewers_are_not_offered_editor_actions(self, reviewer, demo_data):
        actions = login(reviewer).get(CHANGELIST).context["action_form"].fields["action"].choices
        names = {name for name, _ in actions}
        assert "submit_selected" in names
        assert not names & {"publish_selected", "return_selected", "retract_selected"}


class TestDiscarding:
    def test_the_author_discards_a_draft_from_its_page(self, reviewer, draft):
        client = login(reviewer)
        html = client.get(change_url(draft)).content.decode()
        assert transition_url(draft, "discard") in html
        response = client.post(transition_url(draft, "discard"))
        assert response.url == reverse("admin:claims_claim_change", args=[draft.claim_id])
        assert not Verdict.objects.filter(pk=draft.pk).exists()
        assert Verdict.history.filter(id=draft.pk).latest("history_date").history_user == reviewer

    def test_an_editor_cannot_delete_someone_elses_draft(self, editor, draft):
        client = login(editor)
        assert transition_url(draft, "discard") not in client.get(change_url(draft)).content.decode()
        assert client.post(reverse("admin:claims_verdict_delete", args=[draft.pk]), {"post": "yes"}).status_code == 403
        assert Verdict.objects.filter(pk=draft.pk).exists()

    def test_the_bulk_delete_that_skips_the_services_is_not_offered(self, editor, demo_data):
        actions = login(editor).get(CHANGELIST).context["action_form"].fields["action"].choices
        assert "delete_selected" not in {name for name, _ in actions}


def test_evidence_edited_in_the_admin_is_a_new_version_of_the_verdict(reviewer, draft):
    from tests.factories import make_source

    source = make_source("The report")
    client = login(reviewer)
    data = change_form_data(client.get(change_url(draft)))
    prefix = "evidence"
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-0-source": str(source.pk),
            f"{prefix}-0-stance": "context",
            f"{prefix}-0-note": "What it shows.",
            f"{prefix}-0-position": "0",
        }
    )
    assert client.post(change_url(draft), data).status_code == 302
    draft.refresh_from_db()
    assert draft.version == 2
    assert draft.evidence.get().history.get().history_user == reviewer


class TestCorrections:
    @pytest.fixture
    def published(self, reviewer, editor, draft):
        from tests.factories import make_source

        draft.rating = Rating.objects.get(slug="mostly-true")
        draft.headline = "Probably, an official said"
        draft.explanation = "One unnamed official's forecast; we rated it Mostly true."
        Evidence = draft.evidence.model
        services.verdict_save(
            verdict=draft,
            actor=reviewer,
            evidence=services.Parts(saved=[Evidence(source=make_source("The first report"), note="Says so.")]),
        )
        services.verdict_submit(verdict=draft, actor=reviewer)
        return services.verdict_publish(verdict=draft, actor=editor)

    def _post(self, client, verdict, **changes):
        url = reverse("admin:claims_verdict_correct", args=[verdict.pk])
        page = client.get(url).context
        data = {
            **formset_data(page["evidence_formset"]),
            "rating": str(verdict.rating_id),
            "headline": verdict.headline,
            "explanation": verdict.explanation,
            "internal_notes": "",
            "public_note": "Corrected.",
            "loaded_version": str(verdict.version),
            **changes,
        }
        return client.post(url, data)

    def test_the_form_warns_when_the_explanation_names_the_old_rating(self, other_editor, published):
        client = login(other_editor)
        page = client.get(reverse("admin:claims_verdict_correct", args=[published.pk])).content.decode()
        assert "The explanation names the current rating, “Mostly true”" in page
        half_true = str(Rating.objects.get(slug="half-true").pk)
        refused = self._post(client, published, rating=half_true)
        assert refused.status_code == 200
        assert "still says “Mostly true”, the previous rating" in refused.content.decode()
        assert not Verdict.objects.filter(supersedes=published).exists()
        kept = self._post(client, published, rating=half_true, keep_wording="on")
        assert kept.status_code == 302
        assert Verdict.objects.get(supersedes=published).rating.slug == "half-true"

    def test_a_correction_may_change_the_evidence(self, other_editor, published):
        from tests.factories import make_source

        client = login(other_editor)
        second = make_source("A second report")
        response = self._post(
            client,
            published,
            explanation="One unnamed official's forecast.",
            **{"evidence-0-DELETE": "on", "evidence-1-source": str(second.pk), "evidence-1-stance": "contradicts"},
        )
        assert response.status_code == 302
        corrected = Verdict.objects.get(supersedes=published)
        assert [(e.source.title, e.stance) for e in corrected.evidence.all()] == [("A second report", "contradicts")]
        assert [e.source.title for e in published.evidence.all()] == ["The first report"]  # the record stays


def test_publish_is_not_offered_to_the_author_even_when_an_editor(editor, other_editor, demo_data):
    claim = Claim.objects.get(text__startswith="Russia will probably")
    own = services.verdict_save(verdict=Verdict(claim=claim), actor=editor)
    own.rating, own.headline, own.explanation = Rating.objects.get(slug="true"), "True", "Checked."
    services.verdict_save(verdict=own, actor=editor)
    services.verdict_submit(verdict=own, actor=editor)
    client = login(editor)
    html = client.get(change_url(own)).content.decode()
    assert transition_url(own, "publish") not in html
    assert transition_url(own, "return") in html
    # Reached anyway, the confirmation page is not shown: the reason is, on the verdict's page.
    response = client.get(transition_url(own, "publish"), follow=True)
    assert response.redirect_chain[-1][0] == change_url(own)
    assert "An editor other than the verdict&#x27;s author must publish it." in response.content.decode()
    assert transition_url(own, "publish") in login(other_editor).get(change_url(own)).content.decode()
