"""Seconds to validate and import N students (default 10,000) from a CSV, then to re-import the same
file (every row an update), then to invoice them for a term, on the database DATABASE_URL names
(SQLite by default; a throwaway file).

    .venv/bin/python bench/school_import.py [ROWS]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/gdnn_bench .venv/bin/python bench/school_import.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main(rows: int) -> None:
    workdir = tempfile.mkdtemp(prefix="gdnn-bench-")
    os.environ.setdefault("APP_ENV", "development")  # the demo settings: production is the default
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
    os.environ.setdefault("UPLOAD_FOLDER", f"{workdir}/uploads")
    os.environ["STUDENT_IMPORT_MAX_BYTES"] = str(50 * 1024 * 1024)
    from flask_migrate import upgrade

    from service import create_app
    from service.accounts import operations as accounts
    from service.database import begin_write
    from service.extensions import db
    from service.schools import fees, imports, invoicing
    from service.schools.models import FeeItem, School, SchoolClass, Term

    app = create_app()
    with app.app_context(), app.test_request_context():
        upgrade()
        begin_write()
        school = School(code=f"B{int(time.time()) % 100000}", name="Trường thử", kind="college")
        db.session.add(school)
        db.session.flush()
        db.session.add(
            SchoolClass(school_id=school.id, code="K26", name="K26", programme="CNTT", level="cao_dang")
        )
        term = Term(
            school_id=school.id, code="HK1", name="HK1", starts_on=date(2026, 9, 1), ends_on=date(2027, 1, 15)
        )
        item = FeeItem(school_id=school.id, code="HP", name="Học phí", kind="tuition_term")
        db.session.add_all([term, item])
        db.session.commit()
        user = accounts.create_official(
            f"bench{school.id}@example.vn",
            "accountant",
            "Bench",
            "ba-con-meo-trang-2026",
            school_id=school.id,
        )
        header = ",".join(imports.TEMPLATE_HEADERS)
        body = "\n".join(
            f"SV{n:06d},Người Học {n},01/01/2007,,K26,,,09{n:08d},sv{n}@example.vn" for n in range(rows)
        )
        data = (header + "\n" + body + "\n").encode("utf-8")

        start = time.perf_counter()
        batch = imports.stage(data, "bench.csv", school.id, user.id)
        validated = time.perf_counter()
        imports.run(batch.id)
        imported = time.perf_counter()
        again = imports.stage(data, "bench.csv", school.id, user.id)
        imports.run(again.id)
        reimported = time.perf_counter()
        fees.add_schedule(
            school.id,
            user.id,
            term_id=term.id,
            fee_item_id=item.id,
            scope="school",
            scope_value="",
            unit_amount=4_000_000,
            credits=None,
            due_on=date(2026, 12, 15),
        )
        before = time.perf_counter()
        result = invoicing.invoice_term(school.id, term.id, user.id)
        invoiced = time.perf_counter()
        print(f"database: {db.engine.url.get_backend_name()}, rows: {rows}")
        print(
            f"validate: {validated - start:.2f} s, import: {imported - validated:.2f} s, "
            f"re-import (updates): {reimported - imported:.2f} s, invoice {result.created}: {invoiced - before:.2f} s"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
