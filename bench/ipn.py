"""VNPAY payment notifications settled per second, end to end (issue 18 item 2): ORDERS payment orders
waiting on PostgreSQL, one signed IPN each posted over HTTP by CLIENTS threads to gunicorn (WORKERS sync
workers) running the application in its default configuration (the receipt job and its hand-over to the
job engine in the request; rate limits on; no job worker running, so the receipts wait in the queue),
against a bare Flask app answering the same requests under the same gunicorn settings in the same run,
the servers taking turns (ten slices of the orders each) so that they share the machine's load alike.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/<an empty database> .venv/bin/python bench/ipn.py [ORDERS] [CLIENTS] [WORKERS]
    BENCH_CODE_ROOT=/tmp/before ...   # also another checkout (the code before a change), on its own orders

Reports settlements per second and latency p50/p95 for each server, and the database round trips of one
IPN counted in-process (statements, BEGIN, COMMIT and ROLLBACK seen by the engine: machine-independent).
Then checks exactly once: every order paid once with one receipt job, and the same IPNs sent again, two
at a time, answered 02 without a second payment.
"""

from __future__ import annotations

import http.client
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
CODE_ROOT = Path(os.environ.get("BENCH_CODE_ROOT") or ROOT)
sys.path.insert(0, str(ROOT / "bench"))
from public_pages import GUNICORN, free_port  # noqa: E402  (bench/ is not a package)

IPN_PATH = "/payments/vnpay/ipn"
ROUNDS = 10
BARE_APP = textwrap.dedent(
    """
    from flask import Flask, jsonify
    app = Flask(__name__)

    @app.route("/", defaults={"path": ""})
    @app.route("/<path:path>")
    def ok(path):
        return jsonify({"RspCode": "00", "Message": "Confirm Success"})
    """
)


def environment(workdir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "APP_ENV": "development",
        "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{workdir}/bench.sqlite3",
        "UPLOAD_FOLDER": str(workdir / "uploads"),
        # The default queue (a SQLite file), in the throwaway folder rather than the checkout's instance/.
        "JOBS_URL": f"sqlite:///{workdir}/jobs.sqlite3",
    }


