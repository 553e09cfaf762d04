"""Officials never retype (issue 15 item 5): what an official typed into a form of the dossier page, or of
the administration pages, comes back in that form when the step is refused, whether for bad input or
because someone else changed the dossier meanwhile, together with the reason in Vietnamese."""

from __future__ import annotations

import html
import re

import pytest

from service.database import begin_write
from service.deadlines.calendar import current_calendar
from service.dossiers import processing
from service.dossiers.models import Dossier, DossierComment
from service.extensions import db
from tests.factories import create_citizen, create_dossier, create_official, login, pdf_upload

LONG = "Thiếu bản sao giấy phép xây dựng có chứng thực. " * 110  # over the form's 5 000 characters


def fresh(dossier) -> Dossier:
    db.session.expire_all()
    return db.session.get(Dossier, dossier.id)


def version_on_page(client, dossier) -> str:
    page = client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    return re.search(r'name="version" value="(\d+)"', page).group(1)


def send(client, dossier, event, version=None, **data):
    version = version_on_page(client, dossier) if version is None else version
    return client.submit(f"/officials/dossiers/{dossier.id}/act/{event}", {**data, "version": version})


def field(page: str, element_id: str) -> str:
    """What a textarea of the page holds, as the browser shows it."""
    found = re.search(rf'<textarea id="{re.escape(element_id)}"[^>]*>(.*?)</textarea>', page, re.S)
    assert found, f"no field {element_id} on the page"
    return html.unescape(found.group(1))


def selected(page: str, select_id: str) -> str:
    block = re.search(rf'<select id="{re.escape(select_id)}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return re.search(r'<option value="([^"]*)" selected>', block).group(1)


@pytest.fixture
def people():
    return {
        "citizen": create_citizen(),
        "reception": create_official("reception"),
        "specialist": create_official("specialist"),
        "leader": create_official("leader"),
    }


def processed(dossier, steps) -> Dossier:
    for actor, event, data in steps:
        processing.act(dossier.id, actor, event, data, None)
    return fresh(dossier)


def appraised(people) -> Dossier:
    desk, specialist = people["reception"], people["specialist"]
    return processed(
        create_dossier(people["citizen"], submitted=True),
        [
            (desk, "receive", {}),
            (desk, "assign", {"assignee_id": specialist.id}),
            (specialist, "start_appraisal", {}),
        ],
    )


