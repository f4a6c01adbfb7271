"""Records shaped like what real fact-checkers publish, and helpers to import and count them.

The records follow the ClaimReview markup of PolitiFact, Full Fact, AFP Factuel, Maldita,
Chequeado, CORRECTIV, Les Décodeurs (Le Monde) and Lupa: the fields they fill, the way they
fill them (numbers as strings, appearances as bare URLs or CreativeWorks, free-text
verdicts), in their languages. URLs, names and dates are illustrative.
"""

# Real fact-checks are typeset: typographic apostrophes and dashes are part of the data.
# ruff: noqa: RUF001

import copy
import csv
import io
import json
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError

from claims.importing import Input, import_claimreview
from claims.models import Appearance, Claim, Speaker, Verdict
from sources.models import Publisher, Source

SCHEMA = "https://schema.org"

POLITIFACT = {
    "@context": SCHEMA,
    "@type": "ClaimReview",
    "url": "https://www.politifact.com/factchecks/2024/mar/08/joe-biden/biden-jobs-first-three-years/",
    "datePublished": "2024-03-08T16:02:11-05:00",
    "author": {"@type": "Organization", "name": "PolitiFact", "url": "https://www.politifact.com/"},
    "claimReviewed": "Says 15 million jobs were created in his first three years in office.",
    "headline": "Biden’s claim of 15 million jobs counts the pandemic rebound",
    "reviewRating": {
        "@type": "Rating",
        "ratingValue": "4",
        "bestRating": "6",
        "worstRating": "1",
        "alternateName": "Mostly True",
        "image": "https://static.politifact.com/politifact/rulings/meter-mostly-true.jpg",
    },
    "itemReviewed": {
        "@type": "Claim",
        "author": {
            "@type": "Person",
            "name": "Joe Biden",
            "jobTitle": "President of the United States",
            "sameAs": ["https://www.wikidata.org/wiki/Q6279", "https://en.wikipedia.org/wiki/Joe_Biden"],
        },
        "datePublished": "2024-03-07",
        "appearance": {
            "@type": "CreativeWork",
            "url": "https://www.whitehouse.gov/briefing-room/speeches-remarks/2024/03/07/state-of-the-union-2024/",
            "headline": "Remarks of President Joe Biden – State of the Union Address",
            "datePublished": "2024-03-07",
            "publisher": {"@type": "Organization", "name": "The White House"},
        },
    },
}

FULL_FACT = {
    "@context": SCHEMA,
    "@type": "ClaimReview",
    "url": "https://fullfact.org/health/nhs-waiting-list-seven-million/",
    "datePublished": "2024-01-15",
    "author": {"@type": "Organization", "name": "Full Fact", "url": "https://fullfact.org/"},
    "claimReviewed": "The NHS waiting list has fallen below seven million for the first time since 2022.",
    "headline": "NHS England waiting list figures need context",
    "reviewRating": {
        "@type": "Rating",
        "alternateName": "The waiting list did fall, but the number of patients waiting is still higher than "
        "it was a year earlier, and the figure counts treatments rather than people.",
    },
    "itemReviewed": {
        "@type": "Claim",
        "author": {"@type": "Person", "name": "Rishi Sunak", "jobTitle": "Prime Minister"},
        "datePublished": "2024-01-11",
        "appearance": [
            {
                "@type": "SocialMediaPosting",
                "url": "https://twitter.com/RishiSunak/status/1745432123456789012",
                "headline": "Post on X",
            }
        ],
    },
}

AFP = {
    "@context": "http://schema.org",
    "@type": "ClaimReview",
    "url": "https://factuel.afp.com/doc.afp.com.34HK7X2",
    "datePublished": "2023-11-20T17:45:00+01:00",
    "author": {"@type": "Organization", "name": "AFP Factuel", "url": "https://factuel.afp.com/"},
    "claimReviewed": "Le gouvernement a supprimé l’aide personnalisée au logement pour les étudiants étrangers.",
    "headline": "Non, l’APL n’a pas été supprimée pour les étudiants étrangers",
    "inLanguage": "fr",
    "reviewRating": {
        "@type": "Rating",
        "ratingValue": "1",
        "bestRating": "5",
        "worstRating": "1",
        "alternateName": "Faux",
    },
    "itemReviewed": {
        "@type": "Claim",
        "author": {"@type": "Organization", "name": "Sources multiples"},
        "datePublished": "2023-11-17",
        "appearance": [
            "https://www.facebook.com/permalink.php?story_fbid=pfbid02abc&id=1000123",
            "https://twitter.com/exemple/status/1725555555555555555",
        ],
        "firstAppearance": {
            "@type": "SocialMediaPosting",
            "url": "https://www.facebook.com/permalink.php?story_fbid=pfbid02abc&id=1000123",
        },
    },
}

