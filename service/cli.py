"""Commands: `flask --app wsgi <group> <command>`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from config import DEMO_TOTP_SECRET
from service.accounts.roles import Role
from service.audit.commands import audit_cli
from service.extensions import db

users_cli = AppGroup("users", help="Tài khoản cán bộ.")
catalogue_cli = AppGroup("catalogue", help="Danh mục thủ tục hành chính.")
backup_cli = AppGroup("backup", help="Sao lưu và phục hồi dữ liệu.")
bench_cli = AppGroup("bench", help="Dữ liệu đo hiệu năng (không dùng trong production).")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option(
    "--role",
    required=True,
    type=click.Choice([r.value for r in Role if r not in (Role.CITIZEN, Role.ORGANISATION)]),
)
@click.option("--name", "full_name", default="Cán bộ", show_default=True)
@click.option(
    "--password",
    default=None,
    help="Development only. Without it, a set-password link is emailed (or kept in the development outbox).",
)
@click.option(
    "--print-link",
    is_flag=True,
    help="Print the single-use set-password link here instead of emailing it (the first administrator).",
)
@click.option("--department", default=None, help="Department code (see /admin/departments).")
@click.option("--school", default=None, help="School code: the user works for that school only.")
@click.option("--position", default=None)
def create_user(email, role, full_name, password, print_link, department, school, position):
    """Create an official's account (officials cannot self-register)."""
    from service.accounts import operations

    if password and current_app.config["ENV_NAME"] == "production":
        # A password chosen by the administrator would stay the official's (ASVS 4.0.3 2.3.1).
        raise click.ClickException(
            "--password chỉ dùng khi phát triển: cán bộ tự đặt mật khẩu từ liên kết gửi qua email, hoặc "
            "dùng --print-link để nhận liên kết tại đây (--password is for development only)."
        )
    department_id = None
    if department:
        found = operations.find_department(department)
        if found is None:
            raise click.ClickException(f"Unknown department code {department!r}.")
        department_id = found.id
    school_id = None
    if school:
        from service.schools.models import School

        found_school = db.session.scalar(db.select(School).where(School.code == school.strip().upper()))
        if found_school is None:
            raise click.ClickException(f"Unknown school code {school!r}.")
        school_id = found_school.id
    details = dict(department_id=department_id, position=position, school_id=school_id)
    try:
        link = None
        if password:
            user = operations.create_official(email, role, full_name, password, **details)
        elif print_link:
            with _request_context():
                user, link = operations.create_official_with_link(email, role, full_name, **details)
        else:
            with _request_context():  # the set-password email carries a link
                user = operations.invite_official(email, role, full_name, **details)
    except operations.AccountError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")
    if link:
        click.echo(f"Set-password link (single use, give it to {user.email} only): {link}")
    elif not password:
        click.echo("A set-password email was sent (or placed in the development outbox).")


def _request_context():
    from flask import current_app

    return current_app.test_request_context(base_url=current_app.config["APP_BASE_URL"])


@catalogue_cli.command("import")
@click.option(
    "--dir", "directory", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None
)
def import_catalogue(directory):
    """Load the procedure files; a changed file becomes a new version."""
    from service.procedures.catalogue import CATALOGUE_DIR, CatalogueError
    from service.procedures.catalogue import import_catalogue as run_import

    try:
        report = run_import(directory or CATALOGUE_DIR)
    except CatalogueError as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"{len(report.created)} new, {len(report.updated)} new versions, {len(report.unchanged)} unchanged."
    )
    for code in report.updated:
        click.echo(f"  new version: {code}")


agencies_cli = AppGroup("agencies", help="Cơ quan tiếp nhận hồ sơ (cấp tỉnh, cấp xã).")


@agencies_cli.command("seed")
def seed_agencies():
    """Create the provincial centre and every commune's centre of the province that is missing."""
    from service.agencies.operations import seed

    created = seed()
    click.echo(f"{created} agencies created." if created else "Every agency exists already.")


