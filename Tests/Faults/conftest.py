"""The fault suite: real `dragoman serve` processes, a real PostgreSQL and SQLite, a speaker
streaming recorded speech in real time and a listener reading Spanish captions, while the world
does to them what it does (a node killed, the database restarted, the lock connection cut, the
SQLite file locked) and attackers do what they do (test_abuse.py). Each test counts what was lost;
the figures go to docs/reliability.md."""

import json
import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "Tests" / "Support"))
from dragoman_process import ARTIFACTS  # noqa: E402

RESULTS = ARTIFACTS / "faults.json"


@pytest.fixture(scope="session")
def record():
    """Collects each scenario's figures and writes them, with a table, at the end."""
    rows = []
    yield rows.append
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(rows, indent=2))
    print("\n| fault | finals shown | missing from the transcript | sessions wrongly ended | back after | healthy after | memory after |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row['fault']} | {row['shown']} | {row['missing']} | {row['wronglyEnded']} | {row['backAfter']:.1f} s | "
            f"{'yes' if row['healthy'] else 'no'} | {row['memoryMB']:.0f} MB |"
        )


@pytest.fixture
def database_url():
    url = os.environ.get("DRAGOMAN_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("DRAGOMAN_TEST_POSTGRES_URL is not set (scripts/test.sh starts a PostgreSQL and sets it)")
    return url