MALDITA = {
    "@context": SCHEMA,
    "@type": "ClaimReview",
    "url": "https://maldita.es/malditobulo/20240212/dgt-multas-pegatina-medioambiental/",
    "datePublished": "2024-02-12T09:31:00+01:00",
    "author": {"@type": "Organization", "name": "Maldita.es", "url": "https://maldita.es/"},
    "claimReviewed": "La DGT multará con 200 euros a los conductores que no lleven la pegatina medioambiental.",
    "headline": "No, la DGT no multará con 200 euros por no llevar la pegatina medioambiental",
    "inLanguage": "es",
    "reviewRating": {"@type": "Rating", "alternateName": "Falso"},
    "itemReviewed": {
        "@type": "Claim",
        "author": {"@type": "Organization", "name": "Usuarios de redes sociales"},
        "appearance": [
            {
                "@type": "CreativeWork",
                "url": "https://www.tiktok.com/@usuario/video/7334000000000000000",
                "headline": "Vídeo de TikTok sobre la pegatina de la DGT",
            }
        ],
    },
}

CHEQUEADO = {
    "@context": SCHEMA,
    "@type": "ClaimReview",
    "url": "https://chequeado.com/ultimas-noticias/milei-inflacion-mensual-enero/",
    "datePublished": "2024-02-20",
    "author": {"@type": "Organization", "name": "Chequeado", "url": "https://chequeado.com/"},
    "claimReviewed": "La inflación de enero fue la más baja desde que asumió el Gobierno.",
    "headline": "Milei: la inflación de enero fue la más baja desde que asumió",
    "inLanguage": "es",
    "reviewRating": {"@type": "Rating", "alternateName": "Verdadero a medias"},
    "itemReviewed": {
        "@type": "Claim",
        "author": {
            "@type": "Person",
            "name": "Javier Milei",
            "jobTitle": "Presidente de la Nación",
            "affiliation": {"@type": "Organization", "name": "La Libertad Avanza"},
            "sameAs": "https://www.wikidata.org/wiki/Q5718458",
        },
        "datePublished": "2024-02-18",
    },
}

CORRECTIV = {
    "@context": SCHEMA,
    "@type": "ClaimReview",
    "url": "https://correctiv.org/faktencheck/2024/01/25/nein-die-gruenen-wollen-keine-fleischsteuer-von-50-prozent/",
    "datePublished": "2024-01-25T14:20:00+01:00",
    "author": {"@type": "Organization", "name": "CORRECTIV.Faktencheck", "url": "https://correctiv.org/faktencheck/"},
    "claimReviewed": "Die Grünen wollen eine Fleischsteuer von 50 Prozent einführen.",
    "headline": "Nein, die Grünen fordern keine Fleischsteuer von 50 Prozent",
    "inLanguage": "de",
    "reviewRating": {"@type": "Rating", "ratingValue": 1, "bestRating": 5, "worstRating": 1, "alternateName": "Falsch"},
    "itemReviewed": {
        "@type": "Claim",
        "author": {"@type": "Organization", "name": "Blog „Politikstube“"},
        "datePublished": "2024-01-20",
        "appearance": {
            "@type": "NewsArticle",
            "url": "https://politikstube.example/gruene-fleischsteuer",
            "headline": "Grüne planen Fleischsteuer – Wähler sind empört",
        },
    },
}

DECODEURS = {
    "@context": SCHEMA,
    "@type": "ClaimReview",
    "url": "https://www.lemonde.fr/les-decodeurs/article/2024/02/01/agriculteurs-normes-europeennes_6214000_4355770.html",
    "datePublished": "2024-02-01T18:04:12+01:00",
    "author": {"@type": "Organization", "name": "Les Décodeurs", "url": "https://www.lemonde.fr/les-decodeurs/"},
    "claimReviewed": "Les agriculteurs français doivent respecter plus de normes que leurs voisins européens.",
    "headline": "Les normes imposées aux agriculteurs français sont-elles plus sévères qu’ailleurs ?",
    "inLanguage": "fr",
    "reviewRating": {"@type": "Rating", "alternateName": "Plutôt faux"},
    "itemReviewed": {
        "@type": "Claim",
        "author": {
            "@type": "Person",
            "name": "Jordan Bardella",
            "jobTitle": "Président du Rassemblement national",
            "affiliation": "Rassemblement national",
        },
        "datePublished": "2024-01-29",
        "appearance": {
            "@type": "VideoObject",
            "url": "https://www.francetvinfo.fr/replay-radio/invite-de-8h30/jordan-bardella_6300000.html",
            "name": "L’invité de 8h30 : Jordan Bardella",
            "publisher": {"@type": "Organization", "name": "franceinfo"},
        },
    },
}

