"""Receiving agencies at two levels (LAW-2026 §3): a commune-level procedure is filed to the commune the
applicant picks, received and decided by that commune's officials, unseen by the provincial desk and by
another commune's; the Sở's procedures still go to the provincial centre; the one-stop forms carry the
receiving agency as issuer; statistics per agency and for the province."""

from __future__ import annotations

from datetime import timedelta

import pytest
from werkzeug.exceptions import NotFound

from service.accounts.models import User
from service.agencies import operations as agencies
from service.agencies import queries as agency_queries
from service.agencies.models import Agency
from service.database import begin_write
from service.documents import issuing
from service.dossiers import operations as dossier_operations
from service.dossiers import processing
from service.dossiers.models import Dossier
from service.dossiers.operations import DossierError
from service.extensions import db
from service.notifications.models import OutboundEmail
from service.procedures.catalogue import CatalogueError, validate
from service.quality import operations as quality_operations
from service.quality.period import Period
from service.quality.statistics import by_agency, statistics
from service.timeutil import local_today
from tests.factories import (
    create_citizen,
    create_dossier,
    create_official,
    load_catalogue,
    login,
    procedure_version,
    row_counts,
)
from tests.support.documents import documents_of, text_of, through
from tests.support.processing import as_

BOARDING_AT_COMMUNE = "2.002284.000.00.00.H01"  # nội trú, cơ sở công lập trực thuộc cấp xã
BOARDING = "2.001959.000.00.00.H01"  # nội trú: công lập trực thuộc tỉnh; tư thục → cấp xã
LONG_XUYEN, MY_HOA_HUNG = "30307", "30313"  # phường Long Xuyên, xã Mỹ Hòa Hưng (vietnam-provinces)


@pytest.fixture
def commune_staff():
    return {role: create_official(role, agency=LONG_XUYEN) for role in ("reception", "specialist", "leader")}


@pytest.fixture
def provincial_desk():
    return create_official("reception")


def decided_at_the_commune(commune_staff) -> Dossier:
    desk, specialist, leader = (commune_staff[r] for r in ("reception", "specialist", "leader"))
    dossier = create_dossier(create_citizen(), BOARDING_AT_COMMUNE, submitted=True, commune=LONG_XUYEN)
    through(
        dossier,
        [
            (desk, "receive", {}),
            (desk, "assign", {"assignee_id": specialist.id}),
            (specialist, "start_appraisal", {}),
            (specialist, "propose", {"decision": "approve", "draft": "Cho hưởng chính sách nội trú."}),
            (leader, "approve", {}),
        ],
    )
    return db.session.get(Dossier, dossier.id)


# Filing ---------------------------------------------------------------------------------------------


