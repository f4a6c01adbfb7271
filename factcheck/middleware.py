"""Project middleware."""

from simple_history.middleware import HistoryRequestMiddleware

from factcheck import routers

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


REPLICA_READ_PREFIXES = ("/api/", "/fact-checks/")
REPLICA_READ_PATHS = ("/",)


def ReplicaReadsMiddleware(get_response):
    """Lets GET and HEAD requests on the public API and pages read from replicas.

    See factcheck.routers. The flags are reset for every request, whatever happened in
    the previous one on this thread.
    """

    def middleware(request):
        public_read = request.method in ("GET", "HEAD") and (
            request.path_info.startswith(REPLICA_READ_PREFIXES) or request.path_info in REPLICA_READ_PATHS
        )
        allowed = routers.replica_reads_allowed.set(public_read)
        written = routers.request_has_written.set(False)
        try:
            return get_response(request)
        finally:
            routers.replica_reads_allowed.reset(allowed)
            routers.request_has_written.reset(written)

    return middleware
