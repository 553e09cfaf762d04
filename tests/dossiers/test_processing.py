"""Officials process dossiers through the one-stop workflow, over HTTP as they would."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from service.database import begin_write
from service.deadlines.calendar import current_calendar
from service.dossiers.models import Dossier, DossierEvent
from service.extensions import db
from service.timeutil import local_today, to_local
from tests.factories import create_citizen, create_dossier, create_official, last_email, pdf_upload, refused
from tests.support.processing import act, as_, fresh


def under_appraisal(client, people) -> Dossier:
    """A dossier received, assigned and under appraisal; the client is signed in as the specialist."""
    dossier = create_dossier(people["citizen"], submitted=True)
    as_(client, people["reception"])
    act(client, dossier, "receive")
    act(client, dossier, "assign", assignee_id=str(people["specialist"].id))
    as_(client, people["specialist"])
    act(client, dossier, "start_appraisal")
    return dossier


@pytest.fixture
def people():
    return {
        "citizen": create_citizen(),
        "reception": create_official("reception"),
        "specialist": create_official("specialist"),
        "leader": create_official("leader"),
    }


def test_from_reception_to_result_returned(client, people):
    citizen, reception, specialist, leader = people.values()
    dossier = create_dossier(citizen, submitted=True)

    as_(client, reception)
    page = act(client, dossier, "receive").get_data(as_text=True)
    assert "Đã thực hiện: Tiếp nhận hồ sơ" in page
    received = fresh(dossier)
    expected_due = current_calendar().due_date(
        to_local(received.received_at).replace(tzinfo=None),
        received.procedure_version.processing_days,
        received.procedure_version.content.get("cutoff_hour"),
    )
    assert received.status == "received" and received.due_date == expected_due
    assert received.due_date.strftime("%d/%m/%Y") in last_email(citizen.email).body_text

    act(client, dossier, "assign", assignee_id=str(specialist.id))
    assert fresh(dossier).assignee_id == specialist.id
    assert last_email(specialist.email).subject.startswith("Phân công xử lý hồ sơ")

    as_(client, specialist)
    act(client, dossier, "start_appraisal")
    act(client, dossier, "propose", decision="approve", draft="Cấp giấy chứng nhận", reason="Đủ điều kiện")
    assert fresh(dossier).status == "proposed"

    as_(client, leader)
    act(client, dossier, "approve")
    approved = fresh(dossier)
    assert approved.status == "approved" and approved.completed_on_time is True

    as_(client, reception)
    act(client, dossier, "return_result", method="electronic")
    done = fresh(dossier)
    assert done.status == "returned" and done.return_method == "electronic"
    events = [e.event for e in done.events]
    assert events == [
        "create",
        "submit",
        "receive",
        "assign",
        "start_appraisal",
        "propose",
        "approve",
        "return_result",
    ]
    assert all(e.on_time is True for e in done.events if e.event not in ("create", "submit", "receive"))
    assert "Đã trả kết quả" in as_(client, citizen).get(f"/dossiers/{dossier.id}").get_data(as_text=True)


def test_the_page_offers_only_what_the_official_may_do_now(client, people):
    citizen, reception, specialist, leader = people.values()
    dossier = create_dossier(citizen, submitted=True)
    page = as_(client, reception).get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    assert "/act/receive" in page and "/act/refuse" in page and "/act/approve" not in page
    page = as_(client, leader).get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    assert "/act/receive" not in page and "Không có thao tác nào" in page


def test_forbidden_actions_get_a_clear_message_and_change_nothing(client, people):
    citizen, reception, specialist, leader = people.values()
    dossier = create_dossier(citizen, submitted=True)
    page = as_(client, leader).get(f"/dossiers/{dossier.id}")  # leaders do not receive
    response = act(client, dossier, "receive").get_data(as_text=True)
    assert "Bạn không thể thực hiện thao tác này" in response
    assert fresh(dossier).status == "submitted" and page.status_code == 200
    assert client.submit(f"/officials/dossiers/{dossier.id}/act/submit", {}).status_code == 404
    assert client.submit(f"/officials/dossiers/{dossier.id}/act/nonsense", {}).status_code == 404


@pytest.mark.parametrize("event", ["refuse", "request_supplement"])
def test_a_refusal_or_supplement_request_needs_a_reason(client, people, event):
    dossier = create_dossier(people["citizen"], submitted=True)
    as_(client, people["reception"])
    page = act(client, dossier, event, reason="   ").get_data(as_text=True)
    assert "Vui lòng" in page and fresh(dossier).status == "submitted"


def test_refusal_with_reasons_reaches_the_citizen(client, people):
    dossier = create_dossier(people["citizen"], submitted=True)
    as_(client, people["reception"])
    act(client, dossier, "refuse", reason="Không thuộc thẩm quyền của Sở")
    assert fresh(dossier).status == "refused"
    assert "Không thuộc thẩm quyền của Sở" in last_email(people["citizen"].email).body_text
    as_(client, people["citizen"])
    page = client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    facts = page.split('<dl class="facts panel">', 1)[1].split("</dl>", 1)[0]  # at the top, with the status
    assert "Lý do từ chối tiếp nhận" in facts and "Không thuộc thẩm quyền của Sở" in facts


def test_assignment_only_to_a_specialist(client, people):
    dossier = create_dossier(people["citizen"], submitted=True)
    as_(client, people["reception"])
    act(client, dossier, "receive")
    page = act(client, dossier, "assign", assignee_id=str(people["leader"].id)).get_data(as_text=True)
    assert "Chỉ phân công cho tài khoản chuyên viên" in page
    assert fresh(dossier).assignee_id is None


def test_supplement_at_reception_keeps_files_code_and_history(client, people):
    citizen, reception = people["citizen"], people["reception"]
    dossier = create_dossier(citizen, submitted=True)
    code, files_before = dossier.code, len(dossier.files)
    as_(client, reception)
    act(client, dossier, "request_supplement", reason="Thiếu giấy xác nhận hộ nghèo năm 2026")
    requested = fresh(dossier)
    assert requested.status == "supplement_requested" and requested.supplement_deadline > local_today()
    assert "Thiếu giấy xác nhận hộ nghèo" in last_email(citizen.email).body_text

    as_(client, citizen)
    key = requested.procedure_version.documents[0]["key"]
    client.submit(f"/dossiers/{dossier.id}/attachments/{key}", {"file": pdf_upload("bo-sung.pdf")})
    page = client.submit(f"/dossiers/{dossier.id}/supplement", {"note": "Đã bổ sung"}, follow_redirects=True)
    assert "Đã gửi hồ sơ bổ sung" in page.get_data(as_text=True)
    supplemented = fresh(dossier)
    assert supplemented.status == "submitted" and supplemented.code == code
    assert len(supplemented.files) == files_before + 1
    event = next(e for e in supplemented.events if e.event == "supplement")
    assert [f.original_name for f in event.files] == ["bo-sung.pdf"]

    as_(client, reception)
    page = act(client, dossier, "request_supplement", reason="Lần hai").get_data(as_text=True)
    assert "chỉ yêu cầu bổ sung một lần" in page


def test_supplement_during_processing_restarts_the_clock(client, people):
    citizen, reception, specialist = people["citizen"], people["reception"], people["specialist"]
    dossier = create_dossier(citizen, submitted=True)
    as_(client, reception)
    act(client, dossier, "receive")
    act(client, dossier, "assign", assignee_id=str(specialist.id))
    begin_write()
    row = fresh(dossier)
    row.due_date = local_today() + timedelta(days=1)  # as if most of the time had passed
    db.session.commit()
    as_(client, specialist)
    act(client, dossier, "start_appraisal")
    act(client, dossier, "request_supplement", reason="Bổ sung báo cáo điều kiện")
    as_(client, citizen)
    key = fresh(dossier).procedure_version.documents[0]["key"]
    client.submit(f"/dossiers/{dossier.id}/attachments/{key}", {"file": pdf_upload("bao-cao.pdf")})
    client.submit(f"/dossiers/{dossier.id}/supplement", {"note": ""})
    restarted = fresh(dossier)
    calendar = current_calendar()
    assert restarted.status == "under_appraisal"
    assert (
        calendar.working_days_between(local_today(), restarted.due_date)
        >= restarted.procedure_version.processing_days - 1
    )
    supplement_event = next(e for e in restarted.events if e.event == "supplement")
    assert supplement_event.on_time is None  # the applicant's time is never late


def test_a_citizen_cannot_supplement_a_dossier_that_is_not_waiting(client, people):
    citizen = people["citizen"]
    dossier = create_dossier(citizen, submitted=True)
    as_(client, citizen)
    page = client.submit(f"/dossiers/{dossier.id}/supplement", {"note": "x"}, follow_redirects=True).get_data(
        as_text=True
    )
    assert "Không thể thực hiện thao tác này" in page
    key = dossier.procedure_version.documents[0]["key"]
    upload = client.submit(
        f"/dossiers/{dossier.id}/attachments/{key}", {"file": pdf_upload()}, follow_redirects=True
    )
    assert "không ở trạng thái cho phép đính kèm" in upload.get_data(as_text=True)
    assert fresh(dossier).status == "submitted"


def test_unanswered_supplement_closes_the_dossier_only_after_its_deadline(client, people):
    citizen, reception = people["citizen"], people["reception"]
    dossier = create_dossier(citizen, submitted=True)
    as_(client, reception)
    act(client, dossier, "request_supplement", reason="Thiếu giấy tờ")
    act(client, dossier, "close")
    assert fresh(dossier).status == "supplement_requested"
    begin_write()
    fresh(dossier).supplement_deadline = local_today() - timedelta(days=1)
    db.session.commit()
    act(client, dossier, "close")
    assert fresh(dossier).status == "closed"
    assert "đóng do không được bổ sung" in last_email(citizen.email).body_text


def test_leader_sends_back_then_denies_with_a_written_answer(client, people):
    citizen, reception, specialist, leader = people.values()
    dossier = under_appraisal(client, people)
    act(client, dossier, "propose", decision="deny", draft="Văn bản trả lời")
    as_(client, leader)
    page = act(client, dossier, "approve").get_data(as_text=True)
    assert "Bạn không thể thực hiện" in page  # a refusal proposal cannot be approved as a grant
    act(client, dossier, "send_back", reason="Bổ sung căn cứ pháp lý")
    assert fresh(dossier).status == "under_appraisal"
    as_(client, specialist)
    act(client, dossier, "propose", decision="deny", draft="Văn bản trả lời có căn cứ")
    as_(client, leader)
    act(client, dossier, "deny", reason="Không đủ điều kiện về cơ sở vật chất")
    denied = fresh(dossier)
    assert denied.status == "denied" and denied.result_note == "Không đủ điều kiện về cơ sở vật chất"
    assert "Không đủ điều kiện về cơ sở vật chất" in last_email(citizen.email).body_text


def test_citizen_asks_to_stop_and_the_desk_issues_the_stop_notice(client, people):
    citizen, reception = people["citizen"], people["reception"]
    dossier = create_dossier(citizen, submitted=True)
    as_(client, reception)
    act(client, dossier, "receive")
    as_(client, citizen)
    page = client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    assert "Đề nghị dừng giải quyết" in page
    client.submit(f"/dossiers/{dossier.id}/request-stop", {"reason": "Không còn nhu cầu"})
    assert fresh(dossier).status == "stop_requested"
    as_(client, reception)
    act(client, dossier, "stop")
    assert fresh(dossier).status == "stopped"
    assert "dừng giải quyết" in last_email(citizen.email).body_text


def test_a_stale_page_cannot_repeat_an_action_already_taken(client, other_client, people):
    dossier = create_dossier(people["citizen"], submitted=True)
    first, second = as_(client, people["reception"]), as_(other_client, create_official("reception"))
    page = second.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    stale_version = re.search(r'name="version" value="(\d+)"', page).group(1)
    act(first, dossier, "receive")
    response = second.submit(
        f"/officials/dossiers/{dossier.id}/act/refuse",
        {"reason": "x", "version": stale_version},
        follow_redirects=True,
    )
    text = response.get_data(as_text=True)
    assert "vừa được người khác xử lý" in text and "Đã tiếp nhận" in text
    assert fresh(dossier).status == "received"


def test_extension_once_and_at_least_one_working_day_before_the_due_date(client, people):
    citizen, reception = people["citizen"], people["reception"]
    dossier = create_dossier(citizen, submitted=True)
    as_(client, reception)
    act(client, dossier, "receive")
    calendar = current_calendar()
    due = fresh(dossier).due_date
    new_date = calendar.add_working_days(due, 3)
    version = fresh(dossier).version
    client.submit(
        f"/officials/dossiers/{dossier.id}/extend",
        {"new_date": new_date.isoformat(), "reason": "Cần kiểm tra thực tế cơ sở.", "version": str(version)},
    )
    extended = fresh(dossier)
    assert extended.due_date == new_date and extended.original_due_date == due
    apology = last_email(citizen.email)
    assert "xin lỗi" in apology.body_text
    assert (
        apology.subject == f"Hồ sơ {dossier.code}: Xin lỗi và hẹn lại ngày trả kết quả: {new_date:%d/%m/%Y}"
    )
    again = client.submit(
        f"/officials/dossiers/{dossier.id}/extend",
        {
            "new_date": calendar.add_working_days(new_date, 2).isoformat(),
            "reason": "Lần nữa",
            "version": str(extended.version),
        },
        follow_redirects=True,
    )
    assert "chỉ được hẹn lại ngày trả kết quả một lần" in again.get_data(as_text=True)


def test_extension_too_late_is_refused(client, people):
    dossier = create_dossier(people["citizen"], submitted=True)
    as_(client, people["reception"])
    act(client, dossier, "receive")
    begin_write()
    fresh(dossier).due_date = local_today()
    db.session.commit()
    response = client.submit(
        f"/officials/dossiers/{dossier.id}/extend",
        {"new_date": current_calendar().add_working_days(local_today(), 5).isoformat(), "reason": "Muộn"},
        follow_redirects=True,
    )
    assert "trước hạn giải quyết ít nhất 01 ngày làm việc" in response.get_data(as_text=True)


def test_a_late_decision_is_recorded_as_late(client, people):
    citizen, reception, specialist, leader = people.values()
    dossier = create_dossier(citizen, submitted=True)
    as_(client, reception)
    act(client, dossier, "receive")
    act(client, dossier, "assign", assignee_id=str(specialist.id))
    begin_write()
    fresh(dossier).due_date = date(2020, 1, 6)
    db.session.commit()
    as_(client, specialist)
    act(client, dossier, "start_appraisal")
    act(client, dossier, "propose", decision="approve", draft="x")
    as_(client, leader)
    act(client, dossier, "approve")
    late = fresh(dossier)
    assert late.completed_on_time is False
    assert db.session.scalar(db.select(DossierEvent).where(DossierEvent.event == "approve")).on_time is False


def test_internal_comments_are_hidden_from_the_citizen(client, people):
    citizen, reception = people["citizen"], people["reception"]
    dossier = create_dossier(citizen, submitted=True)
    as_(client, reception)
    client.submit(f"/officials/dossiers/{dossier.id}/comments", {"body": "Cần xác minh con dấu"})
    assert "Cần xác minh con dấu" in client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    assert "Cần xác minh con dấu" not in as_(client, citizen).get(f"/dossiers/{dossier.id}").get_data(
        as_text=True
    )


@pytest.mark.parametrize("role", ["accountant", "admin", "citizen"])
def test_people_without_a_right_cannot_act(client, people, role):
    dossier = create_dossier(people["citizen"], submitted=True)
    as_(client, create_citizen() if role == "citizen" else create_official(role))
    assert client.submit(f"/officials/dossiers/{dossier.id}/act/receive", {}).status_code in (403, 404)
    assert fresh(dossier).status == "submitted"


def test_an_unassigned_specialist_cannot_see_or_act(client, people):
    dossier = create_dossier(people["citizen"], submitted=True)
    as_(client, people["specialist"])
    assert dossier.code not in refused(
        client.submit(f"/officials/dossiers/{dossier.id}/act/start_appraisal", {}), 404
    )
    assert db.session.get(Dossier, dossier.id).status == "submitted"
    assert dossier.code not in refused(client.get(f"/officials/dossiers/{dossier.id}"), 404)


def test_a_single_desk_procedure_is_received_decided_and_returned_at_the_desk(client, people, tmp_path):
    import shutil

    from service.procedures.catalogue import CATALOGUE_DIR, import_catalogue

    directory = tmp_path / "procedures"
    shutil.copytree(CATALOGUE_DIR, directory)
    path = directory / "2.001959.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace('workflow = "one_stop"', 'workflow = "single_desk"'),
        encoding="utf-8",
    )
    import_catalogue(directory)
    citizen, reception = people["citizen"], people["reception"]
    dossier = create_dossier(citizen, submitted=True)
    assert dossier.workflow == "single_desk"
    as_(client, reception)
    act(client, dossier, "receive")
    page = client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    assert "/act/approve" in page and "/act/assign" not in page
    act(client, dossier, "approve")
    act(client, dossier, "return_result", method="desk")
    assert fresh(dossier).status == "returned"
    assert [e.event for e in fresh(dossier).events][-3:] == ["receive", "approve", "return_result"]


def test_a_decision_after_the_first_appointment_is_late_even_with_an_apology(client, people):
    """The apology (form 04) gives the citizen a new date; the statistics still count the dossier late
    when it is decided after the appointment first given."""
    citizen, reception, specialist, leader = people.values()
    dossier = create_dossier(citizen, submitted=True)
    as_(client, reception)
    act(client, dossier, "receive")
    act(client, dossier, "assign", assignee_id=str(specialist.id))
    due = fresh(dossier).due_date
    new_date = current_calendar().add_working_days(due, 3)
    client.submit(
        f"/officials/dossiers/{dossier.id}/extend",
        {
            "new_date": new_date.isoformat(),
            "reason": "Cần kiểm tra thực tế cơ sở.",
            "version": str(fresh(dossier).version),
        },
    )
    begin_write()
    fresh(dossier).original_due_date = date(2020, 1, 6)  # as if the first appointment has passed
    db.session.commit()
    as_(client, specialist)
    act(client, dossier, "start_appraisal")
    act(client, dossier, "propose", decision="approve", draft="x")
    as_(client, leader)
    act(client, dossier, "approve")
    decided = fresh(dossier)
    assert decided.due_date == new_date and decided.completed_on_time is False


def notices_to(user) -> list[str]:
    """The officials' notices emailed to `user` so far (their bodies)."""
    from service.notifications.models import OutboundEmail

    db.session.expire_all()
    return [
        m.body_text
        for m in db.session.scalars(db.select(OutboundEmail).where(OutboundEmail.recipient == user.email))
        if "Mở hồ sơ:" in m.body_text
    ]