def test_a_commune_level_procedure_is_filed_to_the_commune_the_applicant_picks(client):
    citizen = create_citizen()
    draft = create_dossier(citizen, BOARDING_AT_COMMUNE)
    login(client, citizen)
    review = client.get(f"/dossiers/{draft.id}/review").get_data(as_text=True)
    assert "Nơi tiếp nhận hồ sơ: Trung tâm Phục vụ hành chính công xã, phường, đặc khu" in review
    assert 'name="commune"' in review and "Phường Long Xuyên" in review
    # Nothing picked: the page says what is missing, the draft stays a draft, and the button still works.
    refused = client.submit(f"/dossiers/{draft.id}/submit", {"commune": "", "declaration": "y"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Vui lòng chọn xã, phường, đặc khu tiếp nhận hồ sơ." in page
    assert 'class="button" disabled' not in page  # a missing commune is answered on this page
    assert db.session.get(Dossier, draft.id).status == "draft"
    # A unit outside the province (a ward of Hà Nội) is refused the same way.
    outside = client.submit(f"/dossiers/{draft.id}/submit", {"commune": "4", "declaration": "y"})
    assert outside.status_code == 422 and "không thuộc tỉnh" in outside.get_data(as_text=True)
    submitted = client.submit(
        f"/dossiers/{draft.id}/submit", {"commune": LONG_XUYEN, "declaration": "y"}, follow_redirects=True
    )
    assert "Trung tâm Phục vụ hành chính công phường Long Xuyên" in submitted.get_data(as_text=True)
    filed = db.session.get(Dossier, draft.id)
    assert filed.status == "submitted" and filed.agency.ward_code == int(LONG_XUYEN)
    assert filed.agency.name == "Trung tâm Phục vụ hành chính công phường Long Xuyên"
    assert filed.code.startswith(f"{filed.agency.code}-") and filed.agency.level == "commune"


def test_the_commune_is_chosen_from_the_address_in_the_form_by_default(client):
    citizen = create_citizen()
    draft = create_dossier(citizen, BOARDING_AT_COMMUNE)
    ward = dict(draft.form_pairs)["permanent_address-ward"]  # the sample address lies in the province
    login(client, citizen)
    review = client.get(f"/dossiers/{draft.id}/review").get_data(as_text=True)
    assert f'<option value="{ward}" selected>' in review


def test_the_provincial_procedure_still_goes_to_the_provincial_centre(client, app):
    dossier = create_dossier(create_citizen(), submitted=True, commune=LONG_XUYEN)  # the pick is ignored
    assert dossier.agency.level == "province" and dossier.agency.ward_code is None
    assert dossier.agency.name == "Trung tâm Phục vụ hành chính công tỉnh An Giang"
    assert dossier.code.startswith(app.config["AGENCY_CODE"] + "-")


def test_a_private_institutions_boarding_policy_goes_to_the_commune():
    """2.001959: public institutions under the province at the Sở, private ones at the commune."""
    citizen = create_citizen()
    public = create_dossier(citizen, BOARDING, submitted=True)
    assert (
        public.agency.level == "province" and public.deciding_authority == "Giám đốc Sở Giáo dục và Đào tạo"
    )
    private = create_dossier(citizen, BOARDING)
    pairs = [(k, "tu_thuc" if k == "school_ownership" else v) for k, v in private.form_pairs]
    dossier_operations.save_form(private.id, citizen, pairs, None)
    with pytest.raises(dossier_operations.Incomplete):
        dossier_operations.submit(private.id, citizen)
    filed, _ = dossier_operations.submit(private.id, citizen, MY_HOA_HUNG)
    assert filed.agency.ward_code == int(MY_HOA_HUNG) and filed.level == "commune"
    assert filed.deciding_authority == "Chủ tịch Ủy ban nhân dân cấp xã"


# Who sees and acts ----------------------------------------------------------------------------------


def test_a_commune_dossier_is_received_and_decided_by_that_communes_officials(commune_staff):
    dossier = decided_at_the_commune(commune_staff)
    assert dossier.status == "approved"
    assert [e.actor.agency.ward_code for e in dossier.events if e.actor.is_official] == [int(LONG_XUYEN)] * 5


def test_other_agencies_officials_get_404_and_do_not_list_it(
    client, other_client, commune_staff, provincial_desk
):
    dossier = create_dossier(create_citizen(), BOARDING_AT_COMMUNE, submitted=True, commune=LONG_XUYEN)
    elsewhere = create_official("reception", agency=MY_HOA_HUNG)
    provincial_leader = create_official("leader")
    for official in (provincial_desk, elsewhere, provincial_leader):
        as_(client, official)
        assert client.get(f"/dossiers/{dossier.id}").status_code == 404
        assert client.get(f"/officials/dossiers/{dossier.id}/draft-result.pdf").status_code == 404
        comment = client.submit(f"/officials/dossiers/{dossier.id}/comments", {"body": "Xem giúp"})
        assert comment.status_code == 404
        listed = client.get("/officials/dossiers?list=all").get_data(as_text=True)
        assert dossier.code not in listed
        with pytest.raises(NotFound):
            processing.act(dossier.id, official, "receive", {}, None)
    login(other_client, commune_staff["reception"])
    page = other_client.get(f"/dossiers/{dossier.id}")
    assert page.status_code == 200 and "phường Long Xuyên" in page.get_data(as_text=True)
    assert dossier.code in other_client.get("/officials/dossiers?list=to_receive").get_data(as_text=True)
    assert db.session.get(Dossier, dossier.id).status == "submitted"


def test_the_provincial_desk_cannot_assign_a_commune_dossier_in_bulk(client, commune_staff, provincial_desk):
    dossier = create_dossier(create_citizen(), BOARDING_AT_COMMUNE, submitted=True, commune=LONG_XUYEN)
    through(dossier, [(commune_staff["reception"], "receive", {})])
    specialist = create_official("specialist")
    login(client, provincial_desk)
    response = client.submit(
        "/officials/dossiers/assign",
        {"dossier_ids": str(dossier.id), "assignee_id": str(specialist.id)},
        follow_redirects=True,
    )
    assert "1 hồ sơ chưa được phân công. Không tìm thấy hồ sơ." in response.get_data(as_text=True)
    assert db.session.get(Dossier, dossier.id).assignee_id is None


def test_a_commune_dossier_is_not_assigned_to_a_specialist_of_another_agency(commune_staff):
    dossier = create_dossier(create_citizen(), BOARDING_AT_COMMUNE, submitted=True, commune=LONG_XUYEN)
    provincial_specialist = create_official("specialist")
    through(dossier, [(commune_staff["reception"], "receive", {})])
    with pytest.raises(DossierError, match="không thuộc cơ quan tiếp nhận hồ sơ này"):
        processing.act(
            dossier.id, commune_staff["reception"], "assign", {"assignee_id": provincial_specialist.id}, None
        )
    assert db.session.get(Dossier, dossier.id).assignee_id is None


def test_the_provincial_desk_still_sees_the_provinces_dossiers(client, provincial_desk, commune_staff):
    dossier = create_dossier(create_citizen(), submitted=True)
    login(client, provincial_desk)
    assert client.get(f"/dossiers/{dossier.id}").status_code == 200
    as_(client, commune_staff["reception"])
    assert client.get(f"/dossiers/{dossier.id}").status_code == 404


# Documents ------------------------------------------------------------------------------------------


def test_the_commune_issues_the_one_stop_forms_and_decides_the_result(commune_staff):
    dossier = decided_at_the_commune(commune_staff)
    [receipt] = documents_of(dossier, "form_01")
    head = text_of(_pdf(receipt))[:200].replace("\n", " ")
    assert "ỦY BAN NHÂN DÂN PHƯỜNG LONG XUYÊN" in head and "PHỤC VỤ HÀNH CHÍNH CÔNG PHƯỜNG LONG" in head
    assert "TỈNH AN GIANG" not in head
    text = text_of(_pdf(receipt))
    assert "Cơ quan chủ trì giải quyết: Ủy ban nhân dân phường Long Xuyên" in text
    [decision] = documents_of(dossier, "decision")
    text = text_of(_pdf(decision)).replace("\n", " ")
    assert "ỦY BAN NHÂN DÂN PHƯỜNG LONG XUYÊN" in text[:200] and "SỞ GIÁO DỤC" not in text
    assert "Số: 01/QĐ-UBND Long Xuyên, ngày" in text  # the commune's own register and place
    assert "CHỦ TỊCH" in text and "Luật Tổ chức chính quyền địa phương" in text


def test_register_07_of_a_commune_lists_its_dossiers_under_its_header(client, commune_staff, provincial_desk):
    decided_at_the_commune(commune_staff)
    provincial = create_dossier(create_citizen(), submitted=True)
    through(provincial, [(provincial_desk, "receive", {})])
    today = local_today().isoformat()
    login(client, commune_staff["reception"])
    pdf = client.get(f"/officials/register?start={today}&end={today}&format=pdf").data
    text = text_of(pdf)
    assert "PHƯỜNG LONG XUYÊN" in text[:200] and provincial.code not in text
    as_(client, provincial_desk)
    text = text_of(client.get(f"/officials/register?start={today}&end={today}&format=pdf").data)
    assert provincial.code in text and "H01.X30307" not in text


def _pdf(document) -> bytes:
    return issuing.pdf_bytes(document)


# Administration -------------------------------------------------------------------------------------


def test_an_administrator_places_an_official_in_a_communes_centre(client):
    admin = create_official("admin")
    login(client, admin)
    form = client.get("/admin/users/new").get_data(as_text=True)
    assert "Trung tâm Phục vụ hành chính công phường Long Xuyên" in form
    client.submit(
        "/admin/users/new",
        {"full_name": "Cán Bộ Xã", "email": "xa@example.vn", "role": "reception", "agency": LONG_XUYEN},
    )
    official = db.session.scalar(db.select(db.func.max(Agency.id)))  # the commune's row was created
    created = [u for u in _officials() if u.email == "xa@example.vn"][0]
    assert created.agency.ward_code == int(LONG_XUYEN) and created.agency_id == official
    client.submit(
        f"/admin/users/{created.id}/edit",
        {"role": "reception", "agency": "", "department_id": "0", "school_id": "0"},
    )
    assert [u for u in _officials() if u.id == created.id][0].agency.level == "province"
    refused = client.submit(
        f"/admin/users/{created.id}/edit", {"role": "reception", "agency": "99999", "department_id": "0"}
    )
    assert refused.status_code == 400
    assert [u for u in _officials() if u.id == created.id][0].agency.level == "province"


def _officials():
    db.session.expire_all()
    return db.session.scalars(db.select(User)).all()


def test_seeding_creates_the_provincial_centre_and_the_102_communes_once():
    assert agencies.seed() == 103
    assert agencies.seed() == 0
    rows = agency_queries.all_agencies()
    assert rows[0].level == "province" and sum(a.level == "commune" for a in rows) == 102
    special_zone = next(a for a in rows if a.ward_code == 31078)
    assert special_zone.issuer_parent == "Ủy ban nhân dân đặc khu Phú Quốc"
    assert all(a.parent_id == rows[0].id for a in rows[1:])


def test_an_agencys_code_is_not_given_twice():
    agencies.seed()
    province = agency_queries.province()
    commune = agency_queries.by_ward(int(LONG_XUYEN))
    values = {key: getattr(commune, key) for key in agencies.EDITABLE}
    before = row_counts(Agency)
    with pytest.raises(agencies.AgencyError, match="đã được dùng"):
        agencies.update(commune.id, {**values, "code": province.code})
    assert agency_queries.by_ward(int(LONG_XUYEN)).code == values["code"] and row_counts(Agency) == before


# Catalogue ------------------------------------------------------------------------------------------


def test_the_catalogue_names_each_procedures_level(client):
    load_catalogue()
    page = client.get(f"/procedures/{BOARDING_AT_COMMUNE}").get_data(as_text=True)
    assert "Cấp thực hiện</dt><dd>Cấp xã" in page
    assert client.get(f"/api/v1/procedures/{BOARDING_AT_COMMUNE}").get_json()["level"] == "commune"
    assert procedure_version(BOARDING_AT_COMMUNE).level == "commune"
    assert (
        procedure_version(BOARDING).level == "province" and procedure_version(BOARDING).may_be_commune_level
    )
    assert procedure_version("1.000389.000.00.00.H01").level == "province"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"level": "district"}, "level"),
        (
            {"commune_level_when": {"field": "phone", "values": ["x"], "deciding_authority": "A"}},
            "choice field",
        ),
        (
            {
                "commune_level_when": {
                    "field": "school_ownership",
                    "values": ["nope"],
                    "deciding_authority": "A",
                }
            },
            "subset",
        ),
    ],
)
def test_a_catalogue_file_with_a_wrong_level_is_refused(change, message):
    content = {**procedure_version(BOARDING).content, **change}
    with pytest.raises(CatalogueError, match=message):
        validate(content, "2.001959.toml")


