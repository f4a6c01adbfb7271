"""Mapping other fact-checkers' ratings onto the desk's scale.

By label first: the review's ``alternateName``, compared without case, accents or
punctuation, against the desk's own labels and slugs, a list of common labels in several
languages, ``FACTCHECK_RATING_ALIASES`` in settings, and aliases given to the import.
Then by value: a ``ratingValue`` that, normalised by its ``bestRating`` and
``worstRating`` (schema.org's defaults are 5 and 1), falls exactly on a point of the
desk's true-to-false axis. Anything else is *unmapped*: rated "Not on our scale", with
the review's own label kept, and reported. A label is never guessed onto a near rating.
"""

import re
import unicodedata
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .models import Rating

UNMAPPED_SLUG = "unmapped"
SCHEMA_ORG_BEST, SCHEMA_ORG_WORST = Decimal(5), Decimal(1)

# Common labels of fact-checkers, by desk slug. Extend or override with settings.
DEFAULT_ALIASES: dict[str, list[str]] = {
    "true": [
        "true",
        "correct",
        "accurate",
        "verified",
        "confirmed",
        "verdadero",
        "verdadeiro",
        "cierto",
        "vrai",
        "wahr",
        "richtig",
        "vero",
        "waar",
        "prawda",
        "adevarat",
        "dogru",
        "benar",
        "sahi",
        "правда",
        "верно",
    ],
    "mostly-true": [
        "mostly true",
        "mostly correct",
        "mostly accurate",
        "largely true",
        "mayormente verdadero",
        "casi verdadero",
        "plutot vrai",
        "weitgehend richtig",
        "in gran parte vero",
        "grotendeels waar",
    ],
    "half-true": [
        "half true",
        "half-true",
        "mixture",
        "mixed",
        "partly true",
        "partially true",
        "partly correct",
        "verdadero a medias",
        "medio verdadero",
        "meia verdade",
        "en partie vrai",
        "moitie vrai",
        "teilweise richtig",
        "teilweise falsch",
        "vero a meta",
        "half waar",
        "частично правда",
    ],
    "mostly-false": [
        "mostly false",
        "mostly incorrect",
        "largely false",
        "partly false",
        "mayormente falso",
        "casi falso",
        "plutot faux",
        "en grande partie faux",
        "weitgehend falsch",
        "in gran parte falso",
        "grotendeels onwaar",
    ],
    "false": [
        "false",
        "incorrect",
        "inaccurate",
        "wrong",
        "not true",
        "untrue",
        "fake",
        "fake news",
        "fabricated",
        "hoax",
        "pants on fire",
        "four pinocchios",
        "falso",
        "falsa",
        "bulo",
        "faux",
        "fausse",
        "falsch",
        "onwaar",
        "nieprawda",
        "fals",
        "yanlis",
        "salah",
        "hoaks",
        "ложь",
        "неправда",
        "фейк",
    ],
    "disputed": ["disputed", "contested", "controversial", "en disputa", "controverse", "umstritten", "contestato"],
    "unverifiable": [
        "unverifiable",
        "unverified",
        "unproven",
        "unsupported",
        "no evidence",
        "insufficient evidence",
        "cannot be verified",
        "inverificable",
        "sin evidencia",
        "sin pruebas",
        "non verifiable",
        "invérifiable",
        "nicht belegt",
        "unbelegt",
        "non verificabile",
        "niet te verifieren",
    ],
    "opinion": ["opinion", "opinión", "opiniao", "avis", "meinung", "opinione"],
}


def normalise_label(label: str) -> str:
    """Case, accents, punctuation and spacing removed: 'Verdadero!' and 'verdadero' are one label."""
    decomposed = unicodedata.normalize("NFKD", label)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


class RatingMapper:
    def __init__(self, ratings: list[Rating], aliases: dict[str, str]):
        by_slug = {rating.slug: rating for rating in ratings}
        if UNMAPPED_SLUG not in by_slug:
            raise ImproperlyConfigured("The 'unmapped' rating is missing: run migrate.")
        self.unmapped = by_slug[UNMAPPED_SLUG]
        self.by_label: dict[str, Rating] = {}
        for label, slug in aliases.items():
            if slug not in by_slug:
                raise ImproperlyConfigured(f"Rating alias {label!r} names an unknown rating {slug!r}.")
            self.by_label[normalise_label(label)] = by_slug[slug]
        for rating in ratings:  # the desk's own labels and slugs always map to themselves
            self.by_label[normalise_label(rating.label)] = rating
            self.by_label[normalise_label(rating.slug.replace("-", " "))] = rating
        axis = [rating for rating in ratings if rating.value is not None]
        self.points: dict[Decimal, Rating] = {}
        if len(axis) > 1:
            worst, best = min(r.value for r in axis), max(r.value for r in axis)
            self.points = {Decimal(r.value - worst) / Decimal(best - worst): r for r in axis}

    @classmethod
    def from_settings(cls, extra: dict[str, str] | None = None) -> "RatingMapper":
        aliases = {label: slug for slug, labels in DEFAULT_ALIASES.items() for label in labels}
        aliases |= getattr(settings, "FACTCHECK_RATING_ALIASES", {}) or {}
        aliases |= extra or {}
        return cls(list(Rating.objects.all()), aliases)

    def map(
        self, label: str, value: Decimal | None, best: Decimal | None, worst: Decimal | None
    ) -> tuple[Rating, bool]:
        """(rating, mapped): the desk's rating for a review's rating, or the unmapped rating."""
        if label:
            rating = self.by_label.get(normalise_label(label))
            if rating is not None:
                return rating, True
        if value is not None:
            best = SCHEMA_ORG_BEST if best is None else best
            worst = SCHEMA_ORG_WORST if worst is None else worst
            if best != worst:
                position = (value - worst) / (best - worst)
                for point, rating in self.points.items():
                    if abs(point - position) < Decimal("0.000001"):
                        return rating, True
        return self.unmapped, False
