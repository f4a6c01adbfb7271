"""What each caller may see: the one place the public/desk boundary is decided.

The policy, in plain words:

- **Desk members** (staff with permission to view verdicts, whether signed in or using
  a token) see everything: drafts, verdicts in review, internal notes, every claim,
  speaker, topic, source and publisher.
- **Everyone else** (anonymous callers and token holders who are not desk members)
  sees only what has been published:
  - verdicts that are or were published: the standing one, the versions a correction
    replaced (superseded) and retractions, always with their public note; never a
    draft, a verdict in review, an internal note or who worked on it;
  - claims with a published verdict, with their speaker, topics, quotes and sources;
  - a *withdrawn* claim (its fact-check was retracted and none stands now) keeps its
    page and its API detail, which show the retraction, the earlier versions and the
    claim's wording as it stood when it was retracted (from the claim's history: the desk
    may reword a withdrawn claim while re-checking it, and that wording is not public
    until a new verdict is published); its speaker, topics, quotes and sources are no
    longer shown, and filtering or searching by them finds nothing;
  - speakers, topics, sources and publishers behind at least one published
    fact-check (sources cited as evidence by any once-published verdict, and
    publishers of imported reviews, count too);
  - the lists of claims only as published; asking for another status is refused.

Views, filtersets, serializers and selectors ask this module; none decides by itself.
"""

from collections.abc import Iterable

from django.db.models import BooleanField, Case, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import Coalesce

from sources.models import Publisher, Source

from .choices import CURRENT_VERDICT_STATUSES, ONCE_PUBLISHED_STATUSES, VerdictStatus
from .models import Appearance, Claim, Evidence, Speaker, Topic, Verdict

# What anyone may see of a verdict once it has been published: the standing version, the
# versions it corrected, and retractions (always with their public note).
PUBLIC_VERDICT_STATUSES = ONCE_PUBLISHED_STATUSES
# The statuses a claim may be listed with: the public only ever sees it as published.
PUBLIC_CLAIM_STATUSES = (VerdictStatus.PUBLISHED,)
# Filters on what a claim carries besides its text, which a claim with no published verdict left hides.
CLAIM_ONLY_FILTERS = ("speaker", "topic", "source", "publisher", "language")


def is_desk_member(user) -> bool:
    """Staff of the desk, who may see unpublished material."""
    return bool(user and user.is_authenticated and user.is_staff and user.has_perm("claims.view_verdict"))


def sees_internal(context: dict) -> bool:
    """A serializer's context says whether its reader may see the desk's internal fields."""
    return bool(context.get("desk_member"))


# Statuses -----------------------------------------------------------------------------------


def verdict_statuses(desk_member: bool) -> tuple[str, ...]:
    """Every status of verdict the caller may see."""
    return tuple(VerdictStatus.values) if desk_member else tuple(s.value for s in PUBLIC_VERDICT_STATUSES)


def claim_list_statuses(desk_member: bool) -> tuple[str, ...]:
    """Statuses a claim may be listed with (one claim, one current verdict)."""
    statuses = CURRENT_VERDICT_STATUSES if desk_member else PUBLIC_CLAIM_STATUSES
    return tuple(s.value for s in statuses)


