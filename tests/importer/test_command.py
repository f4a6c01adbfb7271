"""manage.py import_claimreview: the summary it prints, who it credits, what history it leaves."""

import re

import pytest

from claims.models import Appearance, Claim, Speaker, Verdict
from sources.models import Publisher, Source
from tests.importer.helpers import (
    AFP,
    ALL_REVIEWS,
    DECODEURS,
    LUPA,
    MALDITA,
    POLITIFACT,
    csv_bytes,
    import_command,
    refused_by_command,
    review,
    write,
)

pytestmark = pytest.mark.django_db

ENTITY_LINE = re.compile(r"^  (reviews|claims|speakers|sources|publishers|appearances) +(.+)$")


def entity_lines(out: str) -> dict[str, str]:
    return {m.group(1): m.group(2) for line in out.splitlines() if (m := ENTITY_LINE.match(line))}


class TestSummary:
    def test_counts_per_entity_after_a_first_import(self, tmp_path):
        path = write(tmp_path / "reviews.json", ALL_REVIEWS)

        out, _ = import_command(path)

        n = len(ALL_REVIEWS)
        assert re.match(rf"^{n} record\(s\) read, {n} review\(s\) imported in \d+\.\d\ds", out)
        assert entity_lines(out) == {
            "reviews": f"{n} created",
            "claims": f"{n} created",
            "speakers": f"{Speaker.objects.count()} created",
            "sources": f"{Source.objects.count()} created",
            "publishers": f"{Publisher.objects.count()} created",
            "appearances": f"{Appearance.objects.count()} created",
        }
        assert Verdict.objects.count() == Claim.objects.count() == n

    def test_created_updated_and_unchanged_together(self, tmp_path):
        import_command(write(tmp_path / "first.json", [LUPA, MALDITA, AFP]))
        second = [
            LUPA,
            review(MALDITA, headline="No, la DGT no multará a nadie por la pegatina"),
            AFP,
            DECODEURS,
        ]

        out, _ = import_command(write(tmp_path / "second.json", second))

        lines = entity_lines(out)
        assert lines["reviews"] == "1 created, 1 updated, 2 unchanged"
        assert lines["claims"] == "1 created, 3 unchanged"
        assert lines["appearances"] == f"1 created, {Appearance.objects.count() - 1} unchanged"
        assert "4 record(s) read, 4 review(s) imported" in out

    def test_nothing_imported_says_none(self, tmp_path):
        path = write(tmp_path / "empty.csv", "url,claimReviewed,author.name,reviewRating.alternateName\n")

        out, _ = import_command(path)

        assert out.startswith("0 record(s) read, 0 review(s) imported")
        assert set(entity_lines(out).values()) == {"none"}

    def test_unmapped_ratings_are_listed(self, tmp_path):
        records = [
            review(AFP, url=f"https://factuel.afp.com/doc.afp.com.{n}", reviewRating={"alternateName": "Trompeur"})
            for n in range(3)
        ]
        out, _ = import_command(write(tmp_path / "afp.json", records))

        assert "3 review(s) kept ratings not on the desk's scale" in out
        assert "  3 x Trompeur" in out


class TestPublisherName:
    CSV = csv_bytes(
        ["url", "claimReviewed", "datePublished", "reviewRating.alternateName", "inLanguage"],
        [
            {
                "url": "https://maldita.es/malditobulo/20240301/a/",
                "claimReviewed": "El 5G propaga enfermedades.",
                "datePublished": "2024-03-01",
                "reviewRating.alternateName": "Bulo",
                "inLanguage": "es",
            },
            {
                "url": "https://maldita.es/malditobulo/20240302/b/",
                "claimReviewed": "Beber agua con limón cura el cáncer.",
                "datePublished": "2024-03-02",
                "reviewRating.alternateName": "Falso",
                "inLanguage": "es",
            },
        ],
    )

    def test_credits_records_that_name_no_author(self, tmp_path):
        path = write(tmp_path / "maldita.csv", self.CSV)

        import_command(path, "--publisher-name", "Maldita.es")

        assert set(Verdict.objects.values_list("reviewed_by__name", flat=True)) == {"Maldita.es"}

    def test_without_it_such_records_are_refused_with_a_hint(self, tmp_path):
        path = write(tmp_path / "maldita.csv", self.CSV)

        error, err = refused_by_command(path)

        assert "2 invalid record(s)" in str(error)
        assert f"{path} line 2: author.name is missing" in err
        assert f"{path} line 3: author.name is missing" in err
        assert "--publisher-name" in err
        assert not Verdict.objects.exists()

    def test_a_record_naming_its_author_keeps_it(self, tmp_path):
        path = write(tmp_path / "politifact.json", POLITIFACT)

        import_command(path, "--publisher-name", "Maldita.es")

        assert Verdict.objects.get().reviewed_by.name == "PolitiFact"
        assert not Publisher.objects.filter(name="Maldita.es").exists()


class TestHistory:
    def test_everything_created_has_a_history_record_saying_where_it_came_from(self, tmp_path):
        path = write(tmp_path / "reviews.json", ALL_REVIEWS)

        import_command(path)

        for model in (Verdict, Claim, Speaker, Source, Appearance):
            assert model.history.count() == model.objects.count() > 0, model.__name__
            reasons = set(model.history.values_list("history_change_reason", flat=True))
            assert reasons == {f"Imported from {path}"}, model.__name__
            assert set(model.history.values_list("history_type", flat=True)) == {"+"}
        verdict = Verdict.objects.get(review_url=MALDITA["url"])
        record = verdict.history.get()
        assert (record.headline, record.rating_id, record.review_url) == (
            verdict.headline,
            verdict.rating_id,
            verdict.review_url,
        )
        assert record.history_user is None
