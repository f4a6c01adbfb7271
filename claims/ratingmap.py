"""Mapping other fact-checkers' ratings onto the desk's scale.

The label is authoritative. A review's ``alternateName`` is compared, without case,
accents or punctuation, against the desk's own labels and slugs, the built-in table
below (English, Spanish, Portuguese, French, German, Italian and Hindi),
``FACTCHECK_RATING_ALIASES`` in settings and aliases given to the import (each
extending and overriding the one before). A known label gives its rating whatever the
``ratingValue`` says (a disagreeing value is reported). A label this table does not
know is *unmapped*: rated "Not on our scale", its label and value kept, and reported;
it is never placed by its value. Only a review with no label at all is placed by its
``ratingValue``, and only when that value, normalised by ``bestRating`` and
``worstRating`` (schema.org's defaults are 5 and 1), falls exactly on a point of the
desk's true-to-false axis.

Some common labels name something the desk's scale does not measure: *misleading*,
*missing context*, *altered or manipulated media*, *satire*. The table knows them and
maps them to "Not on our scale" on purpose (``OFF_SCALE``), so they are kept and
reported like any unmapped label, never guessed onto a point of the axis; a desk that
rates them can map them with ``FACTCHECK_RATING_ALIASES``.
"""

import unicodedata
from decimal import Decimal
from typing import NamedTuple

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
        "verdade",
        "es stimmt",
        "stimmt",
        "zutreffend",
        "sach",
        "सच",
        "सही",
        "सत्य",
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
        "mayormente cierto",
        "en su mayoria verdadero",
        "praticamente verdadeiro",
        "quase verdadeiro",
        "em grande parte verdadeiro",
        "globalement vrai",
        "grosstenteils richtig",
        "grosstenteils wahr",
        "weitgehend wahr",
        "quasi vero",
        "sostanzialmente vero",
        "ज़्यादातर सच",
        "अधिकतर सच",
        "अधिकतर सही",
        "काफी हद तक सही",
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
        "mostly inaccurate",
        "mayormente falsa",
        "en su mayoria falso",
        "praticamente falso",
        "quase falso",
        "em grande parte falso",
        "globalement faux",
        "grosstenteils falsch",
        "quasi falso",
        "sostanzialmente falso",
        "ज़्यादातर गलत",
        "अधिकतर गलत",
        "अधिकतर झूठ",
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
        "falsehood",
        "totally false",
        "completely false",
        "falso total",
        "completamente falso",
        "falsa informacion",
        "falsificado",
        "infox",
        "intox",
        "c est faux",
        "fausse information",
        "gefalscht",
        "falsa notizia",
        "notizia falsa",
        "bufala",
        "गलत",
        "ग़लत",
        "झूठ",
        "झूठा",
        "फर्जी",
        "फ़र्ज़ी",
        "फेक",
        "असत्य",
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
        "unsubstantiated",
        "no proof",
        "sin sustento",
        "no se puede probar",
        "no comprobado",
        "insustentavel",
        "sem provas",
        "nao comprovado",
        "sem evidencias",
        "non prouve",
        "infonde",
        "sans preuve",
        "nicht bewiesen",
        "unbewiesen",
        "non provato",
        "non dimostrato",
        "infondato",
        "senza prove",
        "अप्रमाणित",
        "असत्यापित",
        "पुष्टि नहीं",
    ],
    "opinion": ["opinion", "opinión", "opiniao", "avis", "meinung", "opinione", "राय"],
}

