"""Other fact-checkers' ratings onto the desk's scale: by label, by value, or kept as unmapped."""

import pytest
from django.core.management.base import CommandError

from claims.models import Rating, Verdict
from claims.ratingmap import DEFAULT_ALIASES, normalise_label
from tests.importer.helpers import (
    CORRECTIV,
    FULL_FACT,
    MALDITA,
    import_command,
    json_input,
    review,
    run,
    verdict_for,
    write,
)

pytestmark = pytest.mark.django_db


def rated(label=None, *, value=None, best=None, worst=None, base=MALDITA, n=1) -> dict:
    rating = {"@type": "Rating"}
    for key, item in (("alternateName", label), ("ratingValue", value), ("bestRating", best), ("worstRating", worst)):
        if item is not None:
            rating[key] = item
    return review(base, url=f"{base['url']}rating-{n}/", reviewRating=rating)


def import_rating(label=None, **kwargs) -> tuple[Verdict, object]:
    record = rated(label, **kwargs)
    summary = run(json_input("ratings.json", record))
    assert not summary.errors, summary.errors
    return verdict_for(record["url"]), summary


class TestByLabel:
    @pytest.mark.parametrize(
        ("label", "slug"),
        [
            # The desk's own labels and slugs, whatever the case.
            ("True", "true"),
            ("MOSTLY TRUE", "mostly-true"),
            ("mostly-true", "mostly-true"),
            ("Half true", "half-true"),
            ("half-true", "half-true"),
            ("mostly-false", "mostly-false"),
            ("FALSE", "false"),
            ("Disputed", "disputed"),
            ("unverifiable", "unverifiable"),
            ("Opinion", "opinion"),
            # Built-in aliases in several languages, case- and accent-insensitive.
            ("Falso", "false"),
            ("FAUX", "false"),
            ("Fausse", "false"),
            ("Falsch", "false"),
            ("Bulo", "false"),
            ("Pants on Fire!", "false"),
            ("Four Pinocchios", "false"),
            ("Verdadero a medias", "half-true"),
            ("VERDADERO A MEDIAS", "half-true"),
            ("Meia verdade", "half-true"),
            ("Meia-verdade", "half-true"),
            ("Teilweise richtig", "half-true"),
            ("Plutôt faux", "mostly-false"),
            ("plutot faux", "mostly-false"),
            ("PLUTÔT VRAI", "mostly-true"),
            ("Mayormente falso", "mostly-false"),
            ("Verdadeiro", "true"),
            ("Vrai", "true"),
            ("Wahr", "true"),
            ("Opinión", "opinion"),
            ("Inverificable", "unverifiable"),
            ("Invérifiable", "unverifiable"),
            ("Unbelegt", "unverifiable"),
            ("Umstritten", "disputed"),
            ("  Falso.  ", "false"),
        ],
    )
    def test_known_labels(self, label, slug):
        verdict, summary = import_rating(label)

        assert verdict.rating.slug == slug
        assert verdict.review_rating_label == label.strip()
        assert not summary.unmapped_labels

    def test_every_built_in_alias_maps_to_a_rating_of_the_scale(self):
        slugs = set(Rating.objects.values_list("slug", flat=True))
        assert set(DEFAULT_ALIASES) <= slugs
        # No alias is claimed by two ratings once normalised (a label must never be ambiguous).
        seen: dict[str, str] = {}
        for slug, labels in DEFAULT_ALIASES.items():
            for label in labels:
                assert seen.setdefault(normalise_label(label), slug) == slug, label

    def test_the_label_wins_over_the_value(self):
        verdict, _ = import_rating("Falso", value=5, best=5, worst=1)

        assert verdict.rating.slug == "false"
        assert verdict.review_rating_value == 5

    @pytest.mark.parametrize(
        "label",
        [
            "Missing context",
            "Cherry-picked data, misleading",
            "Engañoso",
            "Trompeur",
            "Fehlender Kontext",
            "Exagerado",
            "Satire",
            "Mainly false",
            "True but misleading",
            "False context",
        ],
    )
    def test_unmapped_labels_are_kept_verbatim_never_a_near_rating(self, label):
        verdict, summary = import_rating(label)

        assert verdict.rating.slug == "unmapped"
        assert verdict.review_rating_label == label
        assert summary.unmapped_labels == {label: 1}
        assert any(line.strip() == f"1 x {label}" for line in summary.lines())

    def test_a_free_text_verdict_is_unmapped_and_reported(self):
        summary = run(json_input("fullfact.json", FULL_FACT))

        verdict = verdict_for(FULL_FACT["url"])
        assert verdict.rating.slug == "unmapped"
        assert verdict.review_rating_label == FULL_FACT["reviewRating"]["alternateName"]
        text = "\n".join(summary.lines())
        assert "1 review(s) kept ratings not on the desk's scale" in text
        assert FULL_FACT["reviewRating"]["alternateName"] in text

    def test_the_summary_counts_each_unmapped_label(self):
        records = [rated("Engañoso", n=n) for n in range(3)] + [rated("Sin contexto", n=n) for n in range(3, 5)]
        records.append(rated("Falso", n=9))
        summary = run(json_input("maldita.json", records))

        assert summary.unmapped_labels == {"Engañoso": 3, "Sin contexto": 2}
        text = "\n".join(summary.lines())
        assert "5 review(s) kept ratings not on the desk's scale" in text
        assert "3 x Engañoso" in text and "2 x Sin contexto" in text

    def test_the_desk_relabelling_a_rating_maps_the_new_label(self):
        Rating.objects.filter(slug="false").update(label="Baseless")
        verdict, _ = import_rating("BASELESS")

        assert verdict.rating.slug == "false"