def make_orders(app, count: int) -> list[dict[str, str]]:
    """`count` orders, each with a VNPAY attempt waiting, and the signed IPN that pays each one."""
    from datetime import timedelta

    from service.extensions import db
    from service.payments.gateways import vnpay
    from service.payments.models import PaymentAttempt, PaymentOrder, new_reference
    from service.timeutil import utcnow

    config, ipns = app.config, []
    with app.app_context():
        for start in range(0, count, 1000):
            orders = [
                PaymentOrder(
                    reference=new_reference("LP"),
                    purpose="other",
                    description=f"Lệ phí thử tải {n}",
                    amount=150_000 + n % 50 * 1000,
                    payer_name="Người nộp thử",
                    payer_email=f"nguoinop{n}@example.vn",
                )
                for n in range(start, min(start + 1000, count))
            ]
            db.session.add_all(orders)
            db.session.flush()
            now = utcnow()
            attempts = [
                PaymentAttempt(
                    order_id=order.id,
                    gateway="vnpay",
                    reference=new_reference("TT"),
                    amount=order.amount,
                    status="pending",
                    created_at=now,
                    expires_at=now + timedelta(hours=2),
                )
                for order in orders
            ]
            db.session.add_all(attempts)
            db.session.commit()
            for n, attempt in enumerate(attempts, start):
                params = {
                    "vnp_TmnCode": config["VNPAY_TMN_CODE"],
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
                params["vnp_SecureHash"] = vnpay.sign(params, config["VNPAY_HASH_SECRET"])
                ipns.append(params)
        db.session.remove()
    return ipns


def round_trips(app, params: dict[str, str]) -> tuple[int, int, str]:
    """(round trips, transactions, the answer) of one IPN through the app, in-process: each statement,
    BEGIN, COMMIT or ROLLBACK, and the pool's ping of a connection it hands out (pool_pre_ping)."""
    from sqlalchemy import event

    from service.extensions import db

    counted = {"statements": 0, "transactions": 0, "ends": 0, "pings": 0}

    def statement(*_args):
        counted["statements"] += 1

    def begin(*_args):
        counted["transactions"] += 1

    def end(*_args):
        counted["ends"] += 1

    def checkout(*_args):
        counted["pings"] += 1

    with app.app_context():
        engine = db.engine
        client = app.test_client()
        client.get(IPN_PATH, query_string={"vnp_TxnRef": "warm-up"})  # imports, the pool's connection
        event.listen(engine, "before_cursor_execute", statement)
        event.listen(engine, "begin", begin)
        event.listen(engine, "commit", end)
        event.listen(engine, "rollback", end)
        event.listen(engine.pool, "checkout", checkout)
        try:
            answer = client.get(IPN_PATH, query_string=params).json["RspCode"]
        finally:
            event.remove(engine, "before_cursor_execute", statement)
            event.remove(engine, "begin", begin)
            event.remove(engine, "commit", end)
            event.remove(engine, "rollback", end)
            event.remove(engine.pool, "checkout", checkout)
    pings = counted["pings"] if engine.pool._pre_ping else 0
    # Each transaction costs a BEGIN and a COMMIT/ROLLBACK besides its statements (SQLite: the BEGIN is
    # one of the statements already; psycopg sends it on its own).
    begins = counted["transactions"] if engine.dialect.name != "sqlite" else 0
    trips = counted["statements"] + begins + counted["ends"] + pings
    return trips, counted["transactions"], answer


def serve(chdir: Path, module: str, env: dict[str, str], workers: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    process = subprocess.Popen(
        [GUNICORN, "--chdir", str(chdir), "-w", str(workers), "-b", f"127.0.0.1:{port}", module],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            get(port, "/healthz")
            return process, port
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit(f"{module} did not start")


def get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def post_all(port: int, ipns: list[dict[str, str]], clients: int) -> tuple[float, list[float], list[str]]:
    """Every IPN once, from `clients` threads: (seconds, latencies in ms, the RspCode of each)."""
    import json

    queue = list(reversed(ipns))
    lock = threading.Lock()
    latencies: list[float] = []
    codes: list[str] = []

    def client() -> None:
        while True:
            with lock:
                if not queue:
                    return
                params = queue.pop()
            started = time.perf_counter()
            status, body = get(port, f"{IPN_PATH}?{urlencode(params)}")
            elapsed = (time.perf_counter() - started) * 1000
            code = json.loads(body).get("RspCode", "?") if status == 200 else f"HTTP {status}"
            with lock:
                latencies.append(elapsed)
                codes.append(code)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - started, latencies, codes


def percentile(values: list[float], share: int) -> float:
    return statistics.quantiles(values, n=100)[share - 1] if len(values) > 1 else values[0]


def check_exactly_once(app, port: int, ipns: list[dict[str, str]], clients: int) -> str:
    """Replays, two identical IPNs at a time: all answered 02; one payment and one receipt job each."""
    from service.documents.models import DocumentJob
    from service.extensions import db
    from service.payments.models import PaymentAttempt, PaymentIncident, PaymentOrder

    doubled = [params for params in ipns[:500] for _ in (0, 1)]
    _, _, codes = post_all(port, doubled, clients)
    references = [params["vnp_TxnRef"] for params in ipns]
    with app.app_context():
        paid = db.session.scalar(
            db.select(db.func.count())
            .select_from(PaymentOrder)
            .join(PaymentAttempt, PaymentAttempt.id == PaymentOrder.paid_attempt_id)
            .where(PaymentOrder.status == "paid", PaymentAttempt.reference.in_(references))
        )
        jobs = db.session.scalar(
            db.select(db.func.count())
            .select_from(DocumentJob)
            .join(PaymentAttempt, PaymentAttempt.order_id == DocumentJob.payment_order_id)
            .where(DocumentJob.kind == "receipt", PaymentAttempt.reference.in_(references))
        )
        incidents = db.session.scalar(db.select(db.func.count()).select_from(PaymentIncident))
        db.session.remove()
    verdict = (
        f"{paid:,} of {len(ipns):,} orders paid, {jobs:,} receipt jobs, {incidents} incidents; "
        f"{len(doubled):,} replays (two at a time): {codes.count('02'):,} answered 02"
    )
    ok = paid == len(ipns) == jobs and incidents == 0 and codes.count("02") == len(doubled)
    return verdict + ("" if ok else "  ** NOT EXACTLY ONCE **")


def main(count: int, clients: int, workers: int) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="gdnn-ipn-"))
    env = environment(workdir)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    from flask_migrate import upgrade

    from service import create_app

    app = create_app()
    with app.app_context():
        upgrade()
    (workdir / "bare.py").write_text(BARE_APP)
    roots = {"ours": ROOT}
    if CODE_ROOT != ROOT:
        roots["before"] = CODE_ROOT
    print(f"preparing {count:,} orders for each of {', '.join(roots)}…", flush=True)
    batches = {name: make_orders(app, count + 1) for name in roots}
    trips, transactions, answer = round_trips(app, batches["ours"].pop())
    print(f"one IPN in-process (ours): {trips} round trips in {transactions} transactions, answered {answer}")
    if "before" in roots:
        batches["before"].pop()
    servers = {name: serve(root, "wsgi:app", env, workers) for name, root in roots.items()}
    servers["bare"] = serve(workdir, "bare:app", env, workers)
    batches["bare"] = batches["ours"]
    results = {}
    try:
        # Warm-up: each worker's imports and its first connection (answered 01: no such order).
        for _, port in servers.values():
            post_all(port, [{"vnp_TxnRef": f"WARM{n}"} for n in range(20)], clients)
        # The servers take turns, ROUNDS slices of their orders each, so that all see the same load
        # (the machine is shared); each slice is posted by CLIENTS threads and timed on its own.
        timing = {name: [0.0, [], []] for name in ("bare", *roots)}
        for round_ in range(ROUNDS):
            for name in timing:
                batch = batches[name][round_::ROUNDS]
                seconds, latencies, codes = post_all(servers[name][1], batch, clients)
                timing[name][0] += seconds
                timing[name][1].extend(latencies)
                timing[name][2].extend(codes)
        for name, (seconds, latencies, codes) in timing.items():
            results[name] = (len(codes) / seconds, percentile(latencies, 50), percentile(latencies, 95))
            unexpected = len(codes) - codes.count("00")
            print(f"{name}: {results[name][0]:,.0f}/s, {unexpected} not answered 00", flush=True)
        verdicts = {name: check_exactly_once(app, servers[name][1], batches[name], clients) for name in roots}
    finally:
        for process, _ in servers.values():
            process.terminate()
            process.wait()
    database = env["DATABASE_URL"].split(":", 1)[0]
    print(
        f"\n{database}, gunicorn {workers} sync workers, {clients} client threads, {count:,} orders "
        f"(load average {os.getloadavg()[0]:.1f})\n"
    )
    print("| server | settlements/s | p50 ms | p95 ms | of bare |")
    print("|---|---:|---:|---:|---:|")
    bare = results["bare"][0]
    for name, (rate, p50, p95) in results.items():
        print(f"| {name} | {rate:,.0f} | {p50:.1f} | {p95:.1f} | {rate / bare:.0%} |")
    for name, verdict in verdicts.items():
        print(f"{name}: {verdict}")


if __name__ == "__main__":
    arguments = [int(a) for a in sys.argv[1:4]]
    count, clients, workers = (arguments + [3000, 8, 2][len(arguments) :])[:3]
    main(count, clients, workers)
