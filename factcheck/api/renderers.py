"""Fast JSON rendering for the API."""

import orjson
from rest_framework.renderers import BaseRenderer

# Datetimes as ISO 8601 with "Z" for UTC: the same text DRF's own fields produce.
ORJSON_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS


def _default(value):
    # Lazy translation strings and other str-like objects from DRF error messages.
    return str(value)


class JSONRenderer(BaseRenderer):
    media_type = "application/json"
    format = "json"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        return orjson.dumps(data, default=_default, option=ORJSON_OPTIONS)


class JSONLDRenderer(JSONRenderer):
    """schema.org JSON-LD (ClaimReview), as search engines and fact-check aggregators read it."""

    media_type = "application/ld+json"
    format = "jsonld"
