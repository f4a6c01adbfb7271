"""The demo fixture is a faithful rendering of the two seed articles."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from claims.choices import VerdictStatus
from claims.models import Appearance, Claim, Evidence, Speaker, Topic, Verdict
from sources.models import Publisher, Source

pytestmark = pytest.mark.django_db

SEEDS_DIR = Path(os.environ.get("FACTCHECK_SEEDS_DIR", settings.BASE_DIR.parent / "shared" / "seeds"))
SEED_TITLES = {
    "000_f8772eda1c0ebb06.txt": "Russia to buy rockets, artillery shells from North Korea: US intelligence",
    "003_5297ff8625e76df1.txt": "Russia Buying Millions of Artillery Shells, Rockets from North Korea",
}


def seed_text(name: str) -> str:
    path = SEEDS_DIR / name
    assert path.is_file(), f"seed article {path} not found; set FACTCHECK_SEEDS_DIR to the seeds folder"
    return path.read_text(encoding="utf-8")


def test_both_articles_are_sources_with_their_exact_text(demo_data):
    for name, title in SEED_TITLES.items():
        source = Source.objects.get(title=title)
        assert source.archived_text == seed_text(name)


def test_every_appearance_quote_is_verbatim_in_its_article(demo_data):
    appearances = list(Appearance.objects.select_related("source"))
    assert appearances
    seeds = {title: seed_text(name) for name, title in SEED_TITLES.items()}
    for appearance in appearances:
        text = seeds[appearance.source.title]
        assert appearance.quote in text, appearance.quote
        assert appearance.attributed_to in text, appearance.attributed_to
        appearance.full_clean()


def test_every_evidence_passage_is_verbatim(demo_data):
    for evidence in Evidence.objects.select_related("source"):
        assert evidence.quote in evidence.source.archived_text, evidence.quote
        evidence.full_clean()


def test_every_row_passes_model_validation(demo_data):
    for model in (Publisher, Source, Speaker, Topic, Claim, Verdict):
        for obj in model.objects.all():
            obj.full_clean()


def test_demo_has_the_promised_breadth(demo_data):
    assert Claim.objects.count() >= 12
    assert Speaker.objects.count() >= 8
    assert Speaker.objects.filter(is_anonymous=True, name="A US intelligence official").exists()
    assert {"person", "organisation"} <= set(Speaker.objects.values_list("kind", flat=True))
    assert set(Publisher.objects.values_list("name", flat=True)) == {"New York Post", "The New York Times", "AP"}
    assert set(Verdict.objects.values_list("status", flat=True)) == set(VerdictStatus.values)
    assert Topic.objects.filter(claims__isnull=False).distinct().count() >= 5


def test_statements_reported_in_both_articles_have_two_appearances(demo_data):
    in_both = Claim.objects.filter(appearances__source__title=SEED_TITLES["000_f8772eda1c0ebb06.txt"]).filter(
        appearances__source__title=SEED_TITLES["003_5297ff8625e76df1.txt"]
    )
    assert in_both.distinct().count() >= 2
    buying = Claim.objects.get(text__startswith="Russia is buying millions of rockets")
    assert buying.appearances.count() == 2


def test_volunteers_claim_is_published_as_disputed_citing_the_denial(demo_data):
    claim = Claim.objects.get(text__contains="100,000 volunteers")
    assert claim.speaker.name == "Igor Korotchenko"
    assert claim.made_on_text == "August 5"
    assert claim.made_in == "Russian state TV"
    assert claim.made_on is None  # the article gives no year
    verdict = claim.verdicts.get(status=VerdictStatus.PUBLISHED)
    assert verdict.rating.slug == "disputed"
    assert verdict.published_at is not None
    evidence = verdict.evidence.get()
    assert evidence.source.title == SEED_TITLES["003_5297ff8625e76df1.txt"]
    assert "disputed by the Russian Foreign Ministry" in evidence.quote
    assert evidence.stance == "contradicts"


def test_corrected_verdict_keeps_the_old_version(demo_data):
    corrected = Verdict.objects.get(status=VerdictStatus.PUBLISHED, supersedes__isnull=False)
    assert corrected.supersedes.status == VerdictStatus.SUPERSEDED
    assert corrected.public_note


def test_nothing_is_invented(demo_data):
    # The articles give no URLs, no publication dates and no bylines; the fixture leaves them empty.
    assert not Source.objects.exclude(url="").exists()
    assert not Source.objects.filter(published_on__isnull=False).exists()
    assert not Publisher.objects.exclude(url="").exists()
    assert not Speaker.objects.exclude(wikidata_id="").exists()
    assert not Claim.objects.filter(made_on__isnull=False).exists()
    # The second article does not name its outlet.
    assert Source.objects.get(title=SEED_TITLES["003_5297ff8625e76df1.txt"]).publisher is None


def test_loading_twice_changes_nothing(demo_data):
    counts = {model: model.objects.count() for model in (Source, Speaker, Claim, Appearance, Verdict, Evidence)}
    call_command("loaddata", "demo", verbosity=0)
    assert {model: model.objects.count() for model in counts} == counts