class TestAliases:
    def test_aliases_from_settings(self, settings):
        settings.FACTCHECK_RATING_ALIASES = {"Engañoso": "mostly-false", "Sin contexto": "unverifiable"}
        records = [rated("ENGAÑOSO", n=1), rated("enganoso", n=2), rated("Sin contexto", n=3)]
        summary = run(json_input("maldita.json", records))

        assert [verdict_for(r["url"]).rating.slug for r in records] == ["mostly-false", "mostly-false", "unverifiable"]
        assert not summary.unmapped_labels

    def test_settings_override_a_built_in_alias(self, settings):
        settings.FACTCHECK_RATING_ALIASES = {"Teilweise falsch": "mostly-false"}
        verdict, _ = import_rating("Teilweise falsch", base=CORRECTIV)

        assert verdict.rating.slug == "mostly-false"

    def test_aliases_given_to_the_import(self):
        record = rated("Engañoso")
        run(json_input("maldita.json", record), aliases={"engañoso": "mostly-false"})

        assert verdict_for(record["url"]).rating.slug == "mostly-false"

    def test_the_ratings_file_of_the_command(self, tmp_path, settings):
        settings.FACTCHECK_RATING_ALIASES = {"Trompeur": "false", "Engañoso": "false"}
        aliases = write(tmp_path / "aliases.json", {"Engañoso": "mostly-false", "Fehlender Kontext": "unverifiable"})
        records = [rated("Engañoso", n=1), rated("Fehlender Kontext", n=2), rated("Trompeur", n=3)]
        data = write(tmp_path / "reviews.json", records)

        out, _ = import_command(data, "--ratings", aliases)

        # The command's file wins over settings, settings still apply to the rest.
        assert [verdict_for(r["url"]).rating.slug for r in records] == ["mostly-false", "unverifiable", "false"]
        assert "not on the desk's scale" not in out

    def test_a_ratings_file_that_is_not_json(self, tmp_path):
        aliases = write(tmp_path / "aliases.json", "Engañoso: mostly-false")
        data = write(tmp_path / "reviews.json", rated("Engañoso"))

        with pytest.raises(CommandError, match="--ratings"):
            import_command(data, "--ratings", aliases)
        assert not Verdict.objects.exists()

    def test_a_ratings_file_that_is_not_an_object_of_labels(self, tmp_path):
        aliases = write(tmp_path / "aliases.json", [["Engañoso", "mostly-false"]])
        data = write(tmp_path / "reviews.json", rated("Engañoso"))

        with pytest.raises(CommandError, match="label"):
            import_command(data, "--ratings", aliases)
        assert not Verdict.objects.exists()

    def test_a_ratings_file_naming_a_rating_the_desk_does_not_have(self, tmp_path):
        aliases = write(tmp_path / "aliases.json", {"Engañoso": "misleading"})
        data = write(tmp_path / "reviews.json", rated("Engañoso"))

        with pytest.raises(CommandError, match="misleading"):
            import_command(data, "--ratings", aliases)
        assert not Verdict.objects.exists()

    def test_a_missing_ratings_file(self, tmp_path):
        data = write(tmp_path / "reviews.json", rated("Engañoso"))

        with pytest.raises(CommandError, match=r"nowhere\.json"):
            import_command(data, "--ratings", tmp_path / "nowhere.json")


class TestByValue:
    @pytest.mark.parametrize(
        ("value", "best", "worst", "slug"),
        [
            (2, 5, 1, "mostly-false"),
            (0, 4, 0, "false"),
            (1, 2, 0, "half-true"),
            (4, 4, 0, "true"),
            ("3", "5", "1", "half-true"),
            ("7.5", "10", "0", "mostly-true"),
            (0.25, 1, 0, "mostly-false"),
            # schema.org's defaults: bestRating 5, worstRating 1.
            (5, None, None, "true"),
            (1, None, None, "false"),
            (4, None, None, "mostly-true"),
            (3, 5, None, "half-true"),
        ],
    )
    def test_a_value_on_a_point_of_the_scale(self, value, best, worst, slug):
        verdict, summary = import_rating(value=value, best=best, worst=worst)

        assert verdict.rating.slug == slug
        assert verdict.review_rating_label == ""
        assert not summary.unmapped_labels

    @pytest.mark.parametrize(
        ("value", "best", "worst"),
        [
            (3, 6, 1),  # PolitiFact's six steps without their labels
            (3, 10, 1),
            (2.5, 5, 1),
            (6, 5, 1),  # off the scale it claims
            (3, 3, 3),
        ],
    )
    def test_a_value_between_points_is_unmapped_never_rounded(self, value, best, worst):
        verdict, summary = import_rating(value=value, best=best, worst=worst)

        assert verdict.rating.slug == "unmapped"
        assert summary.unmapped_labels and "ratingValue" in next(iter(summary.unmapped_labels))
        assert verdict.review_rating_value == pytest.approx(value)