def test_a_refusal_whose_attachment_is_refused_keeps_the_reason_and_asks_for_the_file(client, people):
    dossier = create_dossier(people["citizen"], submitted=True)
    login(client, people["reception"])
    reason = "Hồ sơ không thuộc thẩm quyền của Sở; đề nghị nộp tại UBND cấp xã."
    response = send(
        client, dossier, "refuse", reason=reason, attachment=pdf_upload("tb.pdf", b"MZ not a pdf")
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Tệp đính kèm phải là PDF" in page
    assert field(page, "reason-refuse") == reason
    assert "vui lòng chọn lại tệp" in page
    assert fresh(dossier).status == "submitted"


def test_a_supplement_request_too_long_comes_back_whole(client, people):
    dossier = create_dossier(people["citizen"], submitted=True)
    login(client, people["reception"])
    response = send(client, dossier, "request_supplement", reason=LONG)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Dữ liệu nhập chưa hợp lệ" in page
    assert field(page, "reason-request_supplement") == LONG  # exactly as typed
    assert "vui lòng chọn lại tệp" not in page  # nothing was attached


def test_a_supplement_request_from_a_page_another_official_changed_is_kept_for_a_second_look(
    client, other_client, people
):
    dossier = appraised(people)
    login(client, people["specialist"])
    stale = version_on_page(client, dossier)
    login(other_client, people["leader"])  # meanwhile the leader apologises and gives a new date
    new_date = current_calendar().add_working_days(fresh(dossier).due_date, 2)
    other_client.submit(
        f"/officials/dossiers/{dossier.id}/extend",
        {"new_date": new_date.isoformat(), "reason": "Cần xác minh thực tế.", "version": stale},
    )
    assert fresh(dossier).extended_at is not None
    reason = "Bổ sung bản sao giấy phép; bản đã nộp bị mờ."
    response = send(client, dossier, "request_supplement", version=stale, reason=reason)
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "vừa được người khác xử lý" in page
    assert field(page, "reason-request_supplement") == reason  # still offered: filled in, ready to send
    fresh_version = re.search(r'name="version" value="(\d+)"', page).group(1)
    assert int(fresh_version) == fresh(dossier).version  # the page is today's: sending it again works
    assert (
        send(client, dossier, "request_supplement", version=fresh_version, reason=reason).status_code == 302
    )
    assert fresh(dossier).supplement_request == reason


def test_a_proposal_without_its_draft_keeps_the_decision_recipients_and_opinion(client, people):
    dossier = appraised(people)
    login(client, people["specialist"])
    response = send(
        client,
        dossier,
        "propose",
        decision="deny",
        draft=" ",
        recipients="Như trên;\nLưu: VT",
        reason="Cơ sở chưa đủ giáo viên cơ hữu.",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "nhập dự thảo kết quả" in page
    assert selected(page, "decision") == "deny"
    assert field(page, "recipients") == "Như trên;\nLưu: VT"
    assert field(page, "propose-reason") == "Cơ sở chưa đủ giáo viên cơ hữu."


def test_a_denial_no_longer_possible_shows_what_was_typed_to_copy(client, other_client, people):
    dossier = processed(
        appraised(people),
        [
            (people["specialist"], "propose", {"decision": "approve", "draft": "Cấp giấy chứng nhận."}),
        ],
    )
    login(client, people["leader"])
    stale = version_on_page(client, dossier)
    login(other_client, create_official("leader"))  # a second leader sends it back first
    other_client.submit(
        f"/officials/dossiers/{dossier.id}/act/send_back",
        {"reason": "Xem lại điều kiện cơ sở vật chất.", "version": stale},
    )
    reason = "Không đáp ứng điều kiện về cơ sở vật chất theo Nghị định 15/2019."
    response = send(client, dossier, "deny", version=stale, reason=reason)
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "Đang thẩm định" in page
    assert "/act/deny" not in page  # the form is gone with the state that offered it
    assert "không còn thực hiện được" in page and reason in html.unescape(page)


def test_returning_a_result_without_a_method_keeps_the_note(client, people):
    dossier = processed(
        appraised(people),
        [
            (people["specialist"], "propose", {"decision": "approve", "draft": "Cấp giấy chứng nhận."}),
            (people["leader"], "approve", {}),
        ],
    )
    login(client, people["reception"])
    response = send(client, dossier, "return_result", method="", reason="Vận đơn EMS EB123456789VN")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Vui lòng chọn hình thức trả kết quả" in page
    assert field(page, "return-note") == "Vận đơn EMS EB123456789VN"
    kept = send(client, dossier, "return_result", version="0", method="post", reason="Vận đơn EMS")
    assert kept.status_code == 409 and selected(kept.get_data(as_text=True), "method") == "post"


def test_an_assignment_from_a_stale_page_keeps_the_chosen_specialist(client, other_client, people):
    second = create_official("specialist")
    dossier = processed(
        create_dossier(people["citizen"], submitted=True),
        [
            (people["reception"], "receive", {}),
        ],
    )
    login(client, people["reception"])
    stale = version_on_page(client, dossier)
    login(other_client, people["leader"])
    other_client.submit(
        f"/officials/dossiers/{dossier.id}/act/assign",
        {"assignee_id": str(people["specialist"].id), "version": stale},
    )
    response = send(client, dossier, "assign", version=stale, assignee_id=str(second.id))
    assert response.status_code == 409
    assert selected(response.get_data(as_text=True), "assignee-assign") == str(second.id)
    assert fresh(dossier).assignee_id == people["specialist"].id


def test_a_paper_dossier_confirmed_digitised_without_scans_keeps_the_tick_and_the_note(client, people):
    dossier = create_dossier(people["citizen"], submitted=True)
    begin_write()  # filed at the desk on paper
    fresh(dossier).channel = "desk"
    db.session.commit()
    login(client, people["reception"])
    response = send(client, dossier, "receive", components_digitised="y")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "đính kèm bản quét" in page
    assert re.search(r'name="components_digitised" value="y" checked', page)


@pytest.mark.parametrize("event", ["stop", "approve", "send_back"])
def test_notes_and_opinions_of_other_steps_survive_a_stale_page(client, other_client, people, event):
    citizen, desk, specialist, leader = people.values()
    dossier = appraised(people)
    if event == "stop":
        login(other_client, citizen)
        other_client.submit(f"/dossiers/{dossier.id}/request-stop", {"reason": "Không còn nhu cầu"})
        actor, element = leader, "note-stop"
    else:
        processed(
            dossier, [(specialist, "propose", {"decision": "approve", "draft": "Cấp giấy chứng nhận."})]
        )
        actor, element = leader, "note-approve" if event == "approve" else "reason-send_back"
    login(client, actor)
    typed = f"Ý kiến của lãnh đạo cho bước {event}."
    response = send(client, dossier, event, version="0", reason=typed)
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "vừa được người khác xử lý" in page
    assert field(page, element) == typed


def test_an_extension_refused_keeps_the_reason_and_the_date(client, people):
    dossier = processed(
        create_dossier(people["citizen"], submitted=True), [(people["reception"], "receive", {})]
    )
    login(client, people["reception"])
    too_far = current_calendar().add_working_days(dossier.due_date, 60)
    reason = "Cần lấy ý kiến của Sở Lao động về điều kiện cơ sở."
    url = f"/officials/dossiers/{dossier.id}/extend"
    response = client.submit(
        url, {"new_date": too_far.isoformat(), "reason": reason, "version": version_on_page(client, dossier)}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Ngày hẹn mới không được quá" in page
    assert field(page, "extend-reason") == reason and f'value="{too_far.isoformat()}"' in page
    no_date = client.submit(
        url, {"new_date": "", "reason": reason, "version": version_on_page(client, dossier)}
    )
    assert no_date.status_code == 400 and "Vui lòng chọn ngày hẹn mới" in no_date.get_data(as_text=True)
    assert field(no_date.get_data(as_text=True), "extend-reason") == reason
    stale = client.submit(
        url,
        {
            "new_date": current_calendar().add_working_days(dossier.due_date, 2).isoformat(),
            "reason": reason,
            "version": "0",
        },
    )
    assert stale.status_code == 409 and field(stale.get_data(as_text=True), "extend-reason") == reason
    assert fresh(dossier).extended_at is None


def test_a_comment_too_long_comes_back_whole(client, people):
    dossier = create_dossier(people["citizen"], submitted=True)
    login(client, people["reception"])
    response = client.submit(f"/officials/dossiers/{dossier.id}/comments", {"body": LONG})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Tối đa 5000 ký tự" in page
    assert field(page, "comment-body") == LONG  # exactly as typed
    assert db.session.scalar(db.select(db.func.count()).select_from(DossierComment)) == 0


# ---------------------------------------------------------------- administration


def test_a_department_renamed_to_a_taken_name_keeps_what_was_typed(client):
    from service.accounts.models import Department

    login(client, create_official("admin"))
    client.submit("/admin/departments", {"code": "GDNN", "name": "Phòng Giáo dục nghề nghiệp"})
    client.submit("/admin/departments", {"code": "KHTC", "name": "Phòng Kế hoạch - Tài chính"})
    khtc = db.session.scalar(db.select(Department.id).where(Department.code == "KHTC"))
    response = client.submit(f"/admin/departments/{khtc}/rename", {"name": "phòng giáo dục nghề nghiệp"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Đã có phòng, đơn vị tên" in page
    assert re.search(rf'id="rename-{khtc}" name="name" value="phòng giáo dục nghề nghiệp"', page)


def test_a_new_department_refused_keeps_its_code_and_name(client):
    login(client, create_official("admin"))
    client.submit("/admin/departments", {"code": "GDNN", "name": "Phòng Giáo dục nghề nghiệp"})
    response = client.submit("/admin/departments", {"code": "GDNN", "name": "Phòng Thanh tra"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "đã tồn tại" in page and 'value="Phòng Thanh tra"' in page


def test_a_calendar_declaration_refused_keeps_the_day_and_its_basis(client):
    login(client, create_official("admin"))
    response = client.submit(
        "/admin/calendar",
        {"day": "2026-12-05", "kind": "off", "note": "Thông báo 99/TB-UBND ngày 01/12/2026"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "vốn là ngày nghỉ cuối tuần" in page
    assert 'value="2026-12-05"' in page and 'value="Thông báo 99/TB-UBND ngày 01/12/2026"' in page
    assert re.search(r'value="off"[^>]*checked|checked[^>]*value="off"', page)


def test_an_official_account_refused_keeps_what_the_administrator_typed(client):
    admin = create_official("admin")
    login(client, admin)
    response = client.submit(
        "/admin/users/new",
        {
            "full_name": "Lê Thị Thu",
            "email": admin.email,
            "role": "specialist",
            "position": "Chuyên viên",
            "phone": "0912345678",
            "department_id": "0",
            "school_id": "0",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'value="Lê Thị Thu"' in page and 'value="Chuyên viên"' in page
    assert re.search(r'<option selected value="specialist">|<option value="specialist" selected', page)
