"""Fact-checks moved through the desk's workflow, as the admin would."""

from claims import services
from claims.models import Claim, Rating, Verdict
from tests.factories import make_claim


def publish(claim: Claim, *, reviewer, editor, rating_slug: str = "false", headline: str = "A headline") -> Verdict:
    verdict = Verdict(
        claim=claim,
        rating=Rating.objects.get(slug=rating_slug),
        headline=headline,
        explanation="Why the claim earns this rating.",
    )
    services.verdict_save(verdict=verdict, actor=reviewer)
    services.verdict_submit(verdict=verdict, actor=reviewer)
    return services.verdict_publish(verdict=verdict, actor=editor)


def published_fact_check(text: str, *, reviewer, editor, rating_slug: str = "false", **claim_fields) -> Verdict:
    return publish(
        make_claim(text, **claim_fields), reviewer=reviewer, editor=editor, rating_slug=rating_slug, headline=text
    )


def correct(verdict: Verdict, *, editor, note: str = "The rating was wrong.", **changes) -> Verdict:
    return services.verdict_correct(verdict=verdict, actor=editor, public_note=note, changes=changes)


def retract(verdict: Verdict, *, editor, note: str = "The claim was misattributed.") -> Verdict:
    return services.verdict_retract(verdict=verdict, actor=editor, public_note=note)
