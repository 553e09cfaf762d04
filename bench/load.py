"""A provincial peak replayed against the app under gunicorn (issue 18 item 6): citizens browsing the
catalogue and statistics and following their dossiers, citizens saving their e-forms, officials working
their lists, and VNPAY notifying payments, all at once, for SECONDS with CLIENTS threads. Reports the
throughput and latency percentiles per endpoint, and the gunicorn workers' memory after warm-up, after
1,000 requests and at the end (a leak shows as growth between the last two).

    .venv/bin/python bench/load.py [SECONDS] [CLIENTS] [WORKERS]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/<an empty database> .venv/bin/python bench/load.py 60 8 2

The database is SQLite in a throwaway folder unless DATABASE_URL names an (empty) one; it is seeded with
the demo data (`seed-demo`), 2,000 more dossiers and ORDERS payment orders waiting for their IPN.
"""

from __future__ import annotations

import functools
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from public_pages import GUNICORN, free_port  # noqa: E402  (bench/ is not a package)

ORDERS = 3000
PASSWORD = "dong-lua-chin-vang-2026"  # the demo accounts' published password (development only)
# Who is at the door at a peak, and how often each comes back (weights of the mix).
MIX = {"browse": 50, "citizen": 15, "filing": 5, "official": 20, "gateway": 10}


def prepare(workdir: Path) -> tuple[dict[str, str], list[dict[str, str]], str]:
    """The environment of the served app, the signed IPNs to send, and a procedure code."""
    env = {
        **os.environ,
        "APP_ENV": "development",
        "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{workdir}/bench.sqlite3",
        "UPLOAD_FOLDER": str(workdir / "uploads"),
        "JOBS_URL": f"sqlite:///{workdir}/jobs.sqlite3",
        "LOG_LEVEL": "WARNING",
        "RATELIMIT_ENABLED": "0",  # the load comes from one address; limits are measured elsewhere
    }
    os.environ.update(env)
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "seed-demo"],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "bench", "seed-dossiers", "--count", "2000"],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    from service import create_app
    from service.extensions import db
    from service.payments import settlement
    from service.payments.gateways import vnpay
    from service.procedures.models import Procedure

    app = create_app()
    ipns = []
    with app.app_context(), app.test_request_context():
        code = db.session.scalars(db.select(Procedure.code).order_by(Procedure.code)).first()
        for n in range(ORDERS):
            order = settlement.create_order(
                150_000 + n % 50 * 1000, f"Lệ phí thử tải {n}", "other", "Người nộp"
            )
            attempt = settlement.start_attempt(order.id, "vnpay")
            params = {
                "vnp_TmnCode": app.config["VNPAY_TMN_CODE"],
                "vnp_Amount": str(attempt.amount * 100),
                "vnp_BankCode": "NCB",
                "vnp_BankTranNo": f"VNP{n:08d}",
                "vnp_CardType": "ATM",
                "vnp_PayDate": time.strftime("%Y%m%d%H%M%S"),
                "vnp_OrderInfo": f"Thanh toan {attempt.reference}",
                "vnp_TransactionNo": str(14_000_000 + n),
                "vnp_ResponseCode": "00",
                "vnp_TransactionStatus": "00",
                "vnp_TxnRef": attempt.reference,
            }
            params["vnp_SecureHash"] = vnpay.sign(params, app.config["VNPAY_HASH_SECRET"])
            ipns.append(params)
        db.session.remove()
        db.engine.dispose()
    return env, ipns, code


