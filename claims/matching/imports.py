"""Imports: a reviewed claim already on file is linked to, not stored a second time.

An imported review names the claim it checks in its own words. When a claim on file
scores at least ``LINK_THRESHOLD`` against it (hybrid score, same language when the
review gives one), the review is attached to that claim, unless the claim already has a
standing review by the same fact-checker.

The threshold is high on purpose: linking two different statements would put one
fact-checker's verdict on a claim it never checked, while a missed link only leaves a
duplicate the desk can merge. Measured on ``benchmark_matching``'s sets at 100,000
claims: claims on the same subject that say something else ("COVID-19 vaccines contain
graphene oxide" against "...contain microchips that track people") score 0.54 at the
median, 0.80 at the 95th percentile and up to 0.94, so a link needs more than the desk's
near-duplicate warning
(``selectors.DUPLICATE_THRESHOLD``, which only asks a person to look).
"""

from .selectors import best_matches

LINK_THRESHOLD = 0.95
# BCP 47 "undetermined": what an import records for a review that names no language.
UNDETERMINED = "und"


def claims_to_link(statements: list[tuple[str, str]]) -> list[int | None]:
    """For each (claim text, language): the id of the claim on file it restates, or None.

    The claim ``match_claims`` ranks first for the statement, when it scores at least
    ``LINK_THRESHOLD``; all statements are matched at once (``best_matches``).
    Whether the claim can take the review (one standing review per fact-checker, and the
    desk's own verdict apart) is the writer's rule (claims.importing.writer), not this one's.
    """
    best = best_matches(
        [(text, language if language and language.lower() != UNDETERMINED else None) for text, language in statements],
        at_least=LINK_THRESHOLD,
        public_only=False,
    )
    return [match.claim_id if match is not None else None for match in best]