@agencies_cli.command("list")
def list_agencies():
    """Every agency: code, level, name."""
    from service.agencies.queries import all_agencies

    for agency in all_agencies():
        click.echo(f"{agency.code}\t{agency.level}\t{agency.name}")


@backup_cli.command("create")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--to-store", is_flag=True, help="Also keep the archive in the file store under backups/.")
def backup_create(path, to_store):
    """Write one consistent backup archive (.tar.gz) to PATH, its manifest authenticated with BACKUP_KEY;
    with --to-store (and no PATH) into the configured store, e.g. object storage, under backups/."""
    import tempfile

    from service.backup import BackupError, create_backup, keep_in_store
    from service.storage import StorageUnavailable

    if path is None and not to_store:
        raise click.UsageError("give PATH, or --to-store to keep the archive in the file store")
    try:
        with tempfile.TemporaryDirectory() as work:
            target = path or Path(work) / "gdnn.tar.gz"
            manifest = create_backup(target)
            where = keep_in_store(target) if to_store else None
    except (BackupError, StorageUnavailable) as error:  # the store unreachable: said, not a traceback
        raise click.ClickException(str(error)) from error
    click.echo(
        f"Backup written to {path or where}: {manifest['dialect']} database, {len(manifest['files'])} files; "
        f"manifest authenticated with the backup key {manifest['key_id']}."
    )
    if path and where:
        click.echo(f"Also kept in the file store as {where}.")


@backup_cli.command("list")
def backup_list():
    """The archives kept in the file store (backups/), oldest first."""
    from service.backup import stored_backups

    for name in stored_backups():
        click.echo(name)


@backup_cli.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--from-store", is_flag=True, help="PATH names an archive of the file store (flask backup list)."
)
def backup_restore(path, from_store):
    """Restore PATH into an empty database and upload folder, verifying its HMAC and every checksum."""
    import tempfile

    from service.backup import BackupError, fetch_from_store, restore_backup
    from service.storage import StorageUnavailable

    try:
        with tempfile.TemporaryDirectory() as work:
            if from_store:
                path = fetch_from_store(str(path), Path(work) / "gdnn.tar.gz")
            elif not path.is_file():
                raise BackupError(f"no archive at {path}")
            manifest = restore_backup(path)
    except (BackupError, StorageUnavailable) as error:  # the store unreachable: said, not a traceback
        raise click.ClickException(str(error)) from error
    click.echo(
        f"Restored {manifest['dialect']} database and {len(manifest['files'])} files; "
        f"manifest authenticated (backup key {manifest['key_id']}), checksums verified."
    )


@users_cli.command("reset-second-factor")
@click.option("--email", required=True)
def reset_second_factor(email):
    """Clear an official's second factor (a lost phone, no recovery code left, no other administrator):
    he enrols again at the next login; his sessions end now. Recorded in the audit log."""
    from service.accounts import operations, twofactor

    user = operations.find_by_email(email)
    try:
        twofactor.reset(user.id if user else 0, None)
    except twofactor.TwoFactorError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Second factor of {user.email} reset: it enrols again at the next login; its sessions ended.")


@click.command("seed-demo")
def seed_demo():
    """Load the catalogue, one demo account per role and demo dossiers (once)."""
    from service.demo import seed

    if current_app.config["ENV_NAME"] != "development":
        # The demo accounts' password and second-factor secret are published in the README: they must
        # never exist anywhere but a developer's machine.
        raise click.ClickException(
            "Dữ liệu mẫu chỉ dành cho development: mật khẩu và khóa xác thực hai bước của các tài khoản mẫu "
            "được công bố (demo data is for development only: its accounts' password and second-factor "
            "secret are published). APP_ENV=development."
        )

    with _request_context():
        created = seed()
    click.echo("Demo data created." if created else "Demo data already present; nothing to do.")
    click.echo(
        f"Officials' second factor (demo only): add the secret {DEMO_TOTP_SECRET} to an authenticator app "
        "(Google Authenticator...), or copy the current code shown on the demo's second-step page."
    )


