"""The floors benchmark_api times the API against: the same JSON from one hand-written statement.

Written independently of the API's own SQL (claims.api.shapes), so that a difference in
output is caught by the comparison rather than shared by both sides.
"""

from claims.choices import VerdictStatus
from claims.models import Appearance, Claim, Topic, Verdict

BASE = "http://testserver/api/v1/"
URLS = {
    "claims": f"{BASE}claims/",
    "speakers": f"{BASE}speakers/",
    "verdicts": f"{BASE}verdicts/",
    "sources": f"{BASE}sources/",
    "publishers": f"{BASE}publishers/",
}

LIST_ITEM = """
    json_build_object(
        'id', c.id, 'url', %(claims)s || c.id || '/', 'text', c.text,
        'speaker', CASE WHEN s.id IS NULL THEN NULL ELSE json_build_object(
            'id', s.id, 'url', %(speakers)s || s.id || '/', 'name', s.name, 'kind', s.kind,
            'is_anonymous', s.is_anonymous, 'role', s.role) END,
        'made_on', c.made_on, 'made_on_text', c.made_on_text, 'made_in', c.made_in, 'language', c.language,
        'verdict', json_build_object(
            'id', v.id, 'url', %(verdicts)s || v.id || '/', 'status', v.status, 'headline', v.headline,
            'rating', CASE WHEN r.id IS NULL THEN NULL ELSE json_build_object(
                'slug', r.slug, 'label', r.label, 'value', r.value, 'colour', r.colour) END,
            'published_at', v.published_at, 'is_correction', v.supersedes_id IS NOT NULL),
        'updated_at', c.updated_at)
"""

# {condition} is one of FILTERS' conditions (percent signs doubled where they are literal).
LIST_FLOOR = f"""
SELECT json_build_object('results', coalesce(json_agg(page.item ORDER BY page.published_at DESC, page.id DESC),
                                              '[]'::json))::text
FROM (
    SELECT v.published_at, v.id, {LIST_ITEM} AS item
    FROM claims_verdict v
    JOIN claims_claim c ON c.id = v.claim_id
    LEFT JOIN claims_rating r ON r.id = v.rating_id
    LEFT JOIN claims_speaker s ON s.id = c.speaker_id
    WHERE v.status = 'published' {{condition}}
    ORDER BY v.published_at DESC, v.id DESC
    LIMIT 50
) page
"""

# Each list filter of the claims list (its query parameter) and the same condition in SQL.
FILTERS = {
    "": "",
    "rating": "AND r.slug = %(rating)s",
    "topic": (
        "AND EXISTS (SELECT 1 FROM claims_claim_topics ct JOIN claims_topic t ON t.id = ct.topic_id "
        "WHERE ct.claim_id = v.claim_id AND t.slug = %(topic)s)"
    ),
    "speaker": "AND c.speaker_id = %(speaker)s",
    "source": (
        "AND EXISTS (SELECT 1 FROM claims_appearance a WHERE a.claim_id = v.claim_id AND a.source_id = %(source)s)"
    ),
    "publisher": (
        "AND EXISTS (SELECT 1 FROM claims_appearance a JOIN sources_source so ON so.id = a.source_id "
        "WHERE a.claim_id = v.claim_id AND so.publisher_id = %(publisher)s)"
    ),
    "language": "AND c.language = %(language)s",
    "published_after": "AND v.published_at >= %(published_after)s",
    "made_after": "AND c.made_on >= %(made_after)s",
    "updated_since": "AND c.updated_at >= %(updated_since)s",
    "q": "AND c.search_document @@ websearch_to_tsquery('english'::regconfig, %(q)s)",
}

SOURCE_BRIEF = """
    json_build_object(
        'id', so.id, 'url', %(sources)s || so.id || '/', 'title', so.title, 'web_url', so.url,
        'publisher', CASE WHEN p.id IS NULL THEN NULL ELSE json_build_object(
            'id', p.id, 'url', %(publishers)s || p.id || '/', 'name', p.name) END,
        'kind', so.kind, 'published_on', so.published_on)
"""

VERSION = """json_build_object('id', o.id, 'url', %(verdicts)s || o.id || '/', 'status', o.status,
    'headline', o.headline, 'rating', json_build_object('slug', orr.slug, 'label', orr.label,
    'value', orr.value, 'colour', orr.colour), 'published_at', o.published_at,
    'is_correction', o.supersedes_id IS NOT NULL"""