def claim_detail_statuses(desk_member: bool) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(verdicts shown on a claim's page, the one shown as its verdict)."""
    return verdict_statuses(desk_member), claim_list_statuses(desk_member)


def refused_statuses(requested: set[str], desk_member: bool, public: tuple) -> set[str]:
    """Statuses asked for that the caller may not list (well-formed, but forbidden: a 403)."""
    return set() if desk_member else requested - {str(s) for s in public}


# Querysets ------------------------------------------------------------------------------------


# Which verdict a claim is shown with ---------------------------------------------------------
#
# A claim has at most one verdict of the desk's own standing, and may have published reviews
# imported from other fact-checkers beside it (claims.models.Verdict). Of the verdicts the
# caller may list it with, a claim is shown with the desk's own, else the review most
# recently published (then the newest row). Lists, details, the claim's ClaimReview and the
# matching API all follow this one rule, in SQL or on loaded rows.


def shown_order() -> list:
    """The rule as an ``order_by``: the verdict a claim is shown with comes first."""
    # Imported or not first (false, the desk's own, sorts first), not by which fact-checker.
    imported = ExpressionWrapper(Q(reviewed_by__isnull=False), output_field=BooleanField())
    return [imported.asc(), F("published_at").desc(nulls_last=True), F("id").desc()]


def rank(verdict: Verdict) -> tuple:
    """The rule as a sort key for loaded verdicts: the verdict a claim is shown with sorts first."""
    published = verdict.published_at.timestamp() if verdict.published_at is not None else float("-inf")
    return (verdict.reviewed_by_id is not None, -published, -(verdict.pk or 0))


def shown_verdict(verdicts: Iterable[Verdict], statuses: Iterable[str]) -> Verdict | None:
    """Of a claim's loaded verdicts, the one it is shown with among ``statuses`` (None if none)."""
    listed = set(statuses)
    return min((verdict for verdict in verdicts if verdict.status in listed), key=rank, default=None)


def is_shown_verdict(statuses: Iterable[str]) -> Q:
    """Verdict rows that are the one their claim is shown with, among ``statuses``: one row per claim.

    The desk's own verdict always is (it is alone of its kind); an imported review is when
    no verdict of the same claim with those statuses ranks before it.
    """
    ahead = Verdict.objects.filter(claim_id=OuterRef("claim_id"), status__in=list(statuses)).filter(
        Q(reviewed_by__isnull=True)
        | Q(published_at__gt=OuterRef("published_at"))
        | Q(published_at=OuterRef("published_at"), id__gt=OuterRef("id"))
    )
    return Q(reviewed_by__isnull=True) | Q(~Exists(ahead))


def published_verdict_exists(claim_ref: str = "pk") -> Exists:
    return Exists(Verdict.objects.filter(claim=OuterRef(claim_ref), status=VerdictStatus.PUBLISHED))


def public_claims() -> QuerySet[Claim]:
    """Claims the public may see: those with a published verdict."""
    return Claim.objects.filter(published_verdict_exists())


def retracted_verdict_exists(claim_ref: str = "pk") -> Exists:
    return Exists(Verdict.objects.filter(claim=OuterRef(claim_ref), status=VerdictStatus.RETRACTED))


def public_claim_pages() -> QuerySet[Claim]:
    """Claims with a public page: a standing fact-check, or a retracted one (withdrawn claims)."""
    return Claim.objects.filter(published_verdict_exists() | retracted_verdict_exists())


def claim_wording(prefix: str = ""):
    """The claim's text as the public may read it, as SQL; ``prefix`` is the path to the claim.

    A claim with a published verdict reads as it stands. A withdrawn claim reads as it
    stood at its last retraction: its history's last record up to then (or its first
    record, for claims whose history starts later, or its text when it has no history).
    """
    at = f"{prefix}__" if prefix else ""
    history = Claim.history.model.objects.filter(id=OuterRef(f"{at}id"))
    last_retraction = (
        Verdict.objects.filter(claim_id=OuterRef("id"), status=VerdictStatus.RETRACTED)
        .order_by("-retracted_at")
        .values("retracted_at")[:1]
    )
    as_retracted = (
        history.filter(history_date__lte=Subquery(last_retraction))
        .order_by("-history_date", "-history_id")
        .values("text")[:1]
    )
    first = history.order_by("history_date", "history_id").values("text")[:1]
    return Case(
        When(published_verdict_exists(f"{at}id"), then=F(f"{at}text")),
        default=Coalesce(Subquery(as_retracted), Subquery(first), F(f"{at}text")),
    )


def public_updated_at():
    """When the public record of a claim last changed, as SQL (claims with a public page).

    A claim with a published verdict: its ``updated_at``. A withdrawn claim: its last
    retraction, since nothing the desk does to it afterwards is public.
    """
    last_retraction = (
        Verdict.objects.filter(claim_id=OuterRef("id"), status=VerdictStatus.RETRACTED)
        .order_by("-retracted_at")
        .values("retracted_at")[:1]
    )
    return Case(When(published_verdict_exists("id"), then=F("updated_at")), default=Subquery(last_retraction))


def show_as_withdrawn(claim: Claim, *, retracted_at) -> Claim:
    """Reduce a withdrawn claim (loaded for a public page) to what the public may still see of it.

    Its wording as retracted replaces its text; what only a standing fact-check shows
    (speaker, date and place, topics, quotes) is left out; its public record dates from
    its last retraction (``retracted_at``). The instance is for display only and never saved.
    """
    claim.text = Claim.objects.filter(pk=claim.pk).values_list(claim_wording(), flat=True).get()
    claim.speaker = None
    claim.made_on, claim.made_on_text, claim.made_in = None, "", ""
    # As if its topics and quotes had been prefetched and found empty: nothing reads them.
    claim._prefetched_objects_cache = {  # type: ignore[attr-defined]
        "topics": Topic.objects.none(),
        "appearances": Appearance.objects.none(),
    }
    claim.updated_at = retracted_at
    return claim


def retraction_shown(verdicts: list[Verdict]) -> Verdict | None:
    """Of a claim's verdicts, the retraction its page announces: the newest, when none is published now."""
    if any(verdict.status == VerdictStatus.PUBLISHED for verdict in verdicts):
        return None
    retracted = [verdict for verdict in verdicts if verdict.status == VerdictStatus.RETRACTED]
    return max(retracted, key=lambda verdict: (verdict.retracted_at, verdict.pk), default=None)


def visible_verdicts(*, desk_member: bool) -> QuerySet[Verdict]:
    verdicts = Verdict.objects.all()
    return verdicts if desk_member else verdicts.filter(status__in=PUBLIC_VERDICT_STATUSES)


def visible_claims(*, desk_member: bool) -> QuerySet[Claim]:
    """Claims whose detail answers: for the public, those with a page (withdrawn ones too)."""
    return Claim.objects.all() if desk_member else public_claim_pages()


def public_speakers() -> QuerySet[Speaker]:
    """Speakers of at least one published fact-check; others would reveal work in progress."""
    published = Verdict.objects.filter(status=VerdictStatus.PUBLISHED, claim__speaker=OuterRef("pk"))
    return Speaker.objects.filter(Exists(published))


def visible_speakers(*, desk_member: bool) -> QuerySet[Speaker]:
    return Speaker.objects.all() if desk_member else public_speakers()


def public_topics() -> QuerySet[Topic]:
    tagged = Claim.topics.through.objects.filter(topic=OuterRef("pk")).filter(published_verdict_exists("claim_id"))
    return Topic.objects.filter(Exists(tagged))


def visible_topics(*, desk_member: bool) -> QuerySet[Topic]:
    """Topics used only on unpublished claims do not exist for the public, not even in a 400."""
    return Topic.objects.all() if desk_member else public_topics()


def public_sources() -> QuerySet[Source]:
    """Sources the public may see: where a published claim appeared, or cited by a published verdict."""
    appears = Appearance.objects.filter(source=OuterRef("pk")).filter(published_verdict_exists("claim_id"))
    cited = Evidence.objects.filter(source=OuterRef("pk"), verdict__status__in=PUBLIC_VERDICT_STATUSES)
    return Source.objects.filter(Exists(appears) | Exists(cited))


def visible_sources(*, desk_member: bool) -> QuerySet[Source]:
    return Source.objects.all() if desk_member else public_sources()


def public_publishers() -> QuerySet[Publisher]:
    """Publishers of public sources, and fact-checkers whose reviews were imported and published."""
    reviewed = Verdict.objects.filter(reviewed_by=OuterRef("pk"), status__in=PUBLIC_VERDICT_STATUSES)
    return Publisher.objects.filter(Exists(public_sources().filter(publisher=OuterRef("pk"))) | Exists(reviewed))


def visible_publishers(*, desk_member: bool) -> QuerySet[Publisher]:
    return Publisher.objects.all() if desk_member else public_publishers()


def hide_claims_without_publication(verdicts: QuerySet[Verdict], *, desk_member: bool, used: list[str]):
    """Verdict rows filtered by something only a public claim shows (its speaker, topics...).

    A retracted verdict's claim may have no published verdict left: its text stays on the
    retraction, everything else is hidden again, so outside the desk such filters can only
    find verdicts of claims that still have a published one.
    """
    if used and not desk_member:
        return verdicts.filter(published_verdict_exists("claim_id"))
    return verdicts


def search_as_public(desk_member: bool) -> bool:
    """Whether a search must match only what the public may search of each claim."""
    return not desk_member


def claim_shown_publicly(verdict: Verdict) -> bool:
    """Whether a verdict's claim is public (annotated as ``claim_is_public`` by the verdict detail)."""
    return bool(getattr(verdict, "claim_is_public", False))
