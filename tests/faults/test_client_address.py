"""One trusted-proxy setting decides the client address for the lockout, the throttle and logs.

Behind one proxy the client controls everything in X-Forwarded-For left of the entry the
proxy appends, so only that right-most entry may count.
"""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client, RequestFactory, override_settings

from factcheck.api.throttling import AnonRateThrottle
from factcheck.clientip import client_ip

PROXY = "192.0.2.1"  # the load balancer: every request reaches us from it
CLIENT = "198.51.100.7"  # what the load balancer saw and appended


def forwarded(spoofed: str) -> dict:
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"{spoofed}, {CLIENT}"}


@pytest.mark.parametrize(
    ("proxies", "meta", "expected"),
    [
        (0, {"REMOTE_ADDR": CLIENT, "HTTP_X_FORWARDED_FOR": "10.0.0.1"}, CLIENT),
        (1, forwarded("10.0.0.1"), CLIENT),
        (1, {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": CLIENT}, CLIENT),
        (2, {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"10.0.0.1, {CLIENT}, 192.0.2.9"}, CLIENT),
        (1, {"REMOTE_ADDR": PROXY}, PROXY),
        (1, {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "10.0.0.1, not-an-address"}, PROXY),
    ],
)
def test_the_client_is_the_right_most_hop_our_proxies_did_not_write(proxies, meta, expected):
    with override_settings(FACTCHECK_NUM_PROXIES=proxies):
        assert client_ip(RequestFactory().get("/", **meta)) == expected


@pytest.mark.django_db
@override_settings(FACTCHECK_NUM_PROXIES=1)
def test_a_forged_forwarded_for_does_not_escape_the_login_lockout(editor):
    def attempt(password, spoofed):
        return Client().post(
            "/admin/login/?next=/admin/", {"username": editor.username, "password": password}, **forwarded(spoofed)
        )

    statuses = [attempt("wrong", f"10.0.0.{i}").status_code for i in range(8)]
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429] * (9 - settings.AXES_FAILURE_LIMIT)
    assert attempt(editor.username, "10.0.0.99").status_code == 429


@pytest.mark.django_db
@override_settings(FACTCHECK_NUM_PROXIES=1)
def test_a_forged_forwarded_for_does_not_escape_the_api_throttle(monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    statuses = [Client().get("/api/v1/ratings/", **forwarded(f"10.0.1.{i}")).status_code for i in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    other = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.50"}
    assert Client().get("/api/v1/ratings/", **other).status_code == 200


AS_CONFIGURED = """
import django, json
django.setup()
from axes.helpers import get_client_ip_address
from django.test import RequestFactory
from factcheck.api.throttling import AnonRateThrottle
request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="10.0.0.3, 198.51.100.7")
print(json.dumps({"axes": get_client_ip_address(request), "throttle": AnonRateThrottle().get_ident(request)}))
"""


def test_the_documented_proxy_setting_gives_axes_and_the_throttle_the_same_client():
    """Settings as production derives them from FACTCHECK_NUM_PROXIES=1 (a fresh process)."""
    env = {**os.environ, "FACTCHECK_NUM_PROXIES": "1", "DJANGO_SETTINGS_MODULE": "factcheck.settings"}
    result = subprocess.run(
        [sys.executable, "-c", AS_CONFIGURED], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"axes": CLIENT, "throttle": CLIENT}