def serve(env: dict[str, str], workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [
            GUNICORN,
            "--chdir",
            str(ROOT),
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/healthz", timeout=5).ok:
                return process, base
        except requests.RequestException:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit("the app did not start")


def worker_memory(master: int) -> list[int]:
    """Resident memory (MB) of each gunicorn worker: the master's children."""
    sizes = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        if re.search(rf"^PPid:\s+{master}$", text, re.M):
            rss = re.search(r"^VmRSS:\s+(\d+) kB", text, re.M)
            sizes.append(int(rss.group(1)) // 1024 if rss else 0)
    return sorted(sizes)


class Recorder:
    def __init__(self) -> None:
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.count = 0
        self.lock = threading.Lock()

    def timed(self, label: str, call, ok=lambda r: r.status_code < 400):
        started = time.perf_counter()
        try:
            response = call()
            good = ok(response)
        except requests.RequestException:
            response, good = None, False
        elapsed = (time.perf_counter() - started) * 1000
        with self.lock:
            self.times[label].append(elapsed)
            self.count += 1
            if not good:
                self.errors[label] += 1
        return response


def new_session() -> requests.Session:
    """A client that gives up on an answer after 30 s (counted as an error) instead of hanging."""
    session = requests.Session()
    session.request = functools.partial(session.request, timeout=30)
    return session


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    return found.group(1) if found else ""


def sign_in(session: requests.Session, base: str, email: str) -> bool:
    import pyotp

    from config import DEMO_TOTP_SECRET

    page = session.get(f"{base}/account/login")
    answer = session.post(
        f"{base}/account/login",
        data={"csrf_token": csrf_of(page.text), "email": email, "password": PASSWORD},
        allow_redirects=False,
    )
    if answer.headers.get("Location", "").endswith("/account/two-factor"):
        page = session.get(f"{base}/account/two-factor")
        code = pyotp.TOTP(DEMO_TOTP_SECRET.replace(" ", "")).now()
        answer = session.post(
            f"{base}/account/two-factor",
            data={"csrf_token": csrf_of(page.text), "code": code},
            allow_redirects=False,
        )
    return answer.status_code in (302, 303)


def run(
    base: str, seconds: float, clients: int, ipns: list[dict[str, str]], code: str, record: Recorder
) -> None:
    stop = time.monotonic() + seconds
    pending = list(ipns)
    pending_lock = threading.Lock()

    def browse(session: requests.Session) -> None:
        for label, path in (
            ("GET /", "/"),
            ("GET /procedures/", "/procedures/"),
            ("GET /procedures/<code>", f"/procedures/{code}"),
            ("GET /api/v1/procedures", "/api/v1/procedures"),
            ("GET /thong-ke", "/thong-ke"),
        ):
            record.timed(label, lambda p=path: session.get(base + p))

    def citizen(session: requests.Session) -> None:
        page = record.timed("GET /dossiers (citizen)", lambda: session.get(f"{base}/dossiers"))
        ids = re.findall(r'href="/dossiers/(\d+)"', page.text if page is not None else "")
        if ids:
            record.timed(
                "GET /dossiers/<id> (citizen)", lambda: session.get(f"{base}/dossiers/{random.choice(ids)}")
            )

    def filing(session: requests.Session) -> None:
        page = session.get(f"{base}/dossiers")
        drafts = re.findall(r'href="/dossiers/(\d+)/edit"', page.text)
        if not drafts:
            return
        url = f"{base}/dossiers/{drafts[0]}/edit"
        form = record.timed("GET /dossiers/<id>/edit", lambda: session.get(url))
        if form is None:
            return
        fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form.text))
        fields["action"] = "save"
        record.timed(
            "POST /dossiers/<id>/edit (save draft)",
            lambda: session.post(url, data=fields, allow_redirects=False),
            lambda r: r.status_code < 500,
        )

    def official(session: requests.Session) -> None:
        page = record.timed("GET /officials/dossiers", lambda: session.get(f"{base}/officials/dossiers"))
        ids = re.findall(r'href="/dossiers/(\d+)"', page.text if page is not None else "")
        if ids:
            record.timed(
                "GET /dossiers/<id> (official)",
                lambda: session.get(f"{base}/dossiers/{random.choice(ids)}"),
            )

    def gateway(session: requests.Session) -> None:
        with pending_lock:
            if not pending and not ipns:
                return
            params = pending.pop() if pending else random.choice(ipns)  # then replays: answered 02
        record.timed(
            "GET /payments/vnpay/ipn",
            lambda: session.get(f"{base}/payments/vnpay/ipn", params=params),
            lambda r: r.ok and r.json().get("RspCode") in ("00", "02"),
        )

    # Signed in once per account (a second factor's code is accepted once), the session shared.
    signed_in = {}
    for who, email in (("citizen", "congdan@demo.gdnn.vn"), ("official", "tiepnhan@demo.gdnn.vn")):
        session = new_session()
        if not sign_in(session, base, email):
            raise SystemExit(f"{email} could not sign in")
        signed_in[who] = session.cookies
    actions = {
        "browse": browse,
        "citizen": citizen,
        "filing": filing,
        "official": official,
        "gateway": gateway,
    }

    def client(slot: int) -> None:
        kinds = random.Random(slot).choices(list(MIX), weights=list(MIX.values()), k=100_000)
        citizen_session, official_session, anonymous = (
            new_session(),
            new_session(),
            new_session(),
        )
        citizen_session.cookies.update(signed_in["citizen"])
        official_session.cookies.update(signed_in["official"])
        for kind in kinds:
            if time.monotonic() >= stop:
                return
            session = {"citizen": citizen_session, "filing": citizen_session, "official": official_session}
            actions[kind](session.get(kind, anonymous))

    threads = [threading.Thread(target=client, args=(slot,)) for slot in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def main(seconds: float, clients: int, workers: int) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="gdnn-load-"))
    print(f"preparing {ORDERS} orders and the demo data…", flush=True)
    env, ipns, code = prepare(workdir)
    process, base = serve(env, workers)
    try:
        warm = Recorder()
        run(base, 3, 2, ipns[:0], code, warm)  # imports, caches, connections
        memory = {"after warm-up": worker_memory(process.pid)}
        record = Recorder()
        sampler_stop = threading.Event()

        def sample() -> None:
            while not sampler_stop.is_set():
                if record.count >= 1000 and "after 1,000 requests" not in memory:
                    memory["after 1,000 requests"] = worker_memory(process.pid)
                time.sleep(0.2)

        sampler = threading.Thread(target=sample)
        sampler.start()
        started = time.monotonic()
        run(base, seconds, clients, ipns, code, record)
        elapsed = time.monotonic() - started
        sampler_stop.set()
        sampler.join()
        memory[f"at the end ({record.count:,} requests)"] = worker_memory(process.pid)
    finally:
        process.terminate()
        process.wait()
    database = env["DATABASE_URL"].split(":", 1)[0]
    print(
        f"\n{database}, gunicorn {workers} sync workers, {clients} clients, {elapsed:.0f} s, "
        f"{record.count / elapsed:.0f} requests/s in all\n"
    )
    print("| endpoint | requests | per s | p50 ms | p95 ms | p99 ms | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, times in sorted(record.times.items()):
        cuts = statistics.quantiles(times, n=100) if len(times) > 1 else times * 99
        print(
            f"| {label} | {len(times):,} | {len(times) / elapsed:.1f} | {cuts[49]:.0f} | {cuts[94]:.0f} | "
            f"{cuts[98]:.0f} | {record.errors.get(label, 0)} |"
        )
    print("\nworker memory (MB, each worker):")
    for moment, sizes in memory.items():
        print(f"  {moment}: {sizes}")


if __name__ == "__main__":
    arguments = [float(a) for a in sys.argv[1:4]]
    seconds, clients, workers = (arguments + [30, 6, 2][len(arguments) :])[:3]
    main(seconds, int(clients), int(workers))
