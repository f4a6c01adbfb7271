"""Content negotiation."""

from rest_framework.negotiation import DefaultContentNegotiation

from factcheck.prepared import BoundedCache

# DRF's choice (the renderer's position and the media type), by what decides it: the Accept
# header, the format asked for and the renderers offered. Parsing and ranking the header
# cost more than anything else in a list request's checks; callers send a few headers.
CHOSEN = BoundedCache(512)


class ContentNegotiation(DefaultContentNegotiation):
    """DRF's negotiation, skipped when a view has a single format and the caller asks for any,
    and made once per Accept header, format and renderers otherwise.

    A request DRF refuses (406, or a format no renderer has) is refused each time.
    """

    def select_renderer(self, request, renderers, format_suffix=None):
        accept = request.META.get("HTTP_ACCEPT", "*/*")
        if len(renderers) == 1 and accept in ("*/*", "") and not format_suffix:
            renderer = renderers[0]
            return renderer, renderer.media_type
        format = format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
        offered = tuple((type(renderer), renderer.media_type, renderer.format) for renderer in renderers)

        def choose() -> tuple[int, str]:
            renderer, media_type = super(ContentNegotiation, self).select_renderer(request, renderers, format_suffix)
            return renderers.index(renderer), media_type

        position, media_type = CHOSEN.get((accept, format, offered), choose)
        return renderers[position], media_type
