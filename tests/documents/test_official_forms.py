"""The one-stop forms and register 07 as Circular 03/2025 lays them out (LAW-2026 §4): who issues them,
the fields they carry, how they break over pages, and how they are downloaded."""

from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl
import pypdf
import pytest
from weasyprint import HTML

from config import TestConfig
from service.agencies import operations as agencies
from service.deadlines.calendar import current_calendar
from service.documents import issuing
from service.documents.jobs import run_pending
from service.documents.models import IssuedDocument
from service.documents.renderer import qr_data_uri, renderer
from service.dossiers import documents as builders
from service.dossiers import processing
from service.dossiers.models import Dossier
from service.extensions import db
from service.timeutil import local_today
from tests.factories import create_citizen, create_dossier, create_official, create_organisation, login

MM = 96 / 25.4  # CSS pixels per millimetre: WeasyPrint lays out in CSS pixels
TEXT_LEFT, TEXT_RIGHT = 30, 195  # A4 portrait with Decree 30's margins (left 30 mm, right 15 mm)


def pages_of(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def page_with(pages: list[str], text: str) -> int:
    return next(number for number, page in enumerate(pages, start=1) if text in page)


def documents_of(dossier, kind) -> list[IssuedDocument]:
    return db.session.scalars(
        db.select(IssuedDocument).where(IssuedDocument.dossier_id == dossier.id, IssuedDocument.kind == kind)
    ).all()


def through(dossier, steps):
    for actor, event, data in steps:
        processing.act(dossier.id, actor, event, data, None)
    run_pending()


def fresh(dossier) -> Dossier:
    db.session.expire_all()
    return db.session.get(Dossier, dossier.id)


@pytest.fixture
def staff():
    return {role: create_official(role) for role in ("reception", "specialist", "leader")}


def received_form_01(owner, staff) -> tuple[Dossier, bytes]:
    dossier = create_dossier(owner, submitted=True)
    through(dossier, [(staff["reception"], "receive", {})])
    [form] = documents_of(dossier, "form_01")
    return dossier, issuing.pdf_bytes(form)


def as_issued(kind: str, dossier, documents: int | None = None) -> dict:
    """The data of a document about `dossier` as issuing draws it, optionally with `documents` rows of the
    procedure's real document names in form 01's table."""
    data, _ = builders.build(kind, dossier)
    if documents:
        names = [d["name"] for d in dossier.procedure_version.documents]
        data["documents"] = [
            {"name": names[n % len(names)], "kind": "Bản chính", "count": 1} for n in range(documents)
        ]
    url = "http://127.0.0.1:5000/verify/7QKM-2PXH-A9TD"
    data["doc"].update(verification={"code": "7QKM-2PXH-A9TD", "url": url, "qr": qr_data_uri(url)})
    data["doc"]["place_date"] = issuing.place_date(local_today())
    return data


def text_boxes(template: str, data: dict) -> list[tuple[int, float, float, float, str]]:
    """(page, left mm, right mm, top mm, text) of every line of text as WeasyPrint lays it out."""
    drawer = renderer(TestConfig.DOCUMENT_FONT_DIR)
    document = HTML(string=drawer.html(template, data), url_fetcher=drawer.fetcher, base_url="font:").render(
        stylesheets=[drawer.stylesheet], font_config=drawer.font_config
    )
    found = []

    def walk(box, page):
        if getattr(box, "text", None):
            found.append(
                (page, box.position_x / MM, (box.position_x + box.width) / MM, box.position_y / MM, box.text)
            )
        for child in getattr(box, "children", None) or []:
            walk(child, page)

    for number, page in enumerate(document.pages, start=1):
        walk(page._page_box, number)
    return found


# Form 01 ------------------------------------------------------------------------------------------------


def test_form_01_with_three_documents_is_one_page_with_its_signatures_and_qr(staff):
    """2.000189 asks for three documents, each with a long official name: the receipt, both signatures
    and the verification QR code fit on one page (the QR used to fall alone onto page 2)."""
    dossier, pdf = received_form_01(create_organisation(), staff)
    assert len(fresh(dossier).files) == 3
    pages = pages_of(pdf)
    assert len(pages) == 1, pages
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in pages[0] and "Mã xác thực" in pages[0]


@pytest.mark.parametrize("count", [5, 8])
def test_a_longer_form_01_moves_its_closing_lines_signatures_and_qr_together(staff, count):
    dossier = create_dossier(create_organisation(), submitted=True)
    through(dossier, [(staff["reception"], "receive", {})])
    data = as_issued("form_01", fresh(dossier), documents=count)
    pages = pages_of(renderer(TestConfig.DOCUMENT_FONT_DIR).render("form_01.html", data))
    qr_page = page_with(pages, "Mã xác thực")
    assert qr_page == page_with(pages, "NGƯỜI TIẾP NHẬN HỒ SƠ") == page_with(pages, "NGƯỜI NỘP HỒ SƠ")
    assert qr_page == page_with(pages, "Vào Sổ theo dõi hồ sơ") == page_with(pages, "Hình thức trả kết quả")
    assert qr_page == len(pages)  # nothing after it, and no page left empty


def test_the_applicants_name_prints_inside_its_half_of_the_signatures(staff):
    owner = create_citizen(full_name="Nguyễn Trần Thị Minh Khai Phương Thảo Hoàng Bảo Ngọc Anh")
    dossier = create_dossier(owner, submitted=True)
    through(dossier, [(staff["reception"], "receive", {})])
    boxes = text_boxes("form_01.html", as_issued("form_01", fresh(dossier)))
    heading = next(box for box in boxes if box[4] == "NGƯỜI NỘP HỒ SƠ")
    officer = next(box for box in boxes if box[4] == "NGƯỜI TIẾP NHẬN HỒ SƠ")
    # Below the heading on its page (the form may run onto a second page).
    name_lines = [
        box
        for box in boxes
        if box[0] == heading[0] and box[3] > heading[3] and box[4].strip() in owner.full_name
    ]
    assert name_lines and "Anh" in name_lines[-1][4]
    middle = (TEXT_LEFT + TEXT_RIGHT) / 2
    assert all(TEXT_LEFT - 0.5 <= box[1] and box[2] <= middle + 0.5 for box in name_lines), name_lines
    assert middle - 0.5 <= officer[1] and officer[2] <= TEXT_RIGHT + 0.5, officer
    # Each heading is centred in its half.
    assert abs((heading[1] + heading[2]) / 2 - (TEXT_LEFT + middle) / 2) < 1.5
    assert abs((officer[1] + officer[2]) / 2 - (middle + TEXT_RIGHT) / 2) < 1.5


def test_form_01_carries_the_identification_number_authorised_person_and_appointment_hour(app, staff):
    citizen = create_citizen(full_name="Võ Thị Định Danh")
    dossier, pdf = received_form_01(citizen, staff)
    text = "\n".join(pages_of(pdf))
    due = fresh(dossier).due_date
    assert f"Số định danh cá nhân: {citizen.personal_id}" in text
    assert "Người được ủy quyền (nếu có):" in text  # not in the data: a line to fill in by hand
    assert f"...... giờ ...... phút, ngày {due:%d/%m/%Y}" in text  # no hour configured: blanks
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in text
    saved = app.config["APPOINTMENT_TIME"]
    app.config["APPOINTMENT_TIME"] = "16:30"
    try:
        data = as_issued("form_01", fresh(dossier))
    finally:
        app.config["APPOINTMENT_TIME"] = saved
    text = "\n".join(pages_of(renderer(TestConfig.DOCUMENT_FONT_DIR).render("form_01.html", data)))
    assert f"16 giờ 30 phút, ngày {due:%d/%m/%Y}" in text


def test_an_organisations_form_01_carries_its_tax_code():
    from service.dossiers.documents import build

    organisation = create_organisation()
    dossier = create_dossier(organisation, submitted=True)
    applicant = build("form_01", dossier)[0]["dossier"]["applicant"]
    assert applicant["identifier"] == organisation.tax_code
    assert applicant["identifier_label"] == "Mã số thuế (mã số doanh nghiệp)"


# The issuer ---------------------------------------------------------------------------------------------


def test_the_one_stop_forms_are_issued_by_the_receiving_unit_and_results_by_the_so(app, staff):
    desk, specialist, leader = staff["reception"], staff["specialist"], staff["leader"]
    saved = {key: app.config[key] for key in ("RECEIVING_UNIT_PARENT", "RECEIVING_UNIT_NAME")}
    app.config.update(
        RECEIVING_UNIT_PARENT="Ủy ban nhân dân tỉnh Thử Nghiệm", RECEIVING_UNIT_NAME="Trung tâm Một Cửa Mẫu"
    )
    try:
        dossier = create_dossier(create_citizen(), submitted=True)
        through(
            dossier,
            [
                (desk, "receive", {}),
                (desk, "assign", {"assignee_id": specialist.id}),
                (specialist, "start_appraisal", {}),
                (specialist, "propose", {"decision": "approve", "draft": "Cấp."}),
                (leader, "approve", {}),
            ],
        )
        refused = create_dossier(create_citizen(), submitted=True)
        through(refused, [(desk, "refuse", {"reason": "Không thuộc thẩm quyền"})])
        stopped = create_dossier(create_citizen(), submitted=True)
        through(stopped, [(desk, "receive", {})])
        processing.request_stop(stopped.id, stopped.owner, "Không còn nhu cầu")
        through(stopped, [(desk, "stop", {})])
    finally:
        app.config.update(saved)
    for owner, kind in [
        (dossier, "form_01"),
        (dossier, "form_06"),
        (refused, "form_03"),
        (stopped, "form_05"),
    ]:
        [document] = documents_of(owner, kind)
        head = pages_of(issuing.pdf_bytes(document))[0][:120].replace("\n", " ")
        assert "ỦY BAN NHÂN DÂN TỈNH THỬ NGHIỆM" in head and "TRUNG TÂM MỘT CỬA MẪU" in head, (kind, head)
    [decision] = documents_of(dossier, "decision")
    head = pages_of(issuing.pdf_bytes(decision))[0][:120]
    assert "SỞ GIÁO DỤC VÀ ĐÀO TẠO" in head and "MỘT CỬA MẪU" not in head


def test_the_verification_page_names_the_body_in_the_documents_header(client, staff):
    dossier = create_dossier(create_citizen(), submitted=True)
    through(dossier, [(staff["reception"], "receive", {})])
    [form] = documents_of(dossier, "form_01")
    page = client.get(f"/verify/{form.verification_code}").get_data(as_text=True)
    assert "Trung tâm Phục vụ hành chính công tỉnh An Giang" in page


def test_form_03_has_the_applicants_and_the_officers_signatures_and_the_id(staff):
    citizen = create_citizen()
    dossier = create_dossier(citizen, submitted=True)
    through(dossier, [(staff["reception"], "refuse", {"reason": "Không thuộc thẩm quyền"})])
    [refusal] = documents_of(dossier, "form_03")
    text = "\n".join(pages_of(issuing.pdf_bytes(refusal)))
    assert "NGƯỜI NỘP HỒ SƠ" in text and "NGƯỜI TIẾP NHẬN HỒ SƠ" in text
    assert f"Số định danh cá nhân: {citizen.personal_id}" in text
    assert "Cơ quan chủ trì giải quyết: Sở Giáo dục và Đào tạo" in text


def test_form_02_gives_the_telephone_to_call_for_guidance(staff):
    dossier = create_dossier(create_citizen(), submitted=True)
    # The receiving agency's telephone, as an administrator records it (RECEIVING_UNIT_PHONE is only
    # the provincial centre's default when its row is created).
    agency = dossier.agency
    agencies.update(
        agency.id, {**{key: getattr(agency, key) for key in agencies.EDITABLE}, "phone": "0296 3 852 000"}
    )
    through(dossier, [(staff["reception"], "request_supplement", {"reason": "Thiếu bản sao quyết định"})])
    [request] = documents_of(dossier, "form_02")
    assert "số điện thoại 0296 3 852 000 để được hướng dẫn" in " ".join(pages_of(issuing.pdf_bytes(request)))


def test_the_receiving_units_forms_are_kept_under_its_own_abbreviation_not_the_sos(staff):
    """Form 05 (and 01-03) is the receiving unit's: "Lưu: VT, <its abbreviation>." from the agency's
    row, never the Sở's department (GDNN); the Sở's decision keeps GDNN."""
    desk, specialist, leader = staff["reception"], staff["specialist"], staff["leader"]
    stopped = create_dossier(create_citizen(), submitted=True)
    agency = stopped.agency
    agencies.update(
        agency.id, {**{key: getattr(agency, key) for key in agencies.EDITABLE}, "abbreviation": "TTHCC"}
    )
    through(stopped, [(desk, "receive", {})])
    processing.request_stop(stopped.id, stopped.owner, "Không còn nhu cầu")
    through(stopped, [(desk, "stop", {})])
    [notice] = documents_of(stopped, "form_05")
    [receipt] = documents_of(stopped, "form_01")
    assert notice.data["doc"]["recipients"][-1] == "- Lưu: VT, TTHCC."
    assert receipt.data["doc"]["recipients"][-1] == "- Lưu: VT, TTHCC."
    text = " ".join(pages_of(issuing.pdf_bytes(notice)))
    assert "Lưu: VT, TTHCC." in text and "GDNN" not in text
    granted = create_dossier(create_citizen(), submitted=True)
    through(
        granted,
        [
            (desk, "receive", {}),
            (desk, "assign", {"assignee_id": specialist.id}),
            (specialist, "start_appraisal", {}),
            (specialist, "propose", {"decision": "approve", "draft": "Cấp."}),
            (leader, "approve", {}),
        ],
    )
    [decision] = documents_of(granted, "decision")
    assert decision.data["doc"]["recipients"][-1] == "- Lưu: VT, GDNN."


def test_a_receiving_unit_without_an_abbreviation_keeps_its_forms_under_vt_alone(staff):
    dossier = create_dossier(create_citizen(), submitted=True)
    agency = dossier.agency
    agencies.update(
        agency.id, {**{key: getattr(agency, key) for key in agencies.EDITABLE}, "abbreviation": ""}
    )
    through(dossier, [(staff["reception"], "refuse", {"reason": "Không thuộc thẩm quyền"})])
    [refusal] = documents_of(dossier, "form_03")
    assert refusal.data["doc"]["recipients"][-1] == "- Lưu: VT."


def test_form_06_names_the_units_and_carries_no_recipients_or_leaders_signature(staff):
    desk, specialist, leader = staff["reception"], staff["specialist"], staff["leader"]
    dossier = create_dossier(create_citizen(), submitted=True)
    through(
        dossier,
        [
            (desk, "receive", {}),
            (desk, "assign", {"assignee_id": specialist.id}),
            (specialist, "start_appraisal", {}),
            (specialist, "propose", {"decision": "approve", "draft": "Cấp."}),
            (leader, "approve", {}),
        ],
    )
    [slip] = documents_of(dossier, "form_06")
    text = " ".join(pages_of(issuing.pdf_bytes(slip))).replace("\n", " ")
    assert "Cơ quan (bộ phận) giải quyết hồ sơ: Phòng Giáo dục nghề nghiệp, Sở Giáo dục và Đào tạo" in text
    assert "Cơ quan phối hợp giải quyết hồ sơ:" in text
    assert "Trung tâm Phục vụ hành chính công tỉnh An Giang" in text  # a giving unit
    assert "Trước hạn" in text  # every step was taken long before the appointment
    assert "Nơi nhận" not in text and "GIÁM ĐỐC" not in text
    assert slip.data["doc"]["recipients"] == []


# Register 07 --------------------------------------------------------------------------------------------


def register_history(staff):
    """Dossiers received today with every remark the register writes."""
    desk, specialist, leader = staff["reception"], staff["specialist"], staff["leader"]
    citizen = create_citizen(full_name="Phan Văn Ghi Chú")
    extended = create_dossier(citizen, submitted=True)
    through(
        extended,
        [
            (desk, "receive", {}),
            (desk, "assign", {"assignee_id": specialist.id}),
            (specialist, "start_appraisal", {}),
        ],
    )
    new_due = current_calendar().add_working_days(fresh(extended).due_date, 2)
    processing.extend(extended.id, desk, new_due, "Cần kiểm tra thực tế", None)
    through(extended, [(specialist, "request_supplement", {"reason": "Thiếu báo cáo"})])
    processing.supplement(extended.id, citizen, "Đã bổ sung")
    stopped = create_dossier(create_citizen(), submitted=True)
    through(stopped, [(desk, "receive", {})])
    processing.request_stop(stopped.id, stopped.owner, "Không còn nhu cầu")
    through(stopped, [(desk, "stop", {})])
    denied = create_dossier(create_citizen(), submitted=True)
    through(denied, [
        (desk, "receive", {}), (desk, "assign", {"assignee_id": specialist.id}), (specialist, "start_appraisal", {}),
        (specialist, "propose", {"decision": "deny", "draft": "Chưa đủ điều kiện."}),
        (leader, "deny", {"reason": "Không đủ điều kiện"}), (desk, "return_result", {"method": "electronic"}),
    ])  # fmt: skip
    return fresh(extended), fresh(stopped), fresh(denied), new_due


def export(client, staff, kind):
    login(client, staff["reception"])
    today = local_today().isoformat()
    return client.get("/officials/register", query_string={"start": today, "end": today, "format": kind})


def test_register_07_excel_has_the_two_row_header_real_dates_numbers_and_remarks(client, staff):
    extended, stopped, denied, new_due = register_history(staff)
    response = export(client, staff, "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    header = [[sheet.cell(row=r, column=c).value for c in range(1, 15)] for r in (3, 4)]
    assert header[0][7] == "Ngày, tháng, năm" and header[1][7:11] == [
        "Nhận hồ sơ",
        "Hẹn trả kết quả",
        "Chuyển hồ sơ đến cơ quan giải quyết",
        "Trả kết quả",
    ]
    assert header[0][11:14] == ["Phương thức nhận kết quả", "Ký nhận", "Ghi chú"]
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert {"A3:A4", "B3:B4", "H3:K3", "L3:L4", "M3:M4", "N3:N4"} <= merged
    rows = {row[1].value: row for row in sheet.iter_rows(min_row=5, max_col=14)}
    today = local_today()
    first = rows[extended.code]
    assert first[0].value == 1 and first[0].data_type == "n"  # TT and the count are numbers
    assert first[3].value == 1 and first[3].data_type == "n"
    received, due = first[7], first[8]
    assert isinstance(received.value, datetime) and received.value.date() == today
    assert received.is_date and received.number_format == "dd/mm/yyyy"
    assert due.value.date() == extended.due_date and due.number_format == "dd/mm/yyyy"
    day = f"{today:%d/%m/%Y}"
    note = first[13].value
    assert f"Gia hạn ngày {day}, hẹn trả ngày {new_due:%d/%m/%Y}" in note
    assert f"Yêu cầu bổ sung hồ sơ ngày {day}" in note and f"Đã bổ sung hồ sơ ngày {day}" in note
    assert f"Dừng giải quyết ngày {day}" in rows[stopped.code][13].value
    assert f"Đề nghị dừng giải quyết ngày {day}" in rows[stopped.code][13].value
    denial = rows[denied.code]
    assert f"Từ chối giải quyết (trả lời bằng văn bản) ngày {day}" in denial[13].value
    assert denial[10].value.date() == today and denial[11].value == "Trực tuyến" and denial[12].value is None


def test_register_07_pdf_has_the_official_columns_and_remarks(client, staff):
    extended, stopped, _denied, _new_due = register_history(staff)
    response = export(client, staff, "pdf")
    text = " ".join(pages_of(response.data)).replace("\n", " ")
    for heading in ("Ngày, tháng, năm", "Phương thức nhận kết quả", "Ký nhận", "Ghi chú", "Nhận hồ sơ"):
        assert heading in text, heading
    assert "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG" in text  # kept by the receiving unit
    assert "Dừng giải quyết ngày" in text and "Gia hạn ngày" in text
    assert stopped.code in text and extended.code in text


def test_the_register_remarks_name_a_late_result():
    from types import SimpleNamespace

    from service.dossiers import register

    assert register.remarks(SimpleNamespace(events=[], completed_on_time=False)) == "Trễ hạn"
    assert register.remarks(SimpleNamespace(events=[], completed_on_time=True)) == ""


def test_the_register_sample_has_the_registers_columns():
    """`flask documents render-samples` draws form 07 with the columns the real register prints."""
    from service.documents.samples import SAMPLES
    from service.dossiers import register

    sample = SAMPLES["register_07.html"]
    assert sample["columns"] == [{"title": c.title, "group": c.group} for c in register.COLUMNS]
    assert sample["date_group"] == register.DATE_GROUP


# Downloads ----------------------------------------------------------------------------------------------


def attachment(response, name_start: str, extension: str) -> bool:
    disposition = response.headers.get("Content-Disposition", "")
    return (
        response.status_code == 200
        and disposition.startswith("attachment;")
        and f'filename="{name_start}' in disposition
        and disposition.split(";")[1].strip().rstrip('"').endswith(extension)
    )


def test_every_document_and_register_download_is_an_attachment(client, staff):
    desk, specialist = staff["reception"], staff["specialist"]
    owner = create_citizen()
    dossier = create_dossier(owner, submitted=True)
    through(
        dossier,
        [
            (desk, "receive", {}),
            (desk, "assign", {"assignee_id": specialist.id}),
            (specialist, "start_appraisal", {}),
            (specialist, "propose", {"decision": "approve", "draft": "Cấp."}),
        ],
    )
    [form] = documents_of(dossier, "form_01")
    login(client, owner)
    assert attachment(client.get(f"/dossiers/{dossier.id}/documents/{form.id}"), "form_01-", ".pdf")
    client.submit("/account/logout")
    client._csrf = None
    login(client, specialist)
    assert attachment(client.get(f"/officials/dossiers/{dossier.id}/draft-result.pdf"), "du-thao-", ".pdf")
    client.submit("/account/logout")
    client._csrf = None
    for kind in ("pdf", "xlsx"):
        assert attachment(export(client, staff, kind), "so-theo-doi-ho-so-", f".{kind}")


def test_the_monthly_statistics_pdf_is_an_attachment(client, staff):
    login(client, staff["leader"])
    response = client.get("/officials/stats/monthly.pdf", query_string={"month": f"{date.today():%Y-%m}"})
    assert attachment(response, "thong-ke-", ".pdf")


def test_where_the_chairman_decides_the_draft_and_form_06_say_so(app, staff):
    """Issue 17 item 8: the draft decision of a chairman-decided procedure is the Committee's, signed by
    its chairman on the Sở's proposal; form 06 sends the dossier to him, not to the leader."""
    from tests.support.documents import through

    desk, specialist, leader = staff["reception"], staff["specialist"], staff["leader"]
    dossier = create_dossier(create_organisation(), "1.000530.000.00.00.H01", submitted=True)
    through(
        dossier,
        [
            (desk, "receive", {}),
            (desk, "assign", {"assignee_id": specialist.id}),
            (specialist, "start_appraisal", {}),
            (specialist, "propose", {"decision": "approve", "draft": "Cho phép đổi tên trường."}),
            (leader, "forward", {}),
        ],
    )
    dossier = db.session.get(Dossier, dossier.id)
    with app.test_request_context():
        data, _ = builders.build("decision", dossier)
        slip, _ = builders.build("form_06", dossier)
    committee = app.config["DOCUMENT_ISSUER_PARENT"]
    assert data["doc"]["issuer"]["name"] == committee and data["doc"]["signer"]["position"] == "CHỦ TỊCH"
    assert data["doc"]["authority"] == f"Chủ tịch {committee}"
    assert data["legal_bases"][-2] == "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;"
    assert data["legal_bases"][-1].startswith(
        f"Xét đề nghị của Giám đốc {app.config['DOCUMENT_ISSUER_NAME']}"
    )
    assert (
        "Sở Giáo dục" not in data["doc"]["signer"]["position"]
        and "Chánh Văn phòng Sở" not in data["articles"][-1]
    )
    forward = next(row for row in slip["rows"] if row["step"] == "Trình Chủ tịch UBND tỉnh quyết định")
    assert (forward["receiver_unit"], forward["receiver"]) == (committee, f"Chủ tịch {committee}")
    assert forward["giver"] == leader.display_name