@bench_cli.command("seed-dossiers")
@click.option("--count", type=click.IntRange(1, 10_000_000), default=10_000, show_default=True)
@click.option("--seed", type=int, default=18, show_default=True, help="Random seed (same seed, same data).")
def bench_seed_dossiers(count, seed):
    """Insert COUNT made-up dossiers for measuring the worklists (bench/worklists.py)."""
    import time

    from service.dossiers.bench import SeedError, seed_dossiers

    started = time.perf_counter()
    step = max(count // 20, 1)

    def progress(done: int) -> None:
        if done % step < 5_000 or done == count:
            click.echo(f"{done:,} / {count:,} dossiers ({time.perf_counter() - started:.0f} s)")

    try:
        inserted = seed_dossiers(count, seed=seed, progress=progress)
    except SeedError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Inserted {inserted:,} dossiers in {time.perf_counter() - started:.1f} s.")


@click.command("notify-deadlines")
def notify_deadlines():
    """Email officials what is due soon or overdue (idempotent within a day; run from cron)."""
    from service.backoffice.digest import send_deadline_digests
    from service.timeutil import local_today

    with _request_context():
        sent, skipped = send_deadline_digests(local_today())
    click.echo(f"{sent} digests sent, {skipped} officials already notified today.")


@click.command("clean-drafts")
def clean_drafts():
    """Announce drafts untouched for DRAFT_ABANDONED_DAYS to their owners; delete those announced
    DRAFT_DELETION_NOTICE_DAYS ago and not saved since (the daily job's work)."""
    from service.dossiers.cleanup import clean_abandoned_drafts

    with _request_context():
        result = clean_abandoned_drafts()
    click.echo(f"{result.warned} drafts announced to their owners, {result.deleted} deleted.")


workflows_cli = AppGroup("workflows", help="Quy trình xử lý hồ sơ.")


@workflows_cli.command("diagram")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None)
def workflow_diagrams(out_dir):
    """Write a Mermaid diagram of every workflow machine to docs/workflows/."""
    from config import BASE_DIR
    from workflows.diagram import PAYMENT_EVENT_LABELS, mermaid
    from workflows.machines import MACHINES
    from workflows.payment_attempt import PaymentAttemptMachine
    from workflows.refund import RefundMachine
    from workflows.states import EVENT_LABELS

    out_dir = out_dir or BASE_DIR / "docs" / "workflows"
    out_dir.mkdir(parents=True, exist_ok=True)
    machines = {**MACHINES, "payment_attempt": PaymentAttemptMachine, "refund": RefundMachine}
    for name, machine in machines.items():
        title = " ".join((machine.__doc__ or name).split())
        labels = PAYMENT_EVENT_LABELS if name in ("payment_attempt", "refund") else EVENT_LABELS
        text = f"# {name}\n\n{title}\n\n```mermaid\n{mermaid(machine, labels)}```\n"
        (out_dir / f"{name}.md").write_text(text, encoding="utf-8")
        click.echo(f"Wrote {out_dir / f'{name}.md'}")


payments_cli = AppGroup("payments", help="Thanh toán trực tuyến.")


@payments_cli.command("reconcile")
def payments_reconcile():
    """Ask the gateways about pending attempts and settle them; expire the stale ones."""
    from service.payments.reconcile import reconcile

    with _request_context():
        report = reconcile()
    click.echo(
        f"{len(report.settled)} settled, {len(report.failed)} failed, {len(report.expired)} expired, "
        f"{len(report.unknown)} still pending; {len(report.refunds)} refunds concluded."
    )


@payments_cli.command("prune-notifications")
def payments_prune_notifications():
    """Delete gateway notifications that failed their signature, older than UNVERIFIED_NOTIFICATION_DAYS."""
    from service.payments.unverified import prune

    with _request_context():
        gone = prune()
    click.echo(f"{gone} unsigned notifications deleted.")