DETAIL_FLOOR = f"""
SELECT json_build_object(
    'id', c.id, 'url', %(claims)s || c.id || '/', 'text', c.text,
    'speaker', CASE WHEN s.id IS NULL THEN NULL ELSE json_build_object(
        'id', s.id, 'url', %(speakers)s || s.id || '/', 'name', s.name, 'kind', s.kind,
        'is_anonymous', s.is_anonymous, 'role', s.role) END,
    'made_on', c.made_on, 'made_on_text', c.made_on_text, 'made_in', c.made_in, 'language', c.language,
    'verdict', json_build_object(
        'id', v.id, 'url', %(verdicts)s || v.id || '/', 'status', v.status, 'headline', v.headline,
        'rating', json_build_object('slug', r.slug, 'label', r.label, 'value', r.value, 'colour', r.colour),
        'published_at', v.published_at, 'is_correction', v.supersedes_id IS NOT NULL,
        'explanation', v.explanation, 'public_note', v.public_note,
        'reviewed_by', CASE WHEN rb.id IS NULL THEN NULL ELSE json_build_object(
            'id', rb.id, 'url', %(publishers)s || rb.id || '/', 'name', rb.name) END,
        'review_url', v.review_url, 'original_rating', v.review_rating_label,
        'first_published_at', v.first_published_at, 'retracted_at', v.retracted_at,
        'evidence', coalesce((
            SELECT json_agg(json_build_object(
                'source', {SOURCE_BRIEF}, 'stance', e.stance, 'quote', e.quote, 'note', e.note)
                ORDER BY e.position, e.id)
            FROM claims_evidence e JOIN sources_source so ON so.id = e.source_id
            LEFT JOIN sources_publisher p ON p.id = so.publisher_id
            WHERE e.verdict_id = v.id), '[]'::json),
        'corrects', (
            SELECT {VERSION})
            FROM claims_verdict o JOIN claims_rating orr ON orr.id = o.rating_id WHERE o.id = v.supersedes_id),
        'corrected_by', NULL,
        'claim', json_build_object('id', c.id, 'url', %(claims)s || c.id || '/', 'text', c.text),
        'claim_review_url', %(verdicts)s || v.id || '/claim-review/',
        'updated_at', v.updated_at,
        'internal', NULL),
    'updated_at', c.updated_at,
    'topics', coalesce((
        SELECT json_agg(json_build_object('slug', t.slug, 'name', t.name) ORDER BY t.name)
        FROM claims_claim_topics ct JOIN claims_topic t ON t.id = ct.topic_id WHERE ct.claim_id = c.id), '[]'::json),
    'appearances', coalesce((
        SELECT json_agg(json_build_object('quote', a.quote, 'attributed_to', a.attributed_to,
            'source', {SOURCE_BRIEF}) ORDER BY a.id)
        FROM claims_appearance a JOIN sources_source so ON so.id = a.source_id
        LEFT JOIN sources_publisher p ON p.id = so.publisher_id
        WHERE a.claim_id = c.id), '[]'::json),
    'earlier_verdicts', coalesce((
        SELECT json_agg({VERSION}, 'public_note', o.public_note, 'retracted_at', o.retracted_at)
            ORDER BY o.published_at DESC, o.id DESC)
        FROM claims_verdict o JOIN claims_rating orr ON orr.id = o.rating_id
        WHERE o.claim_id = c.id AND o.status IN ('superseded', 'retracted')), '[]'::json),
    'reviews', coalesce((
        SELECT json_agg({VERSION},
            'reviewed_by', CASE WHEN orb.id IS NULL THEN NULL ELSE json_build_object(
                'id', orb.id, 'url', %(publishers)s || orb.id || '/', 'name', orb.name) END,
            'review_url', o.review_url, 'original_rating', o.review_rating_label)
            ORDER BY o.reviewed_by_id IS NOT NULL, o.published_at DESC, o.id DESC)
        FROM claims_verdict o JOIN claims_rating orr ON orr.id = o.rating_id
        LEFT JOIN sources_publisher orb ON orb.id = o.reviewed_by_id
        WHERE o.claim_id = c.id AND o.status = 'published'), '[]'::json),
    'retraction', NULL,
    'fact_check_url', 'http://testserver/fact-checks/' || c.id || '/'
)::text
FROM claims_claim c
JOIN LATERAL (
    SELECT * FROM claims_verdict v WHERE v.claim_id = c.id AND v.status = 'published'
    ORDER BY v.reviewed_by_id IS NOT NULL, v.published_at DESC, v.id DESC LIMIT 1) v ON true
JOIN claims_rating r ON r.id = v.rating_id
LEFT JOIN claims_speaker s ON s.id = c.speaker_id
LEFT JOIN sources_publisher rb ON rb.id = v.reviewed_by_id
WHERE c.id = %(claim_id)s
"""


def _nth(values, position: int):
    """The value at ``position``, or the last where there are fewer (a small database)."""
    found = values[position : position + 1]
    return found[0] if found else values.reverse()[0]


def pick_values(search: str) -> dict:
    """A value for each filter from the data: things the newest published fact-checks carry."""
    published = Verdict.objects.filter(status=VerdictStatus.PUBLISHED)
    newest = published.order_by("-published_at", "-id")
    claim = Claim.objects.get(pk=newest.values_list("claim_id", flat=True)[0])
    appearance = Appearance.objects.filter(claim__in=newest.values("claim_id")[:200]).select_related("source")[0]
    corrected = newest.filter(supersedes__isnull=False).values_list("claim_id", flat=True).first()
    published_at = _nth(newest.values_list("published_at", flat=True), 500)
    made_on = _nth(Claim.objects.exclude(made_on=None).order_by("-made_on").values_list("made_on", flat=True), 5000)
    # Published verdicts have a publication time (a database constraint); made_on=None is excluded.
    assert published_at is not None and made_on is not None
    tagged = Topic.objects.filter(claims__in=newest.values("claim_id")[:200]).order_by("id").first()
    return {
        "": None,
        "rating": "false",
        "topic": tagged.slug if tagged else Topic.objects.order_by("id").values_list("slug", flat=True)[0],
        "speaker": newest.exclude(claim__speaker=None).values_list("claim__speaker_id", flat=True)[0],
        "source": appearance.source_id,
        "publisher": appearance.source.publisher_id,
        "language": claim.language,
        "published_after": published_at.isoformat(),
        "made_after": made_on.isoformat(),
        "updated_since": _nth(Claim.objects.order_by("-updated_at").values_list("updated_at", flat=True), 5000)
        .isoformat(),
        "q": search,
        "claim_id": corrected or claim.pk,
    }