LUPA = {
    "@context": SCHEMA,
    "@type": "ClaimReview",
    "url": "https://lupa.uol.com.br/jornalismo/2024/03/04/desmatamento-amazonia-recorde",
    "datePublished": "2024-03-04",
    "author": {"@type": "Organization", "name": "Agência Lupa", "url": "https://lupa.uol.com.br/"},
    "claimReviewed": "O desmatamento na Amazônia bateu recorde em janeiro de 2024.",
    "headline": "É falso que o desmatamento na Amazônia bateu recorde em janeiro",
    "inLanguage": "pt-BR",
    "reviewRating": {"@type": "Rating", "alternateName": "Falso"},
    "itemReviewed": {
        "@type": "Claim",
        "author": {"@type": "Person", "name": "Deputado João Ninguém", "jobTitle": "Deputado federal"},
        "appearance": {"@type": "CreativeWork", "url": "https://www.instagram.com/p/C4AbCdEfGhI/"},
    },
}

ALL_REVIEWS = [POLITIFACT, FULL_FACT, AFP, MALDITA, CHEQUEADO, CORRECTIV, DECODEURS, LUPA]

# The models an import writes to, in the order they can be deleted (PROTECT foreign keys).
WRITTEN = [Appearance, Verdict, Claim, Speaker, Source, Publisher]


def review(base: dict, **changes) -> dict:
    """A deep copy of ``base`` with top-level fields replaced (None removes a field)."""
    record = copy.deepcopy(base)
    for key, value in changes.items():
        if value is None:
            record.pop(key, None)
        else:
            record[key] = value
    return record


def without_context(record: dict) -> dict:
    return {key: value for key, value in record.items() if key != "@context"}


def data_feed(*records: dict, item_as_list: bool = True) -> dict:
    return {
        "@context": SCHEMA,
        "@type": "DataFeed",
        "dataFeedElement": [
            {
                "@type": "DataFeedItem",
                "dateCreated": record.get("datePublished", ""),
                "item": [without_context(record)] if item_as_list else without_context(record),
            }
            for record in records
        ],
    }


def json_bytes(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode()


def json_input(name: str, data) -> Input:
    return Input(name, json_bytes(data))


def csv_bytes(columns: list[str], rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode()


def write(path: Path, content: bytes | str | dict | list) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, (dict, list)):
        content = json_bytes(content)
    if isinstance(content, str):
        content = content.encode()
    path.write_bytes(content)
    return path


def run(*inputs: Input, **options):
    """The library entry point, as the command and the admin page call it."""
    return import_claimreview(list(inputs), **options)


def command(name: str, *args, **options) -> tuple[str, str]:
    """Run a management command; (stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    call_command(name, *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def import_command(*args, **options) -> tuple[str, str]:
    return command("import_claimreview", *[str(arg) for arg in args], **options)


def refused_by_command(*args) -> tuple[CommandError, str]:
    """Run import_claimreview expecting a refusal: the CommandError and what it wrote to stderr."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import_claimreview", *[str(arg) for arg in args], stdout=out, stderr=err)
    return caught.value, err.getvalue()


def table_counts() -> dict[str, int]:
    """Rows in every table of the project's apps (history included): proof that nothing was written."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in ("claims", "sources")
    }


def entity_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in WRITTEN}


def verdict_for(url: str, claim_text: str | None = None) -> Verdict:
    verdicts = Verdict.objects.select_related("claim__speaker", "rating", "reviewed_by").filter(review_url=url)
    if claim_text is not None:
        verdicts = verdicts.filter(claim__text=claim_text)
    return verdicts.get()


def outcome(summary, entity: str) -> dict[str, int]:
    """The summary's counts for one entity, without zeros."""
    return {key: value for key, value in summary.counts.get(entity, {}).items() if value}


def delete_everything_imported() -> None:
    """Empty the tables an import writes to (and what hangs off them), respecting PROTECT."""
    from claims.models import Evidence

    Evidence.objects.all().delete()
    Appearance.objects.all().delete()
    # A correction PROTECTs the verdict it supersedes: delete the newest versions first.
    while Verdict.objects.exists():
        Verdict.objects.filter(superseded_by__isnull=True).delete()
    for model in (Claim, Speaker, Source, Publisher):
        model.objects.all().delete()
