"""Throughput under load: the API against the ceiling of the same gunicorn, on loopback.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/factcheck_bench \\
        .venv/bin/python scripts/load_benchmark.py [--configs gthread:2:4,sync:5:1] [--duration 5]

For each worker configuration (``class:workers:threads``) it starts gunicorn with the
project's ``gunicorn.conf.py`` and the production settings (debug off, HTTPS behind a TLS
proxy, the anonymous throttle counting but set high enough never to refuse), then drives
it with ``wrk`` (Debian's ``wrk`` package; ``make loadbench`` installs it) for:

- ``ceiling``: ``/healthz``, a trivial Django view through every middleware;
- ``list``: the claims list, first page; ``search``: ``?q=`` a mid-frequency word;
- ``detail``: one published claim; ``304``: the list again with its ETag in
  ``If-None-Match``.

Each case is timed right beside a run of the ceiling (``--rounds`` pairs per case,
``--duration`` seconds each, the ceiling first or second in turn) and compared with that
run, so a change in the machine's speed between seconds hits both sides of a ratio alike.
Prints requests/s and p50 and p99 latency per case (medians over rounds), requests/s as a
share of the ceiling run beside it (median, with the lowest and highest), and the
machine's load average, since the benchmark shares the cores with the server it
measures. Bounded: about configurations x 8 x rounds x duration seconds, plus start-up.
Exits non-zero if a case answers anything but its expected status.
"""

import argparse
import atexit
import functools
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
# What the TLS-terminating load balancer adds in production (README: Production).
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}
GOALS = {"list": 0.5, "304": 0.8}


@dataclass
class Case:
    name: str
    path: str
    status: int
    headers: dict[str, str]


