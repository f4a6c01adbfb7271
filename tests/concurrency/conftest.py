"""Races between real database connections: one thread, one connection, per writer.

Tests marked ``postgresql_concurrency`` need writers whose transactions overlap: one
holds a row lock or an uncommitted row while the other reads, waits or writes. Only
PostgreSQL gives them that. On SQLite they mean nothing: the project opens every
transaction with ``BEGIN IMMEDIATE`` (writers queue for the whole database, so no two
write transactions ever overlap), and the test database is an in-memory, shared-cache
database on which a second connection fails at once with "database table is locked"
instead of waiting. So on SQLite they are deselected at collection (``tests/conftest.py``), not
skipped: they do not apply there, and CI runs the suite on PostgreSQL as well, where
they run.
"""

import os
import random

import pytest

SEEDS = pytest.StashKey[list]()


@pytest.fixture
def seeded_random(request):
    """A random generator whose seed is reported, so a failing interleaving can be replayed.

    Set ``FACTCHECK_RACE_SEED`` to replay one; otherwise each run draws a new seed.
    """
    seed = int(os.environ.get("FACTCHECK_RACE_SEED") or random.SystemRandom().randrange(2**32))
    request.config.stash.setdefault(SEEDS, []).append((request.node.nodeid, seed))
    print(f"FACTCHECK_RACE_SEED={seed}")  # shown with the output of a failing test
    return random.Random(seed)


def pytest_terminal_summary(terminalreporter, config):
    seeds = config.stash.get(SEEDS, [])
    if seeds:
        terminalreporter.section("race seeds (replay with FACTCHECK_RACE_SEED=...)")
        for nodeid, seed in seeds:
            terminalreporter.write_line(f"{nodeid}: {seed}")
