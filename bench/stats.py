"""Milliseconds for the month's service-quality figures (the Decision 766 indicators and the statistics
table) over N dossiers spread across a year (default 100,000 in the measured month, 1,200,000 total is
too slow to build here: the other months hold N/4 each), on the database DATABASE_URL names.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/<an empty database> .venv/bin/python bench/stats.py 100000
"""

from __future__ import annotations

import os
import random
import statistics as stats
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main(per_month: int) -> None:
    workdir = tempfile.mkdtemp(prefix="gdnn-bench-")
    os.environ.setdefault("APP_ENV", "development")  # the demo settings: production is the default
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
    os.environ.setdefault("UPLOAD_FOLDER", f"{workdir}/uploads")
    from flask_migrate import upgrade

    from service import create_app
    from service.accounts import operations as accounts
    from service.dossiers.models import Dossier
    from service.extensions import db
    from service.procedures.catalogue import import_catalogue
    from service.procedures.models import Procedure
    from service.quality import indicators, statistics

    app = create_app()
    with app.app_context(), app.test_request_context():
        upgrade()
        import_catalogue()
        owner = accounts.create_official(
            f"bench{time.time_ns()}@example.vn", "reception", "Bench", "ba-con-meo-trang-2026"
        )
        versions = [p.current_version_id for p in db.session.scalars(db.select(Procedure))]
        rng = random.Random(7)
        month = date(2026, 10, 1)
        built = time.perf_counter()
        sequence = 0
        for offset, count in [(m, per_month if m == 0 else per_month // 4) for m in range(-11, 1)]:
            first = (month + timedelta(days=31 * offset)).replace(day=1)
            rows = []
            for _ in range(count):
                sequence += 1
                received = datetime.combine(first, datetime.min.time()) + timedelta(
                    minutes=rng.randrange(0, 28 * 24 * 60)
                )
                decided = received + timedelta(days=rng.randrange(1, 30)) if rng.random() < 0.8 else None
                due = (received + timedelta(days=rng.randrange(5, 25))).date()
                rows.append(
                    {
                        "code": f"B{sequence:09d}",
                        "owner_id": owner.id,
                        "procedure_version_id": rng.choice(versions),
                        "status": "returned" if decided else "processing",
                        "form_data": [],
                        "channel": "online" if rng.random() < 0.9 else "desk",
                        "submitted_at": received,
                        "received_at": received,
                        "due_date": due,
                        "decided_at": decided,
                        "completed_on_time": (decided.date() <= due) if decided else None,
                        "returned_at": decided,
                        "return_method": ("electronic" if rng.random() < 0.6 else "post")
                        if decided
                        else None,
                        "created_at": received,
                        "updated_at": received,
                        "version": 1,
                        "supplement_count": 0,
                    }
                )
                if len(rows) == 5000:
                    db.session.execute(db.insert(Dossier), rows)
                    db.session.commit()
                    rows = []
            if rows:
                db.session.execute(db.insert(Dossier), rows)
                db.session.commit()
        total = db.session.scalar(db.select(db.func.count()).select_from(Dossier))
        print(
            f"database: {db.engine.url.get_backend_name()}, dossiers: {total} "
            f"({per_month} in the month), built in {time.perf_counter() - built:.0f} s"
        )
        if db.engine.dialect.name == "postgresql":
            db.session.execute(db.text("ANALYZE dossiers"))
            db.session.commit()
        period = indicators.Period(month, date(2026, 10, 31))
        for name, function in [
            ("indicators", lambda: indicators.indicators(period)),
            ("statistics table", lambda: statistics.statistics(period)),
            ("12-month trend", lambda: statistics.monthly_trend(12, date(2026, 10, 31))),
        ]:
            function()
            samples = []
            for _ in range(5):
                start = time.perf_counter()
                function()
                samples.append((time.perf_counter() - start) * 1000)
            print(f"{name}: median {stats.median(samples):.0f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