@dataclass
class Run:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def fetch(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(f"http://{HOST}:{port}{path}", headers={**PROXY_HEADERS, **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def start_gunicorn(worker_class: str, workers: int, threads: int, port: int, env: dict[str, str]):
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "factcheck.wsgi",
        "--config",
        str(ROOT / "gunicorn.conf.py"),
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        worker_class,
        "--threads",
        str(threads),
    ]
    server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while True:
        try:
            if fetch(port, "/healthz")[0] == 200:
                return server
        except (urllib.error.URLError, ConnectionError):
            pass
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited: {server.stderr.read().decode()[-2000:] if server.stderr else ''}")
        if time.monotonic() > deadline:
            server.terminate()
            raise SystemExit("gunicorn did not answer /healthz within 60 s")
        time.sleep(0.2)


def stop(server) -> None:
    server.terminate()
    try:
        server.wait(15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def cases_for(port: int, search: str) -> list[Case]:
    status, headers, body = fetch(port, "/api/v1/claims/")
    if status != 200:
        raise SystemExit(f"/api/v1/claims/ answered {status}: {body[:300]!r}")
    etag = headers.get("ETag")
    if not etag:
        raise SystemExit("the claims list has no ETag")
    results = json.loads(body)["results"]
    if not results:
        raise SystemExit("no published claims: run generate_claims first")
    detail = f"/api/v1/claims/{results[0]['id']}/"
    cases = [
        Case("ceiling", "/healthz", 200, {}),
        Case("list", "/api/v1/claims/", 200, {}),
        Case("search", f"/api/v1/claims/?q={search}", 200, {}),
        Case("detail", detail, 200, {}),
        Case("304", "/api/v1/claims/", 304, {"If-None-Match": etag}),
    ]
    for case in cases:
        status, _, body = fetch(port, case.path, case.headers)
        if status != case.status:
            raise SystemExit(f"{case.name}: {case.path} answered {status}, not {case.status}: {body[:300]!r}")
    return cases


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def parse_latency(text: str, percentile: str) -> float:
    match = re.search(rf"^\s*{percentile}%\s+([\d.]+)(us|ms|s)\s*$", text, re.MULTILINE)
    if not match:
        raise SystemExit(f"no {percentile}% latency in wrk's output:\n{text}")
    return float(match.group(1)) * UNITS[match.group(2)]


# Requests from many clients: each request's X-Forwarded-For names the next of CLIENTS
# addresses in turn (the server trusts one proxy), as callers behind a load balancer. Each
# run goes on from where the last one stopped (FIRST_CLIENT), so the whole benchmark
# cycles through every address rather than each run through the first few thousand.
SPREAD_CLIENTS = """
local clients = tonumber(os.getenv("CLIENTS"))
local sent = tonumber(os.getenv("FIRST_CLIENT"))
request = function()
  sent = sent + 1
  local n = sent % clients
  wrk.headers["X-Forwarded-For"] = "10." .. math.floor(n / 65536) .. "." .. math.floor(n / 256) % 256 .. "." .. n % 256
  return wrk.format()
end
"""


# Requests sent so far, over every run: where the next run's client addresses start.
_clients_used = [0]


@functools.cache
def spread_script() -> str:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", prefix="clients-", delete=False) as script:
        script.write(SPREAD_CLIENTS)
    atexit.register(os.unlink, script.name)
    return script.name


def run_wrk(port: int, case: Case, *, connections: int, duration: float, clients: int = 1) -> Run:
    command = ["wrk", "--threads", "1", "--connections", str(connections), "--duration", f"{duration:g}s"]
    command += ["--latency", "--timeout", "10s"]
    if clients > 1:
        command += ["--script", spread_script()]
    for name, value in {**PROXY_HEADERS, **case.headers}.items():
        command += ["--header", f"{name}: {value}"]
    command.append(f"http://{HOST}:{port}{case.path}")
    wrk_env = {**os.environ, "CLIENTS": str(clients), "FIRST_CLIENT": str(_clients_used[0] % clients)}
    output = subprocess.run(command, capture_output=True, text=True, check=True, env=wrk_env).stdout
    sent = re.search(r"(\d+) requests in", output)
    _clients_used[0] += int(sent.group(1)) if sent else 0
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if not rate:
        raise SystemExit(f"no Requests/sec in wrk's output:\n{output}")
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    errors = int(bad.group(1)) if bad else 0
    errors += sum(int(n) for n in socket_errors.groups()) if socket_errors else 0
    return Run(float(rate.group(1)), parse_latency(output, "50"), parse_latency(output, "99"), errors)


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def benchmark(config: str, args, env: dict[str, str]) -> dict[str, dict[str, float]]:
    worker_class, workers, threads = config.split(":")
    port = free_port()
    server = start_gunicorn(worker_class, int(workers), int(threads), port, env)
    try:
        cases = cases_for(port, args.search)
        connections = args.connections or max(2, 2 * int(workers) * int(threads))
        print(
            f"\n{worker_class}, {workers} workers x {threads} threads, {connections} connections, "
            f"{args.clients} client address{'es' if args.clients > 1 else ''}, load {load_average()}"
        )
        for case in cases:  # warm every worker's connections and caches before timing
            run_wrk(port, case, connections=connections, duration=1, clients=args.clients)
        # Each case is timed right beside a run of the ceiling, first or second in turn, and
        # compared with that run: this machine's speed can change from one second to the next
        # (other work on its cores), and a case compared with a ceiling timed a minute earlier
        # reads that change as its own.
        ceiling_case, *timed_cases = cases
        runs: dict[str, list[Run]] = {case.name: [] for case in cases}
        ratios: dict[str, list[float]] = {case.name: [] for case in timed_cases}
        for round_number in range(args.rounds):
            for case in timed_cases:
                pair = (ceiling_case, case) if round_number % 2 == 0 else (case, ceiling_case)
                measured = {
                    c.name: run_wrk(port, c, connections=connections, duration=args.duration, clients=args.clients)
                    for c in pair
                }
                runs[case.name].append(measured[case.name])
                runs[ceiling_case.name].append(measured[ceiling_case.name])
                ratios[case.name].append(
                    measured[case.name].requests_per_second / measured[ceiling_case.name].requests_per_second
                )
        # For the same load, check the 304 really was a 304 all along.
        cases_for(port, args.search)
    finally:
        stop(server)
    print(
        f"{'case':<9} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'of ceiling':>11} {'(min-max)':>11} "
        f"{'goal':>6} {'errors':>7}"
    )
    summary = {}
    failed = False
    for name, measured_runs in runs.items():
        rate = statistics.median(run.requests_per_second for run in measured_runs)
        p50 = statistics.median(run.p50_ms for run in measured_runs)
        p99 = statistics.median(run.p99_ms for run in measured_runs)
        errors = sum(run.errors for run in measured_runs)
        failed |= errors > 0
        shares = ratios.get(name, [1.0])
        ratio = statistics.median(shares)
        spread = f"{min(shares):.0%}-{max(shares):.0%}" if name in ratios else ""
        goal = GOALS.get(name)
        mark = "" if goal is None else (f"{goal:.0%}" + ("" if ratio >= goal else " MISS"))
        print(f"{name:<9} {rate:>9.0f} {p50:>8.1f} {p99:>8.1f} {ratio:>10.0%} {spread:>11} {mark:>6} {errors:>7}")
        summary[name] = {"rps": rate, "p99_ms": p99, "ratio": ratio}
    print(f"load average after: {load_average()}")
    if failed:
        raise SystemExit("some requests failed (non-2xx/3xx or socket errors): the figures above are not valid")
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--configs",
        default="gthread:2:4",
        help="Comma-separated worker configurations class:workers:threads (default gthread:2:4).",
    )
    parser.add_argument("--duration", type=float, default=5, help="Seconds per case and round (default 5).")
    parser.add_argument("--rounds", type=int, default=3, help="Interleaved rounds (default 3).")
    parser.add_argument("--connections", type=int, default=0, help="Open connections (default 2 x workers x threads).")
    parser.add_argument(
        "--clients",
        type=int,
        default=1,
        help=(
            "Client addresses the requests come from, in turn, through X-Forwarded-For "
            "(default 1: every request from one caller, as a CMS plugin polling)."
        ),
    )
    parser.add_argument("--search", default="inflation", help="The search term (default: inflation).")
    parser.add_argument(
        "--response-cache",
        choices=("on", "off", "both"),
        default="both",
        help=(
            "Serve repeated public GETs from each process's kept responses (on, production's default), "
            "build every response (off), or measure each configuration both ways (default)."
        ),
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk (make loadbench installs it)")
    if not os.environ.get("DATABASE_URL"):
        raise SystemExit("Set DATABASE_URL to the database to serve (a generate_claims database).")
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(
        {
            # The production settings (README: Production), on loopback behind a "TLS proxy".
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": HOST,
            "DJANGO_BEHIND_TLS_PROXY": "1",
            # The throttle still counts every request; it just never refuses one here.
            "FACTCHECK_API_ANON_RATE": "1000000000/minute",
            # One load balancer in front, whose X-Forwarded-For names the client (--clients).
            "FACTCHECK_NUM_PROXIES": "1",
        }
    )
    configs = [config.strip() for config in args.configs.split(",") if config.strip()]
    modes = ["on", "off"] if args.response_cache == "both" else [args.response_cache]
    planned = len(modes) * len(configs) * (8 * args.rounds * args.duration + 5)
    print(f"about {planned:.0f} s of load; database {env['DATABASE_URL'].rsplit('/', 1)[-1]}", end="")
    print(f", Redis {'on' if env.get('REDIS_URL') else 'off (per-process cache)'}, {os.cpu_count()} CPUs")
    for config in configs:
        for mode in modes:
            # factcheck.api.response_cache: its default budget, or none at all.
            mode_env = {key: value for key, value in env.items() if key != "FACTCHECK_API_RESPONSE_CACHE_BYTES"}
            if mode == "off":
                mode_env["FACTCHECK_API_RESPONSE_CACHE_BYTES"] = "0"
            print(f"\nresponses kept by ETag: {mode}", end="")
            benchmark(config, args, mode_env)


if __name__ == "__main__":
    main()