# Statistics -----------------------------------------------------------------------------------------


def test_statistics_per_agency_and_for_the_province(client, commune_staff, provincial_desk):
    decided_at_the_commune(commune_staff)
    provincial = create_dossier(create_citizen(), submitted=True)
    through(provincial, [(provincial_desk, "receive", {})])
    today = local_today()
    period = Period(today.replace(day=1), today)
    rows = {r.code: r for r in by_agency(period).rows}
    assert rows["province"].received == 1 and rows["province"].in_progress == 1
    assert rows[LONG_XUYEN].received == 1 and rows[LONG_XUYEN].completed == 1
    assert by_agency(period).total.received == 2
    assert statistics(period, agency=LONG_XUYEN).total.received == 1
    assert statistics(period, agency="province").total.received == 1
    assert statistics(period, agency=MY_HOA_HUNG).total.received == 0
    assert statistics(period).total.received == 2
    page = client.get(f"/thong-ke?agency={LONG_XUYEN}").get_data(as_text=True)
    assert "Tình hình giải quyết hồ sơ: Trung tâm Phục vụ hành chính công phường Long Xuyên" in page
    assert 'data-agency="30307"' in page and "Theo cơ quan tiếp nhận" in page


def test_an_administrator_seeds_and_corrects_the_agencies(client):
    login(client, create_official("admin"))
    assert "Chưa có cơ quan nào" in client.get("/admin/agencies").get_data(as_text=True)
    client.submit("/admin/agencies/seed")
    listing = client.get("/admin/agencies").get_data(as_text=True)
    assert "Trung tâm Phục vụ hành chính công phường Long Xuyên" in listing and "Cấp xã" in listing
    commune = agency_queries.by_ward(int(LONG_XUYEN))
    values = {key: getattr(commune, key) for key in agencies.EDITABLE}
    done = client.submit(
        f"/admin/agencies/{commune.id}", {**values, "code": "H01.99", "phone": "0296 3 841 000"}
    )
    assert done.status_code == 302
    db.session.expire_all()
    assert agency_queries.by_ward(int(LONG_XUYEN)).code == "H01.99"
    taken = client.submit(f"/admin/agencies/{commune.id}", {**values, "code": agency_queries.province().code})
    assert taken.status_code == 400 and "đã được dùng cho cơ quan khác" in taken.get_data(as_text=True)
    bad = client.submit(f"/admin/agencies/{commune.id}", {**values, "code": "mã xã"})
    assert bad.status_code == 400 and "Chỉ dùng chữ in hoa không dấu" in bad.get_data(as_text=True)
    db.session.expire_all()
    assert agency_queries.by_ward(int(LONG_XUYEN)).code == "H01.99"