@payments_cli.command("create-order")
@click.option("--amount", required=True, help="Số tiền, đồng (số nguyên).")
@click.option("--description", required=True, help="Nội dung khoản phải nộp.")
@click.option("--gateway", required=True, type=click.Choice(["vnpay", "vietqr", "momo"]))
@click.option("--payer-name", default=None)
@click.option("--payer-email", default=None)
def payments_create_order(amount, description, gateway, payer_name, payer_email):
    """Create an order and its first payment attempt; print it as JSON."""
    from flask import url_for

    from service.payments import settlement
    from service.payments.adapters import ADAPTERS, GatewayRefused

    text = str(amount).strip()
    if not re.fullmatch(r"-?[0-9]{1,15}", text):
        raise click.BadParameter("Số tiền phải là số nguyên (đồng), chỉ gồm chữ số.", param_hint="--amount")
    value = int(text)
    if not ADAPTERS[gateway].enabled():
        missing = ", ".join(ADAPTERS[gateway].missing(current_app.config))
        raise click.UsageError(f"{ADAPTERS[gateway].label} chưa được cấu hình (thiếu {missing}).")
    problem = ADAPTERS[gateway].check_amount(value) if value > 0 else "Số tiền phải lớn hơn 0."
    if problem:
        raise click.BadParameter(problem, param_hint="--amount")
    with _request_context():
        try:
            order = settlement.create_order(
                value, description, payer_name=payer_name, payer_email=payer_email
            )
        except ValueError as error:
            raise click.UsageError(str(error)) from None
        attempt = settlement.start_attempt(order.id, gateway)
        try:
            start = ADAPTERS[gateway].start(order, attempt, "127.0.0.1")
        except GatewayRefused as error:
            raise click.ClickException(str(error)) from None
        base = current_app.config["APP_BASE_URL"]
        result = {
            "reference": attempt.reference,
            "order_reference": order.reference,
            "amount": order.amount,
            "currency": "VND",
            "gateway": gateway,
            "description": order.description,
            "status": order.status,
            "order_url": base + url_for("payments.order_page", token=order.access_token),
            "expires_at": attempt.expires_at.isoformat() + "Z",
        }
        if start.redirect_url:
            result["payment_url"] = start.redirect_url
        if start.qr_payload:
            result["qr_payload"] = start.qr_payload
            result["qr_url"] = base + url_for("payments.qr_png", reference=attempt.reference)
    click.echo(json.dumps(result, ensure_ascii=False))


@payments_cli.command("show")
@click.argument("reference")
def payments_show(reference):
    """Print an order (found by its reference or a payment attempt's) as JSON."""
    from service.payments import settlement
    from service.payments.receipts import receipt_of
    from service.payments.refunds import refunded_total

    order = settlement.find_order(reference)
    if order is None:
        raise click.ClickException(f"Không tìm thấy khoản thanh toán {reference}.")
    paid = next((a for a in order.attempts if a.id == order.paid_attempt_id), None)
    receipt = receipt_of(order.id)
    click.echo(
        json.dumps(
            {
                "reference": order.reference,
                "status": order.status,
                "amount": order.amount,
                "paid_amount": paid.amount if paid else 0,
                "refunded_amount": refunded_total(order.id),
                "paid_at": order.paid_at.isoformat() + "Z" if order.paid_at else None,
                "receipt_number": receipt.number if receipt else None,
                "attempts": [
                    {
                        "reference": a.reference,
                        "gateway": a.gateway,
                        "status": a.status,
                        "amount": a.amount,
                        "gateway_transaction": a.gateway_transaction,
                    }
                    for a in order.attempts
                ],
            },
            ensure_ascii=False,
        )
    )


@payments_cli.command("cancel-order")
@click.argument("reference")
@click.option("--reason", required=True)
def payments_cancel_order(reference, reason):
    """Cancel an unpaid order: it can no longer be paid."""
    from service.payments import settlement

    order = settlement.find_order(reference)
    if order is None:
        raise click.ClickException(f"Không tìm thấy khoản thanh toán {reference}.")
    if not settlement.cancel_order(order.id, reason):
        raise click.ClickException("Chỉ hủy được khoản chưa thanh toán.")
    click.echo(f"Đã hủy khoản {order.reference}.")


schools_cli = AppGroup("schools", help="Cơ sở giáo dục nghề nghiệp.")


