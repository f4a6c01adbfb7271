"""``/healthz``: the process answers (for load balancers), touching neither database nor cache.

It is also the ceiling ``scripts/load_benchmark.py`` measures the API against: the
cheapest answer this Django stack (every middleware) can give under gunicorn.
"""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe


@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")
