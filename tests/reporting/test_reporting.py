"""Periodic reports by institutions: templates as data, the form and the Excel file validated cell by
cell, drafts, submission, acceptance or return, reminders once a day, aggregation and export."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook

from service.extensions import db
from service.reporting import operations, templates
from service.reporting.models import ReportSubmission
from tests.factories import create_official, create_school, create_school_user, last_email, login
from tests.support.reporting import fill, open_round


def test_templates_are_data():
    found = templates.templates()
    assert {"TSTN", "NGCSVC"} <= set(found)
    assert found["TSTN"].period == "half_year" and [c.key for c in found["TSTN"].columns][:2] == [
        "occupation",
        "level",
    ]
    assert templates.period_bounds("half_year", "2026-H2") == (date(2026, 7, 1), date(2026, 12, 31))


def test_an_institution_drafts_submits_and_the_agency_accepts_and_aggregates(client, other_client):
    report_round = open_round()
    school, other = create_school(), create_school()
    login(client, create_school_user(school, "school_admin"))
    assert "Chưa lập" in client.get("/school/reports").get_data(as_text=True)
    bad = fill(client, report_round, "submit", **{"row-0-enrolled": "nhiều", "row-1-level": "Tiến sĩ"})
    page = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "dòng 1, cột “Tuyển sinh (người)”: phải là số nguyên" in page
    assert "chọn một trong: Cao đẳng, Trung cấp, Sơ cấp" in page
    assert (
        db.session.scalar(db.select(db.func.count()).select_from(ReportSubmission)) == 0
    )  # nothing submitted
    fill(client, report_round, "draft", **{"field-enrolment_target": ""})  # an incomplete draft is kept
    assert db.session.scalars(db.select(ReportSubmission)).one().status == "draft"
    fill(client, report_round, "submit")
    assert db.session.scalars(db.select(ReportSubmission)).one().status == "submitted"

    login(client, create_school_user(other, "school_admin"))
    fill(
        client,
        report_round,
        "submit",
        **{"row-1-occupation": "Công nghệ thông tin", "row-1-level": "Cao đẳng"},
    )
    assert "trùng với dòng 1" in fill(
        client,
        report_round,
        "submit",
        **{"row-1-occupation": "Công nghệ thông tin", "row-1-level": "Cao đẳng"},
    ).get_data(as_text=True)
    fill(client, report_round, "submit", **{"row-0-enrolled": "30", "row-1-occupation": "Kế toán"})

    login(other_client, create_official("leader"))
    round_page = other_client.get(f"/officials/reports/{report_round.id}").get_data(as_text=True)
    assert round_page.count("Đã nộp, chờ duyệt") == 2
    first, second = db.session.scalars(db.select(ReportSubmission).order_by(ReportSubmission.id)).all()
    refused = other_client.submit(
        f"/officials/reports/submissions/{second.id}",
        {"decision": "return", "comment": ""},
        follow_redirects=True,
    )
    assert "Vui lòng ghi ý kiến khi trả lại" in refused.get_data(as_text=True)
    other_client.submit(f"/officials/reports/submissions/{first.id}", {"decision": "accept"})
    other_client.submit(
        f"/officials/reports/submissions/{second.id}", {"decision": "return", "comment": "Thiếu nghề Hàn"}
    )
    db.session.expire_all()
    assert db.session.get(ReportSubmission, second.id).status == "returned"

    # The returned one is corrected and submitted again, then accepted.
    fill(
        client,
        report_round,
        "submit",
        **{"row-0-enrolled": "30", "row-1-occupation": "Hàn", "row-1-level": "Sơ cấp"},
    )
    other_client.submit(f"/officials/reports/submissions/{second.id}", {"decision": "accept"})
    page = other_client.get(f"/officials/reports/{report_round.id}").get_data(as_text=True)
    assert "Đã chấp nhận 2/2 cơ sở" in page
    sheet = load_workbook(
        io.BytesIO(other_client.get(f"/officials/reports/{report_round.id}?format=xlsx").data)
    ).active
    rows = list(sheet.iter_rows(values_only=True))
    assert ("Chỉ tiêu tuyển sinh được giao trong kỳ (người)", 600) in [r[:2] for r in rows]
    assert ("Công nghệ thông tin", "Cao đẳng", 150, 160) in [
        r[:4] for r in rows
    ]  # 120 + 30 enrolled, 80 + 80 graduated


def test_the_excel_file_is_checked_cell_by_cell_and_must_be_ones_own(client):
    report_round = open_round()
    school, other = create_school("TRX"), create_school("TRY")
    login(client, create_school_user(school, "school_admin"))
    template = templates.templates()["TSTN"]
    workbook = load_workbook(io.BytesIO(client.get(f"/school/reports/{report_round.id}/template.xlsx").data))
    info, table = workbook["Thông tin"], workbook["Bảng"]
    info["B4"], info["B5"] = 250, "Người lập"
    table.append(["Công nghệ thông tin", "Cao đẳng", "=SUM(1,2)", 10])
    table.append(["Kế toán", "Trung cấp", -5, 3])

    def upload(book, action="submit"):
        buffer = io.BytesIO()
        book.save(buffer)
        return client.submit(
            f"/school/reports/{report_round.id}",
            {"action": action, "file": (io.BytesIO(buffer.getvalue()), "bc.xlsx")},
            content_type="multipart/form-data",
        )

    page = upload(workbook).get_data(as_text=True)
    assert "dòng 1, cột “Tuyển sinh (người)”: ô chứa công thức" in page and "không được nhỏ hơn 0" in page
    table["C2"], table["C3"] = 40, 12
    assert upload(workbook).status_code == 302
    submitted = db.session.scalars(db.select(ReportSubmission)).one()
    assert submitted.status == "submitted" and submitted.data["fields"]["enrolment_target"] == 250

    # The same file for another institution, or for another period, is refused.
    login(client, create_school_user(other, "school_admin"))
    assert "tệp không phải của cơ sở TRY" in upload(workbook).get_data(as_text=True)
    second_round = open_round(period="2026-H2")
    info["B1"] = second_round.code
    buffer = io.BytesIO()
    workbook.save(buffer)
    wrong_period = client.submit(
        f"/school/reports/{report_round.id}",
        {"action": "submit", "file": (io.BytesIO(buffer.getvalue()), "bc.xlsx")},
        content_type="multipart/form-data",
    )
    assert "tệp không phải của đợt báo cáo TSTN-2026-H1" in wrong_period.get_data(as_text=True)
    del workbook["Bảng"]
    assert "thiếu trang tính: Bảng" in upload(workbook).get_data(as_text=True)
    not_excel = client.submit(
        f"/school/reports/{report_round.id}",
        {"action": "draft", "file": (io.BytesIO(b"a,b"), "bc.xlsx")},
        content_type="multipart/form-data",
    )
    assert "không phải tệp Excel" in not_excel.get_data(as_text=True)
    assert len(template.columns) == 4


def test_late_institutions_are_reminded_once_a_day(app):
    report_round = open_round()
    done, late = create_school(), create_school()
    create_school_user(done, "school_admin")
    late_user = create_school_user(late, "school_admin")
    submission = ReportSubmission(round_id=report_round.id, school_id=done.id, status="submitted", data={})
    from service.database import begin_write

    begin_write()
    db.session.add(submission)
    db.session.commit()
    with app.test_request_context():
        first = operations.remind(report_round.deadline)
        again = operations.remind(report_round.deadline)
    assert (first.schools, first.emails) == (1, 1) and (again.schools, again.skipped) == (0, 1)
    assert "Sắp đến hạn nộp báo cáo TSTN-2026-H1" in last_email(late_user.email).subject
    result = app.test_cli_runner().invoke(args=["reports", "remind"])
    assert result.exit_code == 0, result.output


def test_nobody_else_reads_or_reviews_reports(client):
    report_round = open_round()
    school = create_school()
    login(client, create_school_user(school, "school_admin"))
    fill(client, report_round, "draft")
    [draft] = db.session.scalars(db.select(ReportSubmission)).all()
    assert client.get(f"/officials/reports/submissions/{draft.id}").status_code == 403
    login(client, create_official("leader"))
    assert (
        client.get(f"/officials/reports/submissions/{draft.id}").status_code == 404
    )  # a draft is the school's
    assert client.get(f"/school/reports/{report_round.id}").status_code == 403
    opened = client.submit(
        "/officials/reports", {"template_code": "TSTN", "period": "2026-H3"}, follow_redirects=True
    )
    assert "Kỳ báo cáo: 2026-H1" in opened.get_data(as_text=True)


def test_leaders_are_emailed_when_an_institution_submits_a_report(client):
    from service.notifications.models import OutboundEmail

    report_round = open_round()
    school = create_school(name="Trường Cao đẳng Nghề An Giang")
    leader, specialist = create_official("leader"), create_official("specialist")
    login(client, create_school_user(school, "school_admin"))

    def told(user):
        db.session.expire_all()
        return db.session.scalars(db.select(OutboundEmail).where(OutboundEmail.recipient == user.email)).all()

    fill(client, report_round, "draft")
    fill(client, report_round, "submit", **{"row-0-enrolled": "nhiều"})  # refused: nothing awaits anyone
    assert told(leader) == []
    fill(client, report_round, "submit")
    [email] = told(leader)
    submission = db.session.scalars(db.select(ReportSubmission)).one()
    assert email.subject == f"Báo cáo {report_round.code} của Trường Cao đẳng Nghề An Giang chờ duyệt"
    assert f"/officials/reports/submissions/{submission.id}" in email.body_text
    assert told(specialist) == []  # the leader decides; specialists read the list


def test_a_schools_landing_page_counts_the_reports_it_has_yet_to_submit(client):
    """The count comes from reporting, registered with schools (which imports nothing of reporting)."""
    report_round = open_round()
    open_round(period="2026-H2")
    login(client, create_school_user(create_school(), "school_admin"))

    def waiting() -> str:
        page = client.get("/dashboard", follow_redirects=True).get_data(as_text=True)
        return page.split('data-testid="today"', 1)[1].split("</section>", 1)[0]

    assert "<strong>2</strong> báo cáo định kỳ chưa nộp" in waiting()
    fill(client, report_round, "draft")
    assert "<strong>2</strong> báo cáo định kỳ chưa nộp" in waiting()  # a draft is not submitted
    fill(client, report_round, "submit")
    assert "<strong>1</strong> báo cáo định kỳ chưa nộp" in waiting()
