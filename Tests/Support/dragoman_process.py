"""A `dragoman serve` in a child process, for the Python test suites (browser, robustness).

It builds nothing: it runs the already built binary (`.build/debug/dragoman`, or DRAGOMAN_BIN) on a
free port with a temporary data directory and a key from `dragoman keys create`.
"""

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS", REPO / ".build-python-tests"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    def __init__(self, base_url: str, key: str, data_dir: Path, log: Path):
        self.base_url = base_url
        self.key = key
        self.data_dir = data_dir
        self.log = log


def dragoman_binary() -> Path:
    binary = Path(os.environ.get("DRAGOMAN_BIN", REPO / ".build" / "debug" / "dragoman"))
    if not binary.exists():
        pytest.fail(f"{binary} is missing: run `swift build` first (or set DRAGOMAN_BIN)")
    return binary


def _store_args(data_dir: Path, database: str | None) -> list[str]:
    return ["--data-dir", str(data_dir)] + (["--database", database] if database else [])


def create_key(data_dir: Path, name: str, database: str | None = None) -> str:
    """A new speaker key in the data directory, or in the PostgreSQL `database` (`dragoman keys create`)."""
    return subprocess.run(
        [str(dragoman_binary()), "keys", "create", "--name", name, *_store_args(data_dir, database)],
        check=True, capture_output=True, text=True, timeout=60,
    ).stdout.strip().splitlines()[-1].strip()


def start_server(data_dir: Path, *extra_args: str, database: str | None = None):
    """Runs `dragoman serve` on a free port with a fresh key (on the PostgreSQL `database`, a node
    of a cluster, when given); returns (Server, process)."""
    binary = dragoman_binary()
    key = create_key(data_dir, "tests", database)
    port = _free_port()
    log = data_dir / "serve.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [str(binary), "serve", "--port", str(port), *_store_args(data_dir, database), *extra_args],
            stdout=output, stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the server did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.2)
    return Server(base_url, key, data_dir, log), process


def stop_server(server: Server, process: subprocess.Popen, name: str = "serve.log"):
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(server.log, ARTIFACTS / name)


def resident_bytes(process: subprocess.Popen) -> int:
    """The server's resident memory, from /proc."""
    for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0
