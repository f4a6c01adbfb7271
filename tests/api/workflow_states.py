"""A desk with content in every workflow state, for the visibility tests.

Built through the services (and the ClaimReview import) as the desk would build it. Every
piece of text carries a marker word that says whether the public may ever see it, and every
object is classified: ``public`` (its detail answers and something public links to it),
``secret`` (unpublished work: never shown, never linked, its detail is 404) or
``withdrawn`` (a claim whose only verdicts were retracted: its page and detail stay, with
the retraction notice and its wording as retracted, and its retracted verdicts link to it;
what only a standing fact-check shows - speaker, quotes, sources, topics, a wording the
desk gave it since - is not public).
"""

import json
from datetime import date
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from claims import services
from claims.choices import SpeakerKind, VerdictStatus
from claims.importing import Input, import_claimreview
from claims.models import Claim, Evidence, Rating, Speaker, Topic, Verdict
from sources.choices import SourceKind
from sources.models import Publisher, Source
from tests.api.helpers import draft, publish, submit
from tests.api.public_walk import DeskData
from tests.factories import make_appearance, make_claim, make_publisher, make_source, make_speaker

PUBLIC, SECRET, WITHDRAWN = "public", "secret", "withdrawn"
MODELS = {
    "claims": Claim,
    "verdicts": Verdict,
    "speakers": Speaker,
    "sources": Source,
    "publishers": Publisher,
}

# Parameter values only unpublished work carries: a list filtered by one must be empty.
# (Each is used below by unpublished work and by nothing public.)
SECRET_ONLY = {
    "language": {"eo", "uk"},
    "rating": {"unverifiable", "half-true"},
    # Speakers and sources share the parameter name; their kinds do not overlap.
    "kind": {
        SpeakerKind.GROUP.value,
        SourceKind.REPORT.value,
        SourceKind.OFFICIAL_STATEMENT.value,
        SourceKind.BROADCAST.value,
        SourceKind.SOCIAL_POST.value,
    },
    "is_anonymous": {"true"},
}


