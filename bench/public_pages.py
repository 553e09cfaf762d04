"""Requests per second for the public pages, anonymous, over HTTP through gunicorn (2 sync workers),
against a bare Flask app answering "ok" on the same paths under the same gunicorn settings, in the same
run (issue 18 item 1). Each path is hammered for SECONDS by CLIENTS threads (a new connection per
request, as gunicorn's sync workers close it), ours and bare taking turns, so both see the same load.

    .venv/bin/python bench/public_pages.py [SECONDS] [CLIENTS]
    BENCH_CODE_ROOT=/tmp/before .venv/bin/python bench/public_pages.py 5 4   # also another checkout

BENCH_CODE_ROOT: another checkout of the application (say, the code before a change, from
`git archive <commit> | tar -x -C /tmp/before`), served on the same database and measured in the same
run. The database is SQLite in a throwaway folder unless DATABASE_URL names an (empty) one.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(chdir: Path, module: str, env: dict[str, str]) -> tuple[subprocess.Popen, int]:
    port = free_port()
    process = subprocess.Popen(
        [
            GUNICORN,
            "--chdir",
            str(chdir),
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            module,
        ],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if get(port, "/healthz") in (200, 404):
                return process, port
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit(f"{module} did not start")


def get(port: int, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def rate(port: int, path: str, seconds: float, clients: int) -> float:
    counts = [0] * clients
    failures = []
    stop = time.monotonic() + seconds

    def hammer(slot: int) -> None:
        while time.monotonic() < stop:
            status = get(port, path)
            if status != 200:
                failures.append(status)
                return
            counts[slot] += 1

    threads = [threading.Thread(target=hammer, args=(slot,)) for slot in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise SystemExit(f"{path}: answered {failures[0]}")
    return sum(counts) / (time.monotonic() - started)


BARE_APP = textwrap.dedent(
    """
    from flask import Flask
    app = Flask(__name__)

    @app.route("/", defaults={"path": ""})
    @app.route("/<path:path>")
    def ok(path):
        return "ok"
    """
)


def main(seconds: float, clients: int) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="gdnn-bench-"))
    env = {
        **os.environ,
        "APP_ENV": "development",
        "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{workdir}/bench.sqlite3",
        "UPLOAD_FOLDER": str(workdir / "uploads"),
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    from flask_migrate import upgrade

    from service import create_app
    from service.extensions import db
    from service.procedures.catalogue import import_catalogue
    from service.procedures.models import Procedure

    app = create_app()
    with app.app_context():
        upgrade()
        import_catalogue()
        code = db.session.scalars(db.select(Procedure.code).order_by(Procedure.code)).first()
    (workdir / "bare.py").write_text(BARE_APP)
    servers = {"ours": serve(ROOT, "wsgi:app", env), "bare": serve(workdir, "bare:app", env)}
    if os.environ.get("BENCH_CODE_ROOT"):
        servers["before"] = serve(Path(os.environ["BENCH_CODE_ROOT"]), "wsgi:app", env)
    paths = ["/", "/procedures/", f"/procedures/{code}", "/api/v1/procedures", "/thong-ke", "/healthz"]
    try:
        names = list(servers)
        print(f"{seconds:g} s per path and server, {clients} clients, 2 gunicorn workers each")
        header = " | ".join(f"{name} /s" for name in names)
        print(f"| path | {header} | ours / bare |" + (" before / bare |" if "before" in servers else ""))
        for path in paths:
            for port in (port for _, port in servers.values()):
                rate(port, path, 1, clients)  # warm-up: caches filled, templates compiled
            found = {name: rate(port, path, seconds, clients) for name, (_, port) in servers.items()}
            cells = " | ".join(f"{found[name]:,.0f}" for name in names)
            ratios = f" {found['ours'] / found['bare']:.0%} |"
            if "before" in found:
                ratios += f" {found['before'] / found['bare']:.0%} |"
            print(f"| `{path}` | {cells} |{ratios}", flush=True)
    finally:
        for process, _ in servers.values():
            process.terminate()
            process.wait()


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 5, int(sys.argv[2]) if len(sys.argv) > 2 else 4)