@schools_cli.command("create")
@click.option("--code", required=True)
@click.option("--name", required=True)
@click.option(
    "--kind", type=click.Choice(["college", "intermediate", "centre"]), default="college", show_default=True
)
@click.option("--tax-code", default=None)
@click.option("--bank-bin", default=None, help="NAPAS BIN of the school's bank (6 digits).")
@click.option("--account-no", default=None)
@click.option("--account-name", default=None)
@click.option("--bank-name", default=None)
@click.option("--partial/--no-partial", default=False, help="Allow paying an invoice in parts.")
@click.option(
    "--receipt-series", default=None, help="The two letters of the school's receipt series (26T + them)."
)
@click.option(
    "--e-invoice", is_flag=True, help="The school sends its own e-invoices: no receipt is issued here."
)
def schools_create(
    code,
    name,
    kind,
    tax_code,
    bank_bin,
    account_no,
    account_name,
    bank_name,
    partial,
    receipt_series,
    e_invoice,
):
    """Register a school (a tenant); then create its users with `users create --school CODE`."""
    from service.admin.operations import AdminError, register_school
    from service.payments import receipt_rules

    code = code.strip().upper()
    if not re.fullmatch(r"[A-Z0-9_.-]{2,20}", code):
        raise click.BadParameter("Mã trường gồm 2-20 chữ không dấu, số, dấu chấm, gạch.", param_hint="--code")
    if bank_bin and not re.fullmatch(r"\d{6}", bank_bin):
        raise click.BadParameter("BIN ngân hàng gồm 6 chữ số.", param_hint="--bank-bin")
    if account_no and not re.fullmatch(r"[0-9A-Za-z]{4,19}", account_no):
        raise click.BadParameter("Số tài khoản không hợp lệ.", param_hint="--account-no")
    letters = (receipt_series or "").strip().upper() or None
    if letters and receipt_rules.symbol_problem("EBL01", letters):
        raise click.BadParameter(
            receipt_rules.symbol_problem("EBL01", letters), param_hint="--receipt-series"
        )
    try:
        school = register_school(
            code,
            name.strip()[:255],
            kind,
            tax_code=tax_code,
            bank_bin=bank_bin,
            bank_account_no=account_no,
            bank_account_name=account_name,
            bank_name=bank_name,
            allow_partial_payment=partial,
            receipt_series_letters=letters,
            tuition_document="e_invoice" if e_invoice else "receipt",
        )
    except AdminError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Created school {school.code} (id {school.id}).")


fees_cli = AppGroup("fees", help="Học phí, các khoản thu của nhà trường.")


@fees_cli.command("remind")
def fees_remind():
    """Email and SMS reminders for invoices due soon or overdue; once a day per invoice and channel."""
    from service.schools.reminders import remind

    with _request_context():
        sent = remind()
    click.echo(f"{sent.emails} emails, {sent.sms} SMS sent; {sent.skipped} already reminded today.")


reports_cli = AppGroup("reports", help="Báo cáo định kỳ của các cơ sở GDNN.")


@reports_cli.command("open")
@click.argument("template_code")
@click.argument("period")
def reports_open(template_code, period):
    """Open a round: TEMPLATE_CODE (catalogue/reports/*.toml) for PERIOD (2026-H1, 2026-H2, 2026)."""
    from service.reporting import operations, templates

    try:
        report_round = operations.open_round(template_code.strip().upper(), period.strip(), None)
    except (operations.ReportError, templates.TemplateError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Opened {report_round.code}, due {report_round.deadline:%d/%m/%Y}.")


@reports_cli.command("remind")
def reports_remind():
    """Email institutions that have not submitted a report due within three days or overdue; once a day."""
    from service.reporting.operations import remind

    with _request_context():
        result = remind()
    click.echo(
        f"{result.schools} institutions reminded ({result.emails} emails); {result.skipped} already today."
    )


documents_cli = AppGroup("documents", help="Văn bản, giấy tờ PDF.")


@documents_cli.command("dev-cert")
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("instance/signing"))
def documents_dev_cert(out_dir):
    """Create a local development CA and signing certificate (never for production)."""
    from service.documents.signing import make_dev_certificates

    paths = make_dev_certificates(out_dir)
    click.echo("Development CA and signing certificate written. To sign documents, set:")
    click.echo(f"  SIGNING_CERT={paths['cert']}\n  SIGNING_KEY={paths['key']}\n  SIGNING_CA={paths['ca']}")


