"""Project middleware."""

from simple_history.middleware import HistoryRequestMiddleware

READ_ONLY_PREFIXES = ("/api/",)


def HistoryUserMiddleware(get_response):
    """django-simple-history's request context (who made a change), on writing paths only.

    The public API is read-only: its requests skip the bookkeeping.
    """
    with_history = HistoryRequestMiddleware(get_response)

    def middleware(request):
        if request.path_info.startswith(READ_ONLY_PREFIXES):
            return get_response(request)
        return with_history(request)

    return middleware