def member(username: str, group: str | None, *, is_staff: bool = True, **fields):
    user = get_user_model().objects.create_user(
        username=username, password=username, is_staff=is_staff, email=f"{username}@zqmail.example", **fields
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


class Desk(DeskData):
    def __init__(self):
        self.keys = {kind: {} for kind in ("claims", "verdicts", "speakers", "sources", "publishers", "topics")}
        self.keys["ratings"] = dict.fromkeys(Rating.objects.values_list("slug", flat=True), PUBLIC)
        self.markers: dict[str, bool] = {}
        self.reviewable_verdicts: set[str] = set()
        self.found: dict[str, set[str]] = {
            "language": set(),
            "web_url": set(),
            "languageCode": set(),
            "reviewPublisherSiteFilter": set(),
            # Google-style page tokens the search hands out: the first page's and the second's.
            "pageToken": {"MA", "MQ"},
        }
        self.secret_sites: set[str] = set()
        self.secret_only = {name: set(values) for name, values in SECRET_ONLY.items()}
        self.secret_urls: set[str] = set()
        self.batch = "published world"
        self.batch_of: dict[tuple[str, str], str] = {}

    # Bookkeeping -----------------------------------------------------------------------

    def public(self, marker: str) -> str:
        self.markers[marker] = True
        return marker

    def secret(self, marker: str) -> str:
        self.markers[marker] = False
        return marker

    def add(self, kind: str, obj, visibility: str):
        key = obj.slug if kind == "topics" else str(obj.pk)
        self.keys[kind][key] = visibility
        self.batch_of[(kind, key)] = self.batch
        if kind == "sources" and obj.url:
            self.found["web_url"].add(obj.url)
            if visibility != PUBLIC:
                self.secret_urls.add(obj.url)
        if kind in ("claims", "sources"):
            self.found["language"].add(obj.language)
            self.found["languageCode"].add(obj.language)
        if kind == "publishers" and obj.url:
            site = urlsplit(obj.url).hostname
            self.found["reviewPublisherSiteFilter"].add(site)
            if visibility != PUBLIC:
                self.secret_sites.add(site)
        return obj

    def finish(self):
        """Derive what the walk needs from the data as it now stands."""
        self.secret_only["web_url"] = set(self.secret_urls)
        self.secret_only["reviewPublisherSiteFilter"] = self.secret_sites - {
            urlsplit(publisher.url).hostname
            for key, visibility in self.keys["publishers"].items()
            if visibility == PUBLIC and (publisher := Publisher.objects.get(pk=key)).url
        }
        self.secret_only["languageCode"] = set(self.secret_only["language"])
        self.values = {name: sorted(values) for name, values in self.found.items()}
        public_claims = {key for key, visibility in self.keys["claims"].items() if visibility == PUBLIC}
        withdrawn_claims = {key for key, visibility in self.keys["claims"].items() if visibility == WITHDRAWN}
        self.visible_at = {
            (kind, ""): {key for key, visibility in keys.items() if visibility == PUBLIC}
            for kind, keys in self.keys.items()
        }
        # A withdrawn claim keeps its detail and page, with the retraction; ClaimReview
        # exists for a standing, published verdict only.
        self.visible_at[("claims", "")] = public_claims | withdrawn_claims
        self.visible_at[("claims", "claim-review")] = public_claims
        self.visible_at[("claims", "fact-check page")] = public_claims | withdrawn_claims
        self.visible_at[("verdicts", "claim-review")] = set(self.reviewable_verdicts)
        self.moments = self._moments()
        self.dates = sorted(
            {str(d) for d in Claim.objects.exclude(made_on=None).values_list("made_on", flat=True)}
            | {str(d) for d in Source.objects.exclude(published_on=None).values_list("published_on", flat=True)}
        )
        for marker in [m for m, public in self.markers.items() if not public]:
            for other in [m for m, public in self.markers.items() if public]:
                # A search for a secret word must not find public text that happens to contain it.
                assert marker not in other, (marker, other)
        return self

    def _moments(self) -> list[str]:
        """When each batch of unpublished work began and ended, and every publication and retraction.

        A date filter set to a moment of unpublished work must answer as it would without
        that work; one set to a publication splits the public record.
        """
        moments = set()
        for batch in sorted(set(self.batch_of.values())):
            done = []
            for (kind, key), of in self.batch_of.items():
                if of != batch or self.keys[kind][key] == PUBLIC or kind in ("topics", "ratings"):
                    continue
                row = MODELS[kind].objects.filter(pk=int(key)).values("updated_at", "created_at").get()
                done += [moment for moment in row.values() if moment is not None]
            if done:
                moments |= {min(done), max(done)}
        public = [int(key) for key, visibility in self.keys["verdicts"].items() if visibility != SECRET]
        for row in Verdict.objects.filter(pk__in=public).values("published_at", "retracted_at"):
            moments |= {moment for moment in row.values() if moment is not None}
        return sorted(moment.isoformat() for moment in moments)

    def verdict(self, obj, visibility: str, *, reviewable: bool = False):
        self.add("verdicts", obj, visibility)
        if reviewable:
            self.reviewable_verdicts.add(str(obj.pk))
        return obj


def build_published_world(d: Desk) -> None:
    """What the public may see, and the internal side of it: published, corrected, retracted, imported."""
    s, p = d.secret, d.public
    d.author = member("zqreviewer", "Reviewer", first_name=s("Zqreviewerfirst"), last_name=s("Zqreviewerlast"))
    d.editor = member("zqeditor", "Editor", first_name=s("Zqeditorfirst"), last_name=s("Zqeditorlast"))
    # Who reviewed and approved is desk business: user names and addresses never appear.
    s("zqreviewer")
    s("zqeditor")
    s("zqmail.example")
    author, editor = d.author, d.editor

    # Published.
    d.public_outlet = d.add(
        "publishers", make_publisher(name=p("zqpublicoutlet"), url="https://zqpublicoutlet.example/"), PUBLIC
    )
    d.public_source = d.add(
        "sources",
        make_source(
            title=p("zqpublicsource"),
            url="https://zqpublicoutlet.example/report",
            publisher=d.public_outlet,
            published_on=date(2022, 9, 5),
            byline=p("zqpublicbyline"),
        ),
        PUBLIC,
    )
    d.public_speaker = d.add("speakers", make_speaker(name=p("zqpublicspeaker"), role=p("zqpublicrole")), PUBLIC)
    d.public_topic = d.add("topics", Topic.objects.create(name=p("zqpublictopic"), slug="zqpublictopic"), PUBLIC)
    d.public_claim = d.add(
        "claims",
        make_claim(
            text=f"{p('zqpublicclaim')} the port handled nine million containers.",
            speaker=d.public_speaker,
            made_on=date(2022, 8, 5),
            made_in=p("zqpublicplace"),
        ),
        PUBLIC,
    )
    d.public_claim.topics.add(d.public_topic)
    make_appearance(d.public_claim, d.public_source, f"{p('zqpublicquote')} said the minister")
    d.published = d.verdict(
        publish(
            d.public_claim,
            author=author,
            editor=editor,
            headline=p("zqpublichead"),
            explanation=p("zqpublicexpl"),
            internal_notes=s("zqpublishednote"),
        ),
        PUBLIC,
        reviewable=True,
    )
    Evidence.objects.create(verdict=d.published, source=d.public_source, note=p("zqpublicevidence"))

    # Published, then corrected: both versions are public, their internal notes are not.
    d.corrected_claim = d.add(
        "claims", make_claim(text=f"{p('zqcorrectedclaim')} exports doubled.", speaker=d.public_speaker), PUBLIC
    )
    make_appearance(d.corrected_claim, d.public_source, "exports doubled")
    # A second public topic, so that every list has a second page to walk to.
    d.corrected_topic = d.add(
        "topics", Topic.objects.create(name=p("zqcorrectedtopic"), slug="zqcorrectedtopic"), PUBLIC
    )
    d.corrected_claim.topics.add(d.corrected_topic)
    d.original = d.verdict(
        publish(
            d.corrected_claim,
            author=author,
            editor=editor,
            headline=p("zqoriginalhead"),
            internal_notes=s("zqsupersedednote"),
        ),
        PUBLIC,
    )
    d.correction = d.verdict(
        services.verdict_correct(
            verdict=d.original,
            actor=editor,
            public_note=p("zqcorrectionpublicnote"),
            changes={
                "headline": p("zqcorrectionhead"),
                "internal_notes": s("zqcorrectionnote"),
                "rating": Rating.objects.get(slug="mostly-false"),
            },
        ),
        PUBLIC,
        reviewable=True,
    )
    d.original.refresh_from_db()

    # Published, then retracted. The retracted verdict stays public with its note and the
    # claim's text; the claim's speaker, quote, source, topics and language were public only
    # while the fact-check stood.
    d.retracted_outlet = d.add("publishers", make_publisher(name=s("zqretractedoutlet")), SECRET)
    d.retracted_source = d.add(
        "sources",
        make_source(
            title=s("zqretractedsource"),
            url="https://zqretractedoutlet.example/broadcast",
            publisher=d.retracted_outlet,
            kind=SourceKind.BROADCAST,
            published_on=date(2021, 1, 2),
        ),
        SECRET,
    )
    d.retracted_speaker = d.add("speakers", make_speaker(name=s("zqretractedspeaker")), SECRET)
    d.retracted_topic = d.add(
        "topics", Topic.objects.create(name=s("zqretractedtopic"), slug="zqretractedtopic"), SECRET
    )
    d.retracted_claim = d.add(
        "claims",
        make_claim(
            text=f"{p('zqretractedclaim')} the dam is failing.",
            speaker=d.retracted_speaker,
            language="uk",
            made_on=date(2021, 1, 1),
        ),
        WITHDRAWN,
    )
    d.retracted_claim.topics.add(d.retracted_topic, d.public_topic)
    make_appearance(d.retracted_claim, d.retracted_source, s("zqretractedquote"))
    d.retracted_cited = d.add(
        "sources", make_source(title=p("zqretractedcited"), url="https://zqretractedcited.example/"), PUBLIC
    )
    d.retracted = publish(
        d.retracted_claim,
        author=author,
        editor=editor,
        headline=p("zqretractedhead"),
        internal_notes=s("zqretractednote"),
    )
    Evidence.objects.create(verdict=d.retracted, source=d.retracted_cited, note=p("zqretractedevidence"))
    d.retracted = d.verdict(
        services.verdict_retract(verdict=d.retracted, actor=editor, public_note=p("zqretractionpublicnote")), PUBLIC
    )

    # Reviews imported from other fact-checkers: published, credited to them. The second
    # one is then retracted by the desk.
    imported = [
        _review(
            p,
            p,
            url="https://zqimportchecker.example/reviews/harbour",
            checker="zqimportchecker",
            claim="zqimportedclaim",
            head="zqimportedhead",
            label="zqimportlabel",
            speaker="zqimportspeaker",
            source="zqimportsource",
            outlet="zqimportoutlet",
            kind="CreativeWork",
        ),
        _review(
            p,
            s,
            url="https://zqimportretractedchecker.example/reviews/bridge",
            checker="zqimportretractedchecker",
            claim="zqimportretractedclaim",
            head="zqimportretractedhead",
            label="zqimportretractedlabel",
            speaker="zqimportretractedspeaker",
            source="zqimportretractedsource",
            outlet="zqimportretractedoutlet",
            kind="SocialMediaPosting",
        ),
    ]
    import_claimreview([Input("zqreviews.json", json.dumps(imported).encode())], actor=editor)
    d.imported = Verdict.objects.select_related("claim__speaker", "reviewed_by").get(review_url=imported[0]["url"])
    d.verdict(d.imported, PUBLIC, reviewable=True)
    d.add("claims", d.imported.claim, PUBLIC)
    d.add("speakers", d.imported.claim.speaker, PUBLIC)
    d.add("publishers", d.imported.reviewed_by, PUBLIC)
    for appearance in d.imported.claim.appearances.select_related("source__publisher"):
        d.add("sources", appearance.source, PUBLIC)
        d.add("publishers", appearance.source.publisher, PUBLIC)
    retracted_import = Verdict.objects.select_related("claim__speaker", "reviewed_by").get(
        review_url=imported[1]["url"]
    )
    d.imported_retracted = d.verdict(
        services.verdict_retract(verdict=retracted_import, actor=editor, public_note=p("zqimportretractionnote")),
        PUBLIC,
    )
    d.imported_retracted_claim = d.add("claims", retracted_import.claim, WITHDRAWN)
    d.add("speakers", retracted_import.claim.speaker, SECRET)
    # The retracted review still names who published it.
    d.add("publishers", retracted_import.reviewed_by, PUBLIC)
    for appearance in retracted_import.claim.appearances.select_related("source__publisher"):
        d.add("sources", appearance.source, SECRET)
        d.add("publishers", appearance.source.publisher, SECRET)


def _review(p, s, *, url, checker, claim, head, label, speaker, source, outlet, kind) -> dict:
    """A ClaimReview from another fact-checker; ``s`` marks what stops being public if it is retracted."""
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": url,
        "datePublished": "2024-03-08T10:00:00+00:00",
        "author": {"@type": "Organization", "name": p(checker), "url": f"https://{checker}.example/"},
        "claimReviewed": f"{p(claim)} the bridge is closed.",
        "headline": p(head),
        "reviewBody": "Records show otherwise.",
        "reviewRating": {"@type": "Rating", "alternateName": p(label)},
        "itemReviewed": {
            "@type": "Claim",
            "author": {"@type": "Person", "name": s(speaker)},
            "datePublished": "2024-03-07",
            "appearance": [
                {
                    "@type": kind,
                    "url": f"https://{outlet}.example/story",
                    "headline": s(source),
                    "publisher": {"@type": "Organization", "name": s(outlet)},
                }
            ],
        },
    }


