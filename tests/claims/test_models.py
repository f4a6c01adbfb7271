"""Database invariants: every rule below is enforced by the database itself, not only by forms."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from claims.choices import VerdictStatus
from claims.models import Appearance, Claim, Evidence, Rating, Speaker, Verdict
from sources.models import Source
from tests.factories import (
    make_appearance,
    make_claim,
    make_publisher,
    make_source,
    make_speaker,
    make_user,
    make_verdict,
)

pytestmark = pytest.mark.django_db


def assert_rejected(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


class TestSourceConstraints:
    def test_source_url_is_unique(self):
        make_source(url="https://example.org/a")
        assert_rejected(lambda: make_source(title="Other", url="https://example.org/a"))

    def test_many_sources_may_have_no_url(self):
        make_source(title="One", url="")
        make_source(title="Two", url="")
        assert Source.objects.filter(url="").count() == 2

    def test_source_kind_must_be_a_known_kind(self):
        assert_rejected(lambda: make_source(kind="rumour"))

    def test_source_title_cannot_be_empty(self):
        assert_rejected(lambda: make_source(title=""))

    def test_publisher_name_is_unique_ignoring_case(self):
        make_publisher(name="The Daily")
        assert_rejected(lambda: make_publisher(name="the daily"))


class TestSpeakerConstraints:
    def test_kind_must_be_known(self):
        assert_rejected(lambda: make_speaker(kind="robot"))

    def test_wikidata_id_unique_when_present(self):
        make_speaker(name="A", wikidata_id="Q42")
        make_speaker(name="B", wikidata_id="")
        make_speaker(name="C", wikidata_id="")
        assert_rejected(lambda: make_speaker(name="D", wikidata_id="Q42"))

    def test_wikidata_id_format_validated(self):
        speaker = Speaker(name="A", wikidata_id="42")
        with pytest.raises(ValidationError) as excinfo:
            speaker.full_clean()
        assert "wikidata_id" in excinfo.value.message_dict


class TestRatingConstraints:
    def test_colour_must_be_hex_triplet(self):
        assert_rejected(lambda: Rating.objects.create(slug="x", label="X", colour="red", position=99))

    def test_value_must_be_positive(self):
        assert_rejected(lambda: Rating.objects.create(slug="x", label="X", value=0, colour="#000000", position=99))

    def test_values_are_unique_on_the_axis(self):
        assert_rejected(lambda: Rating.objects.create(slug="x", label="X", value=5, colour="#000000", position=99))


class TestVerdictConstraints:
    def test_at_most_one_published_verdict_per_claim(self):
        claim = make_claim()
        make_verdict(claim, VerdictStatus.PUBLISHED)
        assert_rejected(lambda: make_verdict(claim, VerdictStatus.PUBLISHED))

    def test_at_most_one_verdict_in_progress_per_claim(self):
        claim = make_claim()
        make_verdict(claim, VerdictStatus.DRAFT)
        assert_rejected(lambda: make_verdict(claim, VerdictStatus.IN_REVIEW))

    def test_superseded_and_retracted_verdicts_do_not_block_a_new_one(self):
        claim = make_claim()
        make_verdict(claim, VerdictStatus.SUPERSEDED)
        make_verdict(claim, VerdictStatus.RETRACTED)
        make_verdict(claim, VerdictStatus.PUBLISHED)
        assert claim.verdicts.count() == 3

    def test_published_verdict_needs_a_rating(self):
        claim = make_claim()
        assert_rejected(
            lambda: Verdict.objects.create(claim=claim, status=VerdictStatus.PUBLISHED, published_at=timezone.now())
        )

    def test_published_verdict_needs_a_publication_time(self):
        claim = make_claim()
        rating = Rating.objects.get(slug="true")
        assert_rejected(lambda: Verdict.objects.create(claim=claim, status=VerdictStatus.PUBLISHED, rating=rating))

    def test_verdict_in_review_needs_a_rating(self):
        assert_rejected(lambda: Verdict.objects.create(claim=make_claim(), status=VerdictStatus.IN_REVIEW))

    def test_retraction_needs_a_public_note(self):
        assert_rejected(lambda: make_verdict(make_claim(), VerdictStatus.RETRACTED, public_note=""))

    def test_correction_needs_a_public_note(self):
        claim = make_claim()
        old = make_verdict(claim, VerdictStatus.SUPERSEDED)
        assert_rejected(lambda: make_verdict(claim, VerdictStatus.PUBLISHED, supersedes=old))

    def test_status_must_be_known(self):
        assert_rejected(lambda: make_verdict(make_claim(), "approved"))

    def test_evidence_stance_must_be_known(self):
        verdict = make_verdict(make_claim())
        assert_rejected(lambda: Evidence.objects.create(verdict=verdict, source=make_source(), stance="maybe"))


class TestProtect:
    """Deleting any row a fact-check depends on is refused."""

    def test_claim_with_a_verdict(self):
        claim = make_claim()
        make_verdict(claim)
        with pytest.raises(ProtectedError):
            claim.delete()

    def test_source_with_an_appearance(self):
        source = make_source()
        make_appearance(make_claim(), source, "quote")
        with pytest.raises(ProtectedError):
            source.delete()

    def test_source_cited_as_evidence(self):
        source = make_source()
        Evidence.objects.create(verdict=make_verdict(make_claim()), source=source)
        with pytest.raises(ProtectedError):
            source.delete()

    def test_speaker_with_claims(self):
        speaker = make_speaker()
        make_claim(speaker=speaker)
        with pytest.raises(ProtectedError):
            speaker.delete()

    def test_rating_in_use(self):
        verdict = make_verdict(make_claim(), VerdictStatus.PUBLISHED)
        with pytest.raises(ProtectedError):
            verdict.rating.delete()

    def test_publisher_with_sources(self):
        publisher = make_publisher()
        make_source(publisher=publisher)
        with pytest.raises(ProtectedError):
            publisher.delete()

    def test_reviewer_of_a_verdict(self):
        user = make_user()
        make_verdict(make_claim(), reviewer=user)
        with pytest.raises(ProtectedError):
            user.delete()

    def test_corrected_verdict(self):
        claim = make_claim()
        old = make_verdict(claim, VerdictStatus.SUPERSEDED)
        make_verdict(claim, VerdictStatus.PUBLISHED, supersedes=old, public_note="Corrected.")
        with pytest.raises(ProtectedError):
            old.delete()


class TestQuoteFidelity:
    ARCHIVE = "The minister said “we will build 300 schools” on Tuesday."

    def test_verbatim_quote_is_valid(self):
        source = make_source(archived_text=self.ARCHIVE)
        appearance = make_appearance(make_claim(), source, "“we will build 300 schools”", attributed_to="The minister")
        appearance.full_clean()

    @pytest.mark.parametrize(
        "quote",
        [
            "we will build 400 schools",
            '"we will build 300 schools"',  # straight quotes where the source has curly ones
            "The Minister said",  # case differs
        ],
    )
    def test_quote_not_in_archive_is_rejected(self, quote):
        source = make_source(archived_text=self.ARCHIVE)
        appearance = make_appearance(make_claim(), source, quote)
        with pytest.raises(ValidationError) as excinfo:
            appearance.full_clean()
        assert "quote" in excinfo.value.message_dict

    def test_attribution_not_in_archive_is_rejected(self):
        source = make_source(archived_text=self.ARCHIVE)
        appearance = make_appearance(make_claim(), source, "we will build 300 schools", attributed_to="The mayor")
        with pytest.raises(ValidationError) as excinfo:
            appearance.full_clean()
        assert "attributed_to" in excinfo.value.message_dict

    def test_any_quote_is_accepted_when_nothing_is_archived(self):
        appearance = make_appearance(make_claim(), make_source(archived_text=""), "anything at all")
        appearance.full_clean()

    def test_evidence_passage_must_be_verbatim(self):
        source = make_source(archived_text=self.ARCHIVE)
        evidence = Evidence(verdict=make_verdict(make_claim()), source=source, quote="on Wednesday")
        with pytest.raises(ValidationError):
            evidence.full_clean()


class TestHistory:
    def test_every_change_to_a_claim_is_recorded_with_its_author(self):
        user = make_user()
        claim = make_claim(text="Before.")
        claim._history_user = user
        claim.text = "After."
        claim.save()
        records = list(claim.history.order_by("history_date"))
        assert [r.history_type for r in records] == ["+", "~"]
        assert records[-1].history_user == user
        delta = records[-1].diff_against(records[0])
        assert [(c.field, c.old, c.new) for c in delta.changes] == [("text", "Before.", "After.")]

    def test_verdict_changes_are_recorded(self):
        verdict = make_verdict(make_claim(), explanation="One.")
        verdict.explanation = "Two."
        verdict.save()
        assert list(verdict.history.values_list("explanation", flat=True).order_by("history_date")) == ["One.", "Two."]

    def test_history_outlives_the_row(self):
        claim = make_claim(text="Short-lived.")
        claim_id = claim.pk
        claim.delete()
        assert Claim.history.filter(id=claim_id, history_type="-").exists()

    @pytest.mark.parametrize("model", [Source, Speaker, Claim, Appearance, Verdict, Evidence])
    def test_history_is_kept_for(self, model):
        assert model.history.model._meta.db_table.startswith(f"{model._meta.app_label}_historical")
