"""Serializers of the claims API, derived from the shapes (claims.api.shapes).

They define the API's OpenAPI schema and serve details. List endpoints for claims and
verdicts build the same shapes as JSON in PostgreSQL or from plain rows (claims.api.rows);
a test holds the three to identical output.
"""

from factcheck.api.shapes import serializer_for

from . import shapes

RatingBriefSerializer = serializer_for(shapes.RATING_BRIEF)
RatingSerializer = serializer_for(shapes.RATING)
TopicSerializer = serializer_for(shapes.TOPIC)
TopicBriefSerializer = serializer_for(shapes.TOPIC_BRIEF)
SpeakerBriefSerializer = serializer_for(shapes.SPEAKER_BRIEF)
SpeakerSerializer = serializer_for(shapes.SPEAKER)
VerdictSummarySerializer = serializer_for(shapes.VERDICT_SUMMARY)
ClaimBriefSerializer = serializer_for(shapes.CLAIM_BRIEF)
ClaimSummarySerializer = serializer_for(shapes.CLAIM_SUMMARY)
VerdictListSerializer = serializer_for(shapes.VERDICT_LIST)
EvidenceSerializer = serializer_for(shapes.EVIDENCE)
AppearanceSerializer = serializer_for(shapes.APPEARANCE)
VerdictInternalSerializer = serializer_for(shapes.VERDICT_INTERNAL)
VerdictDetailSerializer = serializer_for(shapes.VERDICT_DETAIL)
EarlierVerdictSerializer = serializer_for(shapes.EARLIER_VERDICT)
ClaimDetailSerializer = serializer_for(shapes.CLAIM_DETAIL)