def add_unpublished_work(d: Desk, prefix: str, *, withdrawn_claim: Claim) -> None:
    """Work in progress in every state, with its own marker ``prefix``; none of it is public.

    Some of it touches public objects (a draft quoting a public source, a verdict in review
    on the public speaker's claim, a returned verdict citing public evidence) and some of
    it reopens a withdrawn claim, where a new quote and a new source are as unpublished as
    the new draft.
    """
    s = d.secret
    author, editor = d.author, d.editor
    d.batch = prefix

    # A draft with its own speaker, source, publisher, topic and cited source.
    outlet = d.add(
        "publishers",
        make_publisher(name=s(f"{prefix}draftoutlet"), url=f"https://{prefix}draftoutlet.example/"),
        SECRET,
    )
    source = d.add(
        "sources",
        make_source(
            title=s(f"{prefix}draftsource"),
            url=f"https://{prefix}draftoutlet.example/report",
            publisher=outlet,
            kind=SourceKind.REPORT,
            published_on=date(2021, 3, 4),
            byline=s(f"{prefix}draftbyline"),
            language="eo",
        ),
        SECRET,
    )
    cited = d.add(
        "sources",
        make_source(
            title=s(f"{prefix}draftcited"),
            url=f"https://{prefix}draftcited.example/statement",
            kind=SourceKind.OFFICIAL_STATEMENT,
        ),
        SECRET,
    )
    speaker = d.add(
        "speakers",
        make_speaker(
            name=s(f"{prefix}draftspeaker"),
            kind=SpeakerKind.GROUP,
            is_anonymous=True,
            role=s(f"{prefix}draftrole"),
            affiliation=s(f"{prefix}draftaffiliation"),
        ),
        SECRET,
    )
    topic = d.add("topics", Topic.objects.create(name=s(f"{prefix}drafttopic"), slug=f"{prefix}drafttopic"), SECRET)
    claim = d.add(
        "claims",
        make_claim(
            text=f"{s(f'{prefix}draftclaim')} the mine reopened.",
            speaker=speaker,
            made_on=date(2021, 3, 4),
            made_in=s(f"{prefix}draftplace"),
            language="eo",
        ),
        SECRET,
    )
    claim.topics.add(topic, d.public_topic)
    make_appearance(claim, source, s(f"{prefix}draftquote"), attributed_to=s(f"{prefix}draftattribution"))
    make_appearance(claim, d.public_source, s(f"{prefix}draftsharedquote"))
    verdict = d.verdict(
        draft(
            claim,
            author=author,
            rating="unverifiable",
            headline=s(f"{prefix}drafthead"),
            explanation=s(f"{prefix}draftexpl"),
            internal_notes=s(f"{prefix}draftnote"),
        ),
        SECRET,
    )
    Evidence.objects.create(verdict=verdict, source=cited, note=s(f"{prefix}draftevidence"))
    Evidence.objects.create(verdict=verdict, source=d.public_source, quote=s(f"{prefix}draftpassage"))

    # In review: one by its own speaker, one by the public speaker; both tagged with the public topic.
    review_speaker = d.add("speakers", make_speaker(name=s(f"{prefix}reviewspeaker")), SECRET)
    for speaker_of, name in ((review_speaker, "review"), (d.public_speaker, "reviewpublic")):
        review_claim = d.add(
            "claims", make_claim(text=f"{s(f'{prefix}{name}claim')} wages rose.", speaker=speaker_of), SECRET
        )
        review_claim.topics.add(d.public_topic)
        make_appearance(review_claim, d.public_source, s(f"{prefix}{name}quote"))
        in_review = submit(
            review_claim,
            author=author,
            rating="half-true",
            headline=s(f"{prefix}{name}head"),
            explanation=s(f"{prefix}{name}expl"),
            internal_notes=s(f"{prefix}{name}note"),
        )
        d.verdict(in_review, SECRET)
        Evidence.objects.create(verdict=in_review, source=d.public_source, note=s(f"{prefix}{name}evidence"))

    # Returned to its reviewer with a comment, on the public speaker's claim.
    returned_claim = d.add(
        "claims", make_claim(text=f"{s(f'{prefix}returnedclaim')} taxes fell.", speaker=d.public_speaker), SECRET
    )
    returned = submit(returned_claim, author=author, rating="true", headline=s(f"{prefix}returnedhead"))
    d.verdict(services.verdict_return(verdict=returned, actor=editor, comment=s(f"{prefix}returncomment")), SECRET)

    # A claim with no verdict at all.
    lonely_speaker = d.add("speakers", make_speaker(name=s(f"{prefix}lonelyspeaker")), SECRET)
    lonely = d.add(
        "claims", make_claim(text=f"{s(f'{prefix}lonelyclaim')} rain is coming.", speaker=lonely_speaker), SECRET
    )
    make_appearance(lonely, d.public_source, s(f"{prefix}lonelyquote"))

    # The withdrawn claim checked again: reworded by the reviewer (the new wording is as
    # unpublished as the new draft), a new draft, a new quote from a new source.
    withdrawn_claim.text = f"{s(f'{prefix}rewordedclaim')} {withdrawn_claim.text}"
    withdrawn_claim.save()
    redraft_source = d.add(
        "sources",
        make_source(
            title=s(f"{prefix}redraftsource"), url=f"https://{prefix}redraft.example/post", kind=SourceKind.SOCIAL_POST
        ),
        SECRET,
    )
    make_appearance(withdrawn_claim, redraft_source, s(f"{prefix}redraftquote"))
    d.verdict(
        draft(
            withdrawn_claim,
            author=author,
            headline=s(f"{prefix}redrafthead"),
            explanation=s(f"{prefix}redraftexpl"),
            internal_notes=s(f"{prefix}redraftnote"),
        ),
        SECRET,
    )


def build_desk() -> Desk:
    d = Desk()
    build_published_world(d)
    add_unpublished_work(d, "zq", withdrawn_claim=d.retracted_claim)
    return d.finish()


def statuses_of(d: Desk) -> set[str]:
    """Every workflow state present in the data (a check that none is missing)."""
    keys = [int(key) for key in d.keys["verdicts"]]
    found = set(Verdict.objects.filter(pk__in=keys).values_list("status", flat=True))
    returned = Verdict.objects.filter(pk__in=keys, status=VerdictStatus.DRAFT).exclude(return_comment="").exists()
    imported = Verdict.objects.filter(pk__in=keys).exclude(reviewed_by=None).values_list("status", flat=True)
    return found | ({"returned"} if returned else set()) | {f"imported {status}" for status in imported}