@documents_cli.command("render-samples")
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
def documents_render_samples(out_dir):
    """Render every document template with sample data, one PDF each, into OUT_DIR."""
    from flask import current_app

    from service.documents.renderer import renderer
    from service.documents.samples import sample_files

    out_dir.mkdir(parents=True, exist_ok=True)
    pdf_renderer = renderer(current_app.config["DOCUMENT_FONT_DIR"])
    for name, (template, data) in sample_files().items():
        target = out_dir / f"{name}.pdf"
        target.write_bytes(pdf_renderer.render(template, data))
        click.echo(f"Wrote {target}")


jobs_cli = AppGroup("jobs", help="Hàng đợi công việc: email, SMS, văn bản, tác vụ định kỳ.")


@jobs_cli.command("worker")
@click.option("--workers", type=int, default=None, help="Worker threads (default JOB_WORKERS).")
def jobs_worker(workers):
    """Run the job engine's consumer: deliver the outbox and run the periodic tasks (Ctrl-C stops it)."""
    from service.jobs.engine import huey

    consumer = huey.create_consumer(
        workers=workers or current_app.config["JOB_WORKERS"],
        worker_type="thread",
        periodic=True,
        check_worker_health=True,
        # An idle worker on the SQLite queue polls at most a second apart (huey's default is 10 s), so a
        # citizen's email leaves within about a second of the step; Redis queues are not polled.
        initial_delay=0.1,
        backoff=1.15,
        max_delay=1.0,
        graceful_signal="TERM",  # systemd's stop (SIGTERM) lets running jobs finish; SIGINT stops at once
    )
    click.echo(f"Job worker started ({consumer.workers} threads, queue {type(huey.storage).__name__}).")
    consumer.run()


@jobs_cli.command("run")
def jobs_run():
    """Run, in this process, every email, SMS and document that is due, then stop."""
    from service.jobs.engine import app_context
    from service.jobs.outbox import run_due

    with app_context():
        done = run_due()
    click.echo(f"{done} jobs done.")


@jobs_cli.command("list")
def jobs_list():
    """The jobs that keep failing (dead) or wait for their next attempt (failed)."""
    from service.jobs.outbox import stuck

    rows = stuck()
    for channel, row in rows:
        click.echo(f"{channel} {row.id} {row.status} attempts={row.attempts} {row.error or ''}")
    click.echo(f"{len(rows)} jobs need attention." if rows else "No failing jobs.")


@jobs_cli.command("retry")
@click.argument("channel", type=click.Choice(["email", "sms", "document"]))
@click.argument("row_id", type=int)
def jobs_retry(channel, row_id):
    """Send a dead or failed job round again (the same as the button on /admin/jobs)."""
    from service.jobs.engine import app_context
    from service.jobs.outbox import retry, run_one

    if not retry(channel, row_id):
        raise click.ClickException("Không có công việc lỗi với mã này.")
    with app_context():
        run_one(channel, row_id)
    click.echo("Done." if _status(channel, row_id) in ("sent", "done") else "Queued again; still failing.")


def _status(channel: str, row_id: int) -> str:
    from service.jobs.outbox import CHANNELS

    return db.session.get(CHANNELS[channel].model, row_id).status


def register(app: Flask) -> None:
    from service.doctor import doctor
    from service.postal.cli import postal_cli

    for command in (
        doctor,
        users_cli,
        catalogue_cli,
        agencies_cli,
        backup_cli,
        bench_cli,
        documents_cli,
        payments_cli,
        schools_cli,
        fees_cli,
        reports_cli,
        jobs_cli,
        workflows_cli,
        audit_cli,
        postal_cli,
        notify_deadlines,
        clean_drafts,
        seed_demo,
    ):
        app.cli.add_command(command)
