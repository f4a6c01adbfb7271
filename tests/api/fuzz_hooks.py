"""schemathesis hooks for the long fuzz run against a live server (``make fuzz``).

Loaded with ``SCHEMATHESIS_HOOKS=tests.api.fuzz_hooks``: gives requests meant to be valid
real cursors and slugs, read from the server under test (see tests.api.fuzz_references).
"""

import threading

import requests
import schemathesis

from tests.api.fuzz_references import collect, use_real_references

_references: dict = {}
_lock = threading.Lock()


def _references_from(base_url: str) -> dict:
    with _lock:
        if base_url not in _references:
            session = requests.Session()

            def get(path: str, params: dict):
                url = path if path.startswith("http") else base_url + path
                response = session.get(url, params=params, timeout=30)
                response.raise_for_status()
                return response.json(), response.headers.get("Link", "")

            _references[base_url] = collect(get)
        return _references[base_url]


@schemathesis.hook
def before_call(context, case, kwargs):
    origin = "{0.scheme}://{0.netloc}".format(requests.utils.urlparse(case.operation.base_url))
    use_real_references(case, _references_from(origin))
