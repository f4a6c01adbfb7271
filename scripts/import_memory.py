"""Peak memory of an import dry run for 50 MB uploads of hostile and valid shapes.

    DATABASE_URL=... .venv/bin/python scripts/import_memory.py [megabytes [word ...]]

With words, only the files whose names contain one of them.

Writes each file to a temporary folder, runs ``manage.py import_claimreview --dry-run``
on it in a child process and prints the child's peak resident memory (VmHWM), its time
and the first line it printed. The database must be migrated (a dry run rolls back).
"""

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZE = int(float(sys.argv[1]) * 1024 * 1024) if len(sys.argv) > 1 else 50 * 1024 * 1024


def repeated(head: str, item: str, tail: str, size: int = SIZE) -> str:
    count = max(1, (size - len(head) - len(tail)) // (len(item) + 1))
    return head + ",".join([item] * count) + tail


def valid_review(n: int) -> dict:
    return {
        "@type": "ClaimReview",
        "url": f"https://checker.example/reviews/{n}",
        "claimReviewed": f"Claim number {n} said something checkable about the world.",
        "datePublished": "2022-09-06",
        "author": {"@type": "Organization", "name": "Checker", "url": "https://checker.example/"},
        "reviewRating": {"@type": "Rating", "alternateName": "False"},
        "itemReviewed": {"@type": "Claim", "author": {"@type": "Person", "name": f"Speaker {n % 500}"}},
    }


def valid_feed() -> str:
    per = len(json.dumps(valid_review(0))) + 1
    return "[" + ",".join(json.dumps(valid_review(n)) for n in range(SIZE // per)) + "]"


# Built one at a time, so this process stays small while each child runs.
SHAPES = {
    "empty objects.json": lambda: repeated("[", "{}", "]"),
    "graph of empty lists.json": lambda: repeated('{"@graph":[', "[]", "]}"),
    "nested 1,000 deep.json": lambda: "[" * 1000 + "]" * 1000,
    "nested 25 M deep.json": lambda: "[" * (SIZE // 2),
    "one huge review.json": lambda: repeated('{"@type":"ClaimReview","x":[', "{}", "]}"),
    "feed of empty items.json": lambda: repeated('{"@type":"DataFeed","dataFeedElement":[', "{}", "]}"),
    "csv 1 M columns.csv": lambda: ",".join(f"c{n}" for n in range(SIZE // 8)) + "\n",
    "csv row of 25 M values.csv": lambda: "url,claimReviewed\n" + repeated("", "a", "\n"),
    "valid reviews.json": valid_feed,
}

# The child reports its own peak (VmHWM is per process image, so nothing of this one counts).
CHILD = """
import runpy, sys
sys.argv = ["manage.py", "import_claimreview", "--dry-run", sys.argv[1]]
try:
    runpy.run_path("manage.py", run_name="__main__")
finally:
    peak = next(line for line in open("/proc/self/status") if line.startswith("VmHWM"))
    print("PEAK", int(peak.split()[1]) // 1024)
"""


def main() -> None:
    print(f"{'file':28} {'MB':>6} {'peak RSS MB':>12} {'seconds':>8}  result", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        words = sys.argv[2:]
        for name, build in SHAPES.items():
            if words and not any(word in name for word in words):
                continue
            path = Path(folder) / name
            path.write_text(build())
            started = time.monotonic()
            child = subprocess.run(
                [sys.executable, "-c", CHILD, str(path)], cwd=ROOT, capture_output=True, text=True, check=False
            )
            seconds = time.monotonic() - started
            lines = [line for line in (child.stdout + child.stderr).splitlines() if line.strip()]
            peak = next((line.split()[1] for line in lines if line.startswith("PEAK ")), "?")
            first = next((line for line in lines if not line.startswith("PEAK ")), "")[:70]
            size = path.stat().st_size / 1024 / 1024
            print(f"{name:28} {size:6.1f} {peak:>12} {seconds:8.1f}  {first}", flush=True)
            path.unlink()


if __name__ == "__main__":
    main()
