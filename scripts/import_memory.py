"""Peak memory of an import dry run for 50 MB uploads of hostile and valid shapes.

    DATABASE_URL=... .venv/bin/python scripts/import_memory.py [megabytes]

Writes each file to a temporary folder, runs ``manage.py import_claimreview --dry-run``
on it in a child process and prints the child's peak resident memory (ru_maxrss), its
time and the first line it printed. The database must be migrated (a dry run rolls back).
"""

import json
import os
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


def shapes() -> dict[str, str]:
    one = json.dumps(valid_review(0))
    per = len(one) + 1
    valid = "[" + ",".join(json.dumps(valid_review(n)) for n in range(SIZE // per)) + "]"
    return {
        "empty objects.json": repeated("[", "{}", "]"),
        "graph of empty lists.json": repeated('{"@graph":[', "[]", "]}"),
        "nested 1,000 deep.json": "[" * 1000 + "]" * 1000,
        "nested 25 M deep.json": "[" * (SIZE // 2),
        "one huge review.json": repeated('{"@type":"ClaimReview","x":[', "{}", "]}"),
        "feed of empty items.json": repeated('{"@type":"DataFeed","dataFeedElement":[', "{}", "]}"),
        "csv 1 M columns.csv": ",".join(f"c{n}" for n in range(SIZE // 8)) + "\n",
        "csv row of 25 M values.csv": "url,claimReviewed\n" + repeated("", "a", "\n"),
        "valid reviews.json": valid,
    }


def main() -> None:
    print(f"{'file':28} {'MB':>6} {'peak RSS MB':>12} {'seconds':>8}  result")
    with tempfile.TemporaryDirectory() as folder:
        for name, content in shapes().items():
            path = Path(folder) / name
            path.write_text(content)
            del content
            started = time.monotonic()
            child = subprocess.Popen(
                [sys.executable, "manage.py", "import_claimreview", "--dry-run", str(path)],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            output = child.stdout.read()
            _, _, usage = os.wait4(child.pid, 0)
            seconds = time.monotonic() - started
            first = next((line for line in output.splitlines() if line.strip()), "")[:70]
            size = path.stat().st_size / 1024 / 1024
            print(f"{name:28} {size:6.1f} {usage.ru_maxrss / 1024:12.0f} {seconds:8.1f}  {first}")
            path.unlink()


if __name__ == "__main__":
    main()
