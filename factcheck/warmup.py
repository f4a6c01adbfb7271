"""What an app server does once, before it takes its first request.

The OpenAPI document takes about a second of CPU to build and the matching model a few
seconds to load; left to the first requests, each worker would make its first callers
wait that long (longer under load). gunicorn loads the app in its master process
(``preload_app`` in gunicorn.conf.py) and its workers fork from it, so this runs once and
the workers share the result.
"""

import logging

from django.conf import settings
from django.db import connections
from django.test import RequestFactory

logger = logging.getLogger(__name__)


def warm_up() -> None:
    """Build the OpenAPI document (YAML and JSON) and load the matching model.

    A failure here only costs the speed it would have saved, so it is logged, not raised:
    the first request that needs the part does the work itself.
    """
    from claims.matching.embedding import model
    from factcheck.api.schema import SchemaView

    host = next((name.lstrip(".") for name in settings.ALLOWED_HOSTS if name != "*"), "localhost")
    view = SchemaView.as_view()
    try:
        for query in ("", "?format=json"):
            request = RequestFactory().get(f"/api/schema/{query}", SERVER_NAME=host, secure=settings.HTTPS)
            view(request).render()
        model()
    except Exception:
        logger.exception("warm-up failed; the first requests will do the work")
    finally:
        # Nothing opened here may be shared by the forked workers.
        connections.close_all()