def listed(client, name: str) -> str:
    return client.get("/officials/dossiers", query_string={"list": name}).get_data(as_text=True)


def test_each_next_step_reaches_whoever_the_workflow_lets_take_it(client, people):
    citizen, reception, specialist, leader = people.values()
    other_desk = create_official("reception")
    dossier = under_appraisal(client, people)
    act(client, dossier, "propose", decision="approve", draft="Cấp giấy chứng nhận.")
    assert any("chờ phê duyệt" in body for body in notices_to(leader))  # the leader decides
    assert notices_to(reception) == []
    as_(client, leader)
    act(client, dossier, "approve")
    for desk in (reception, other_desk):  # the desk returns the result: every desk officer hears of it
        assert any("Vui lòng trả kết quả cho người nộp" in body for body in notices_to(desk))
    assert not any("trả kết quả" in body for body in notices_to(leader))  # not the one who decided
    as_(client, reception)
    assert dossier.code in listed(client, "to_return")
    assert dossier.code not in listed(client, "stop_requests")


def test_a_stop_request_on_an_assigned_dossier_reaches_the_desk_who_can_stop_it(client, people):
    citizen, reception, specialist, leader = people.values()
    dossier = create_dossier(citizen, submitted=True)
    as_(client, reception)
    act(client, dossier, "receive")
    act(client, dossier, "assign", assignee_id=str(specialist.id))
    as_(client, citizen)
    client.submit(f"/dossiers/{dossier.id}/request-stop", {"reason": "Không còn nhu cầu"})
    assert fresh(dossier).status == "stop_requested"
    assert any("đề nghị dừng giải quyết" in body for body in notices_to(reception))
    assert any("đề nghị dừng giải quyết" in body for body in notices_to(leader))  # the leader may stop too
    assert not any("đề nghị dừng" in body for body in notices_to(specialist))  # may not stop it
    as_(client, reception)
    page = listed(client, "stop_requests")
    assert "Đề nghị dừng" in page and dossier.code in page


