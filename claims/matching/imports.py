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

An import writes in batches, and a review may restate a claim an earlier batch created:
:class:`Linking` hands the matching index the claims each batch created before the next
batch is linked, rather than have that batch's sync read them back. They are embedded in a
thread of their own while the database writes the rest of their batch (embedding is the
index's work, not the database's). The last batch's claims are not handed over: as before,
the index learns of an import's last claims by its sync once they are committed, so a dry
run or a failed import leaves in it no more than it did (nothing, for an import of one batch).
"""

from concurrent.futures import Future, ThreadPoolExecutor

from django.db import router
from django.db.models import F
from django.db.models.expressions import RawSQL

from ..bulk import Among
from ..models import Claim
from .embedding import embed
from .index import SemanticIndex, loaded_index
from .lexical import document_lexemes_sql
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


class Linking:
    """One import's linking: :func:`claims_to_link` for each batch, the claims the earlier batches
    created handed to the matching index first (see the module docstring). ``close`` when the
    import ends."""

    def __init__(self) -> None:
        self._executor: ThreadPoolExecutor | None = None
        # The claims a batch created, waiting for the next: (index, their rows, their vectors).
        self._waiting: tuple[SemanticIndex, list[tuple], Future] | None = None

    def link(self, statements: list[tuple[str, str]]) -> list[int | None]:
        """:func:`claims_to_link`, once the index holds the claims the earlier batches created."""
        if self._waiting is not None:
            index, rows, vectors = self._waiting
            self._waiting = None
            index.take(rows, vectors.result())
        return claims_to_link(statements)

    def created(self, claims: list[Claim]) -> None:
        """Embed these claims, just written with a published review each, for the next batch.

        Only for the index the import's linking reads, when that is the database written to (a
        replica sees the claims once they are committed and replicated, through its sync),
        and only once loaded (its first sync reads them). Their lexemes are the database's
        (the generated ``match_document``): read here, on the import's connection, which
        alone sees them before the commit.
        """
        using = router.db_for_read(Claim)
        index = loaded_index(using)
        if not claims or index is None or using != router.db_for_write(Claim):
            return
        lexemes_sql = document_lexemes_sql(using)
        rows: list[tuple]
        if lexemes_sql is None:
            rows = [(claim.pk, claim.text, claim.language, claim.updated_at, True) for claim in claims]
        else:
            lexemes = dict(
                Claim.objects.using(using)
                .filter(Among(F("pk"), [claim.pk for claim in claims]))
                .annotate(lexemes=RawSQL(lexemes_sql, []))
                .values_list("pk", "lexemes")
            )
            rows = [
                (claim.pk, claim.text, claim.language, claim.updated_at, True, lexemes[claim.pk]) for claim in claims
            ]
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-linking")
        self._waiting = (index, rows, self._executor.submit(embed, [claim.text for claim in claims]))

    def close(self, *, failed: bool = False) -> None:
        """Stop the thread, once it has embedded what it was given (raising what went wrong there,
        unless ``failed``: the import is failing anyway, and its own error is the one to report)."""
        waiting, self._waiting = self._waiting, None
        try:
            if waiting is not None:
                waiting[2].result()
        except Exception:
            if not failed:
                raise
        finally:
            if self._executor is not None:
                self._executor.shutdown()
                self._executor = None
