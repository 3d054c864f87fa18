#!/usr/bin/env bash
# Runs the fault suite (Tests/Faults): real `dragoman serve` processes under a live talk while a
# node is killed, PostgreSQL restarts, the lock connection is cut, the SQLite file is locked and
# the disk fills up, and attacks (Tests/Faults/test_abuse.py: slowloris connections, a crowd of
# listeners reconnecting at once, a client ignoring the close, spoofed X-Forwarded-For, an id sweep,
# a passcode guesser; ABUSE_SLOWLORIS and ABUSE_CROWD set their sizes, 5,000 and 2,000 by default, and
# ABUSE_SLOWLORIS_RATE the slowloris connects a second, 1,000);
# each counts the final captions missing from the stored transcript and the sessions wrongly ended. The PostgreSQL tests need DRAGOMAN_TEST_POSTGRES_URL (scripts/test.sh
# sets it). Extra arguments go to pytest; -s prints the table of figures.
set -euo pipefail
cd "$(dirname "$0")/.."

exec scripts/python-tests.sh -s "$@" Tests/Faults