def test_a_supplement_answered_during_appraisal_goes_back_to_the_specialist_marked(client, people):
    citizen, reception, specialist, leader = people.values()
    dossier = under_appraisal(client, people)
    act(client, dossier, "request_supplement", reason="Thiếu bản sao giấy phép")
    as_(client, citizen)
    client.submit(f"/dossiers/{dossier.id}/supplement", {"note": "Đã gửi bản sao giấy phép"})
    assert fresh(dossier).status == "under_appraisal"
    assert any("hồ sơ bổ sung" in body for body in notices_to(specialist))
    assert not any("hồ sơ bổ sung" in body for body in notices_to(reception))  # not theirs to act on
    as_(client, specialist)
    page = listed(client, "supplemented")
    assert dossier.code in page and "Đã bổ sung" in page


def test_a_new_appointment_after_a_supplement_is_told_with_a_new_form_01(client, people):
    from service.documents.jobs import run_pending
    from service.documents.models import IssuedDocument

    citizen, reception, specialist, leader = people.values()
    dossier = under_appraisal(client, people)
    act(client, dossier, "request_supplement", reason="Thiếu bản sao giấy phép")
    begin_write()
    fresh(dossier).due_date = local_today()  # the first period's appointment, today
    db.session.commit()
    as_(client, citizen)
    client.submit(f"/dossiers/{dossier.id}/supplement", {"note": "Đã gửi bản sao giấy phép"})
    run_pending()
    new_due = fresh(dossier).due_date
    assert new_due > local_today()
    told = last_email(citizen.email)
    assert told.subject == f"Hồ sơ {dossier.code}: Ngày hẹn trả kết quả mới: {new_due:%d/%m/%Y}"
    assert "tính lại từ ngày nhận đủ hồ sơ" in told.body_text
    forms = db.session.scalars(
        db.select(IssuedDocument)
        .where(IssuedDocument.dossier_id == dossier.id, IssuedDocument.kind == "form_01")
        .order_by(IssuedDocument.id)
    ).all()
    assert [f.status for f in forms] == ["replaced", "valid"]
    assert forms[-1].data["dossier"]["due"] == f"{new_due:%d/%m/%Y}"