# Labels that name what the desk's scale does not measure, by what they mean. They map to
# "Not on our scale" on purpose: known, kept, reported, never placed on the axis.
OFF_SCALE: dict[str, list[str]] = {
    "misleading": [
        "misleading",
        "mostly misleading",
        "deceptive",
        "distorted",
        "distorts the facts",
        "enganoso",
        "engañosa",
        "enganosa",
        "distorcido",
        "trompeur",
        "trompeuse",
        "irrefuhrend",
        "irreführend",
        "fuorviante",
        "ingannevole",
        "भ्रामक",
        "गुमराह करने वाला",
    ],
    "missing context": [
        "missing context",
        "lacks context",
        "needs context",
        "out of context",
        "false context",
        "falta contexto",
        "falta de contexto",
        "sin contexto",
        "fuera de contexto",
        "descontextualizado",
        "sem contexto",
        "fora de contexto",
        "falta contexto",
        "manque de contexte",
        "sans contexte",
        "hors contexte",
        "sorti de son contexte",
        "fehlender kontext",
        "kontext fehlt",
        "aus dem kontext gerissen",
        "ohne kontext",
        "senza contesto",
        "manca di contesto",
        "fuori contesto",
        "decontestualizzato",
        "संदर्भ से बाहर",
        "संदर्भ का अभाव",
        "भ्रामक संदर्भ",
    ],
    "altered or manipulated": [
        "altered",
        "altered image",
        "altered photo",
        "altered video",
        "manipulated",
        "manipulated media",
        "doctored",
        "digitally altered",
        "edited",
        "imagen alterada",
        "alterado",
        "alterada",
        "manipulado",
        "manipulada",
        "montaje",
        "montagem",
        "editado",
        "adulterado",
        "manipule",
        "manipulee",
        "retouche",
        "photo retouchee",
        "image modifiee",
        "montage",
        "manipuliert",
        "bearbeitet",
        "verandert",
        "fotomontage",
        "manipolato",
        "manipolata",
        "alterato",
        "modificato",
        "fotomontaggio",
        "छेड़छाड़",
        "छेड़छाड़ की गई",
        "एडिटेड",
        "संपादित",
    ],
    "satire": [
        "satire",
        "satirical",
        "parody",
        "satira",
        "satírico",
        "parodia",
        "sátira",
        "satirique",
        "parodie",
        "satirisch",
        "satirico",
        "व्यंग्य",
    ],
}


# The most distinct ratings a RatingMapper remembers how it mapped.
MAPPED_KEPT = 10_000


def normalise_label(label: str) -> str:
    """Case, accents, punctuation and spacing removed: 'Verdadero!' and 'verdadero' are one label.

    Only Latin accents go (the combining diacritics); the vowel signs of scripts such as
    Devanagari are part of their letters and stay.
    """
    decomposed = unicodedata.normalize("NFKD", label)
    plain = "".join(char for char in decomposed if not "\u0300" <= char <= "\u036f").casefold()
    kept = (char if char.isalnum() or unicodedata.category(char).startswith("M") else " " for char in plain)
    return " ".join("".join(kept).split())


class RatingMatch(NamedTuple):
    """What a review's rating means on the desk's scale."""

    rating: Rating
    mapped: bool  # False: rated "Not on our scale" (to be reported)
    disagrees: bool = False  # a known label whose ratingValue points elsewhere: the label won


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
        axis = {rating: rating.value for rating in ratings if rating.value is not None}
        self.points: dict[Decimal, Rating] = {}
        if len(axis) > 1:
            worst, best = min(axis.values()), max(axis.values())
            self.points = {Decimal(value - worst) / Decimal(best - worst): r for r, value in axis.items()}
        # Reviews repeat a handful of ratings: each is worked out once (up to a bound).
        self._known: dict[tuple, RatingMatch] = {}

    @classmethod
    def from_settings(cls, extra: dict[str, str] | None = None) -> "RatingMapper":
        aliases = {label: UNMAPPED_SLUG for labels in OFF_SCALE.values() for label in labels}
        aliases |= {label: slug for slug, labels in DEFAULT_ALIASES.items() for label in labels}
        aliases |= getattr(settings, "FACTCHECK_RATING_ALIASES", {}) or {}
        aliases |= extra or {}
        return cls(list(Rating.objects.all()), aliases)

    def map(self, label: str, value: Decimal | None, best: Decimal | None, worst: Decimal | None) -> RatingMatch:
        """The desk's rating for a review's rating: by its label, else (no label) by its value."""
        key = (label, value, best, worst)
        match = self._known.get(key)
        if match is None:
            match = self._map(label, value, best, worst)
            if len(self._known) < MAPPED_KEPT:
                self._known[key] = match
        return match

    def _map(self, label: str, value: Decimal | None, best: Decimal | None, worst: Decimal | None) -> RatingMatch:
        by_value = self._by_value(value, best, worst)
        if label:
            rating = self.by_label.get(normalise_label(label), self.unmapped)
            disagrees = by_value is not None and rating != self.unmapped and by_value != rating
            return RatingMatch(rating, rating != self.unmapped, disagrees)
        if by_value is not None:
            return RatingMatch(by_value, True)
        return RatingMatch(self.unmapped, False)

    def _by_value(self, value: Decimal | None, best: Decimal | None, worst: Decimal | None) -> Rating | None:
        """The point of the axis a ratingValue falls on exactly, if any."""
        if value is None:
            return None
        best = SCHEMA_ORG_BEST if best is None else best
        worst = SCHEMA_ORG_WORST if worst is None else worst
        if best == worst:
            return None
        position = (value - worst) / (best - worst)
        for point, rating in self.points.items():
            if abs(point - position) < Decimal("0.000001"):
                return rating
        return None