def test_only_administrators_manage_agencies(client, commune_staff):
    login(client, commune_staff["leader"])
    assert client.get("/admin/agencies").status_code in (403, 404)
    assert client.submit("/admin/agencies/seed").status_code in (403, 404)


def test_the_deadline_digest_tells_each_desk_of_its_own_agencys_dossiers(app, commune_staff, provincial_desk):
    commune_dossier = create_dossier(
        create_citizen(), BOARDING_AT_COMMUNE, submitted=True, commune=LONG_XUYEN
    )
    provincial = create_dossier(create_citizen(), submitted=True)
    processing.act(commune_dossier.id, commune_staff["reception"], "receive", {}, None)
    processing.act(provincial.id, provincial_desk, "receive", {}, None)
    begin_write()
    for dossier_id in (commune_dossier.id, provincial.id):
        db.session.get(Dossier, dossier_id).due_date = local_today() - timedelta(days=1)
    db.session.commit()
    assert app.test_cli_runner().invoke(args=["notify-deadlines"]).exit_code == 0
    [commune_digest] = _mail_to(commune_staff["reception"].email)
    [provincial_digest] = _mail_to(provincial_desk.email)
    assert (
        commune_dossier.code in commune_digest.body_text and provincial.code not in commune_digest.body_text
    )
    assert (
        provincial.code in provincial_digest.body_text
        and commune_dossier.code not in provincial_digest.body_text
    )


def _mail_to(email: str) -> list[OutboundEmail]:
    return db.session.scalars(
        db.select(OutboundEmail).where(
            OutboundEmail.recipient == email, OutboundEmail.subject.contains("hạn")
        )
    ).all()


def test_feedback_on_a_commune_dossier_reaches_that_communes_desk_only(
    client, commune_staff, provincial_desk
):
    citizen = create_citizen()
    dossier = create_dossier(citizen, BOARDING_AT_COMMUNE, submitted=True, commune=LONG_XUYEN)
    feedback = quality_operations.file_feedback(
        dossier, citizen, "phan_anh", "Chưa nhận được giấy hẹn trả kết quả."
    )
    login(client, provincial_desk)
    assert "Chưa nhận được giấy hẹn" not in client.get("/officials/feedback").get_data(as_text=True)
    answer = client.submit(
        f"/officials/feedback/{feedback.id}/answer", {"answer": "Đã kiểm tra, sẽ gửi lại."}
    )
    assert answer.status_code == 404
    as_(client, commune_staff["reception"])
    assert "Chưa nhận được giấy hẹn" in client.get("/officials/feedback").get_data(as_text=True)
