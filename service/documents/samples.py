"""Sample data for every document template: `flask documents render-samples` and the tests.

Each template receives `doc` (the parts of the state format every document has) and its own data.
"""

from __future__ import annotations

from typing import Any

from service.documents.renderer import qr_data_uri

ISSUER = {
    "parent": "Ủy ban nhân dân tỉnh An Giang",
    "name": "Sở Giáo dục và Đào tạo",
    "abbreviation": "SGDĐT",
}
# Forms 01, 02, 03, 05 and 06 and register 07 come from the receiving one-stop unit (Circular 03/2025).
RECEIVING_UNIT = {
    "parent": "Ủy ban nhân dân tỉnh An Giang",
    "name": "Trung tâm Phục vụ hành chính công tỉnh An Giang",
    "abbreviation": "TTPVHCC",  # the agency's configured abbreviation ("Lưu: VT, TTPVHCC.")
}


# The monthly statistics' one procedure row (its total row repeats it).
_MONTH_ROW = {
    "code": "2.000189",
    "name": "Cấp giấy chứng nhận đăng ký hoạt động",
    "received": 8,
    "carried": 2,
    "total": 10,
    "late": 1,
    "nearly": 1,
    "not_due": 2,
    "completed_late": 1,
    "completed_on_time": 5,
    "stopped": 0,
    "late_rate": "20,0%",
}


def doc(
    title: str,
    number: str | None = None,
    summary: str | None = None,
    issuer: dict[str, str] = ISSUER,
    **extra: Any,
) -> dict[str, Any]:
    code = "7QKM-2PXH-A9TD"
    url = "http://127.0.0.1:5000/verify/" + code
    return {
        "issuer": issuer,
        "number": number,
        "place_date": "An Giang, ngày 28 tháng 11 năm 2026",
        "title": title,
        "summary": summary,
        "signer": {"capacity": "KT. GIÁM ĐỐC", "position": "PHÓ GIÁM ĐỐC", "name": "Võ Minh Lãnh"},
        # Kept by the issuer's archive and the unit that drafted it: the Sở's department, else the unit.
        "recipients": [
            "- Trung tâm GDNN Long Xuyên;",
            f"- Lưu: VT, {'GDNN' if issuer is ISSUER else issuer['abbreviation']}.",
        ],
        "verification": {"code": code, "url": url, "qr": qr_data_uri(url)},
        "draft": False,
        "signed": False,  # a sample is never signed: no "(Ký điện tử)"
        **extra,
    }


APPLICANT = {
    "name": "Trung tâm Giáo dục nghề nghiệp Long Xuyên",
    "address": "Số 12 đường Trần Hưng Đạo, Phường Long Xuyên, An Giang",
    "phone": "0296385123",
    "email": "lienhe@example.vn",
    "identifier": "1600123456",
    "identifier_label": "Mã số thuế (mã số doanh nghiệp)",
    "authorised": True,
}
DOSSIER = {
    "code": "H01.48-261128-0001",
    "procedure": "Cấp giấy chứng nhận đăng ký hoạt động giáo dục nghề nghiệp",
    "procedure_code": "2.000189.000.00.00.H01",
    "received_at": "09 giờ 15 phút, ngày 28/11/2026",
    "due": "14/12/2026",
    "processing_days": 10,
    "applicant": APPLICANT,
    "deciding_agency": "Sở Giáo dục và Đào tạo",
    "online": True,
    "channel": "Trực tuyến",
    "postmarked_on": "",
}

SAMPLES: dict[str, dict[str, Any]] = {
    "form_01.html": {
        "doc": doc("Giấy tiếp nhận hồ sơ và hẹn trả kết quả", issuer=RECEIVING_UNIT),
        "dossier": DOSSIER,
        "documents": [
            {
                "name": "Văn bản đăng ký hoạt động giáo dục nghề nghiệp (Mẫu số 04)",
                "kind": "Bản chính",
                "count": 1,
            },
            {
                "name": "Báo cáo thực trạng cơ sở vật chất, thiết bị đào tạo (Mẫu số 05)",
                "kind": "Bản chính",
                "count": 2,
            },
        ],
        "sets": 1,
        "return_method": "Trả kết quả điện tử qua tài khoản dịch vụ công",
        "appointment": {"time": {"hour": "", "minute": ""}, "day": "14/12/2026"},
        "register": {"book": "Sổ theo dõi hồ sơ năm 2026", "line": 1},
        "officer": "Lê Thị Tiếp Nhận",
    },
    "form_02.html": {
        "doc": doc("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ", issuer=RECEIVING_UNIT),
        "dossier": DOSSIER,
        "missing": ["Bản sao quyết định thành lập trung tâm", "Danh sách nhà giáo kèm bằng cấp"],
        "reason": "Hồ sơ chưa có đủ thành phần theo quy định của thủ tục.",
        "deadline": "18/12/2026",
        "officer": "Lê Thị Tiếp Nhận",
        "contact_phone": "",
    },
    "form_03.html": {
        "doc": doc("Phiếu từ chối tiếp nhận giải quyết hồ sơ", issuer=RECEIVING_UNIT),
        "dossier": DOSSIER,
        "reasons": ["Thủ tục không thuộc thẩm quyền giải quyết của Sở Giáo dục và Đào tạo."],
        "officer": "Lê Thị Tiếp Nhận",
    },
    "form_04.html": {
        "doc": doc("Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết", number="0001/XL-SGDĐT"),
        "dossier": DOSSIER,
        "reason": "Cần kiểm tra thực tế điều kiện cơ sở vật chất tại cơ sở.",
        "old_due": "14/12/2026",
        "new_due": "21/12/2026",
    },
    "form_05.html": {
        "doc": doc(
            "Thông báo dừng giải quyết hồ sơ",
            issuer=RECEIVING_UNIT,
            recipients=[f"- {APPLICANT['name']};", f"- Lưu: VT, {RECEIVING_UNIT['abbreviation']}."],
        ),
        "dossier": DOSSIER,
        "reason": "Theo đề nghị của tổ chức, cá nhân ngày 01/12/2026.",
    },
    "form_06.html": {
        "doc": doc("Phiếu kiểm soát quá trình giải quyết hồ sơ", issuer=RECEIVING_UNIT, recipients=[]),
        "dossier": DOSSIER,
        "handling_unit": "Phòng Giáo dục nghề nghiệp, Sở Giáo dục và Đào tạo",
        "cooperating_unit": "",
        "rows": [
            {
                "step": "Tiếp nhận hồ sơ, hẹn ngày trả kết quả",
                "giver_unit": RECEIVING_UNIT["name"],
                "giver": "Lê Thị Tiếp Nhận",
                "receiver_unit": "Phòng Giáo dục nghề nghiệp",
                "receiver": "Phạm Văn Chuyên",
                "time": "09 giờ 20 phút, ngày 28/11/2026",
                "outcome": "Trước hạn",
                "note": "",
            },
            {
                "step": "Trình lãnh đạo phê duyệt",
                "giver_unit": "Phòng Giáo dục nghề nghiệp",
                "giver": "Phạm Văn Chuyên",
                "receiver_unit": "Lãnh đạo Sở Giáo dục và Đào tạo",
                "receiver": "Võ Minh Lãnh",
                "time": "15 giờ 00 phút, ngày 03/12/2026",
                "outcome": "Trước hạn",
                "note": "",
            },
        ],
    },
    "decision.html": {
        "doc": doc(
            "Quyết định",
            number="05/QĐ-SGDĐT",
            summary="Về việc cho phép thành lập phân hiệu trường trung cấp",
            authority="GIÁM ĐỐC SỞ GIÁO DỤC VÀ ĐÀO TẠO TỈNH AN GIANG",
        ),
        "legal_bases": [
            "Căn cứ Luật Giáo dục nghề nghiệp ngày 10 tháng 12 năm 2025;",
            "Căn cứ Nghị định số 95/2026/NĐ-CP ngày 31 tháng 3 năm 2026 của Chính phủ;",
            # The basis of the issuer's competence (DOCUMENT_COMPETENCE_BASIS, Decree 30/2020).
            "Căn cứ Quyết định số 00/2025/QĐ-UBND (mẫu) ngày 01 tháng 7 năm 2025 của Ủy ban nhân dân tỉnh"
            " An Giang quy định chức năng, nhiệm vụ, quyền hạn và cơ cấu tổ chức của Sở Giáo dục và Đào tạo;",
            "Theo đề nghị của Trưởng phòng Giáo dục nghề nghiệp.",
        ],
        "articles": [
            "Cho phép thành lập phân hiệu của Trường Trung cấp Kỹ thuật - Nghiệp vụ An Giang tại xã Tân Châu.",
            "Quyết định này có hiệu lực kể từ ngày ký.",
            "Chánh Văn phòng Sở, Trưởng phòng Giáo dục nghề nghiệp và các tổ chức, cá nhân có liên quan chịu trách nhiệm thi hành Quyết định này.",
        ],
    },
    "certificate.html": {
        "doc": doc("Giấy chứng nhận đăng ký hoạt động giáo dục nghề nghiệp", number="12/2026/GCNĐKHĐ-SGDĐT"),
        "holder": APPLICANT,
        "legal_representative": "Trần Thị Bình",
        "founding_document": "Quyết định số 123/QĐ-UBND ngày 01/06/2020",
        "occupations": [
            {"code": "5520227", "name": "Điện công nghiệp", "level": "Trung cấp", "quota": 60},
            {"code": "4520301", "name": "Hàn", "level": "Sơ cấp", "quota": 40},
        ],
    },
    "written_answer.html": {
        "doc": doc(
            "",
            number="45/SGDĐT-GDNN",
            summary="V/v trả lời hồ sơ đề nghị cấp giấy chứng nhận",
            recipients=["- Như trên;", "- Lưu: VT, GDNN."],
        ),
        "addressee": "Trung tâm Giáo dục nghề nghiệp Long Xuyên",
        "dossier": DOSSIER,
        "paragraphs": [
            "Sở Giáo dục và Đào tạo nhận được hồ sơ của Trung tâm ngày 28/11/2026.",
            "Qua thẩm định, cơ sở chưa đáp ứng điều kiện về đội ngũ nhà giáo theo quy định.",
        ],
        "reasons": ["Số nhà giáo cơ hữu chưa đạt tỷ lệ tối thiểu cho ngành Điện công nghiệp."],
    },
}

SAMPLES["register_07.html"] = {
    "doc": {"issuer": RECEIVING_UNIT},
    "period": {"start": "01/11/2026", "end": "30/11/2026"},
    # Form 07's columns as service/dossiers/register.py gives them (a test keeps the two the same).
    "columns": [
        {"title": "TT", "group": None},
        {"title": "Mã hồ sơ", "group": None},
        {"title": "Tên thủ tục hành chính", "group": None},
        {"title": "Số lượng hồ sơ (bộ)", "group": None},
        {"title": "Tên cá nhân, tổ chức", "group": None},
        {"title": "Địa chỉ, số điện thoại", "group": None},
        {"title": "Cơ quan chủ trì giải quyết", "group": None},
        {"title": "Nhận hồ sơ", "group": "Ngày, tháng, năm"},
        {"title": "Hẹn trả kết quả", "group": "Ngày, tháng, năm"},
        {"title": "Chuyển hồ sơ đến cơ quan giải quyết", "group": "Ngày, tháng, năm"},
        {"title": "Trả kết quả", "group": "Ngày, tháng, năm"},
        {"title": "Phương thức nhận kết quả", "group": None},
        {"title": "Ký nhận", "group": None},
        {"title": "Ghi chú", "group": None},
    ],
    "date_group": "Ngày, tháng, năm",
    "rows": [
        {
            "number": "1",
            "code": DOSSIER["code"],
            "procedure": DOSSIER["procedure"],
            "sets": "1",
            "applicant": APPLICANT["name"],
            "contact": f"{APPLICANT['address']}, {APPLICANT['phone']}",
            "agency": "Sở Giáo dục và Đào tạo",
            "received": "28/11/2026",
            "due": "14/12/2026",
            "transferred": "28/11/2026",
            "returned": "",
            "method": "",
            "signed": "",
            "note": "Gia hạn ngày 10/12/2026, hẹn trả ngày 17/12/2026",
        }
    ],
}

SAMPLES["receipt.html"] = {
    "doc": doc("Biên lai thu phí, lệ phí"),
    "receipt": {
        "title": "Biên lai thu phí, lệ phí",
        "form_symbol": "EBL01",
        "series": "26TAA",
        "legal_basis": "Nghị định 254/2026/NĐ-CP, Điều 23; Thông tư 91/2026/TT-BTC, Phụ lục II mục 2",
        "number": "0000001",
        "issuer_name": "Sở Giáo dục và Đào tạo tỉnh An Giang",
        "issuer_tax_code": "1600000000",
        "payer": {"name": APPLICANT["name"], "identifier": "1600123456"},
        "dossier_code": DOSSIER["code"],
        "order_reference": "LPK7Q2M9X4AB",
        "procedure": DOSSIER["procedure"],
        "lines": [
            {"name": "Phí thẩm định cấp giấy chứng nhận đăng ký hoạt động", "amount_text": "500.000 ₫"}
        ],
        "total_text": "500.000 ₫",
        "total_words": "Năm trăm nghìn đồng",
        "method": "Cổng thanh toán VNPAY",
        "gateway_reference": "14123456",
        "paid_at": "10:15 ngày 28/11/2026",
    },
}

# ---------------------------------------------------------------------------------------------------------
# The same templates as issued by other bodies or for other channels, and the templates that are not
# issued documents (the filed e-form, a blank form template, the monthly statistics): `render-samples`
# draws every one of them (SAMPLE_FILES), so a reviewer sees every form the product prints.

SCHOOL = {
    "parent": "Ủy ban nhân dân tỉnh An Giang",
    "name": "Trường Cao đẳng Nghề An Giang",
    "abbreviation": "",
}
COMMUNE_CENTRE = {
    "parent": "Ủy ban nhân dân xã Mỹ Hòa Hưng",
    "name": "Trung tâm Phục vụ hành chính công xã Mỹ Hòa Hưng",
    "abbreviation": "TTPVHCC",
}
STUDENT = {
    **APPLICANT,
    "name": "Nguyễn Thị Học",
    "address": "Ấp Mỹ Hòa, xã Mỹ Hòa Hưng, An Giang",
    "phone": "0912345678",
    "email": "",
    "identifier": "089306001234",
    "identifier_label": "Số định danh cá nhân",
    "authorised": False,
}
EXEMPTION_DOSSIER = {
    **DOSSIER,
    "code": "CDNAG-261128-0003",
    "procedure": "Đề nghị miễn, giảm học phí trong cơ sở giáo dục nghề nghiệp và cơ sở giáo dục đại học"
    " công lập",
    "procedure_code": "1.005144.000.00.00.H01",
    "applicant": STUDENT,
    "deciding_agency": SCHOOL["name"],
}
POSTED_DOSSIER = {
    **DOSSIER,
    "code": "H01.48.X30367-261130-0002",
    "procedure": "Chính sách nội trú đối với học sinh, sinh viên học cao đẳng, trung cấp tại cơ sở giáo dục"
    " nghề nghiệp tư thục hoặc cơ sở giáo dục có vốn đầu tư nước ngoài",
    "procedure_code": "2.001959.000.00.00.H01",
    "received_at": "08 giờ 30 phút, ngày 30/11/2026",
    "due": "07/12/2026",
    "processing_days": 5,
    "applicant": STUDENT,
    "deciding_agency": "Ủy ban nhân dân xã Mỹ Hòa Hưng",
    "online": False,
    "channel": "Qua dịch vụ bưu chính công ích",
    "postmarked_on": "27/11/2026",  # the code and deadline count from the day of receipt (30/11)
}

VARIANTS: dict[str, tuple[str, dict[str, Any]]] = {
    # 1.005144 at a public school: the school, not the Sở, decides (Decree 238/2025; LAW-2026 §2).
    "decision_school_exemption": (
        "decision.html",
        {
            "doc": doc(
                "Quyết định",
                number="12/QĐ-CĐNAG",
                summary="Về việc miễn, giảm học phí đối với học sinh, sinh viên",
                issuer=SCHOOL,
                authority="HIỆU TRƯỞNG TRƯỜNG CAO ĐẲNG NGHỀ AN GIANG",
                signer={
                    "capacity": "KT. HIỆU TRƯỞNG",
                    "position": "PHÓ HIỆU TRƯỞNG",
                    "name": "Trần Văn Trường",
                },
                recipients=["- Nguyễn Thị Học;", "- Phòng Kế hoạch - Tài chính;", "- Lưu: VT."],
            ),
            "legal_bases": [
                "Căn cứ Nghị định số 238/2025/NĐ-CP ngày 03 tháng 9 năm 2025 của Chính phủ;",
                "Căn cứ Quyết định thành lập và quy định chức năng, nhiệm vụ, quyền hạn của Trường Cao đẳng"
                " Nghề An Giang;",
                "Xét đơn đề nghị miễn, giảm học phí số CDNAG-261128-0003.",
            ],
            "articles": [
                "Giảm 70% học phí đối với học sinh Nguyễn Thị Học, ngành Hàn (nghề nặng nhọc, độc hại,"
                " nguy hiểm), từ học kỳ I năm học 2026-2027.",
                "Quyết định này có hiệu lực kể từ ngày ký.",
                "Các phòng, khoa có liên quan của Trường Cao đẳng Nghề An Giang và học sinh có tên tại"
                " Điều 1 chịu trách nhiệm thi hành Quyết định này.",
            ],
        },
    ),
    # A commune-level procedure: received by the commune's centre, decided by its People's Committee.
    "decision_commune": (
        "decision.html",
        {
            "doc": doc(
                "Quyết định",
                number="03/QĐ-UBND",
                summary="Về việc hưởng chính sách nội trú",
                issuer={"parent": "", "name": "Ủy ban nhân dân xã Mỹ Hòa Hưng", "abbreviation": "UBND"},
                authority="CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ MỸ HÒA HƯNG",
                signer={"capacity": "KT. CHỦ TỊCH", "position": "PHÓ CHỦ TỊCH", "name": "Lê Văn Xã"},
                place_date="Mỹ Hòa Hưng, ngày 04 tháng 12 năm 2026",
                recipients=["- Nguyễn Thị Học;", "- Lưu: VT."],
            ),
            "legal_bases": [
                "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;",
                "Căn cứ Luật Giáo dục nghề nghiệp ngày 10 tháng 12 năm 2025;",
                "Xét hồ sơ số H01.48.X30367-261130-0002 do Trung tâm Phục vụ hành chính công xã Mỹ Hòa"
                " Hưng tiếp nhận.",
            ],
            "articles": [
                "Học sinh Nguyễn Thị Học được hưởng chính sách nội trú từ tháng 12 năm 2026.",
                "Quyết định này có hiệu lực kể từ ngày ký.",
                "Văn phòng Ủy ban nhân dân xã Mỹ Hòa Hưng và học sinh có tên tại Điều 1 chịu trách nhiệm"
                " thi hành Quyết định này.",
            ],
        },
    ),
    # Form 01 of an application the desk received by post (the postmark's date, the day of receipt).
    "form_01_post": (
        "form_01.html",
        {
            **SAMPLES["form_01.html"],
            "doc": doc(
                "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
                issuer=COMMUNE_CENTRE,
                place_date="Mỹ Hòa Hưng, ngày 30 tháng 11 năm 2026",
            ),
            "dossier": POSTED_DOSSIER,
            "documents": [{"name": "Đơn đề nghị hưởng chính sách nội trú", "kind": "Bản chính", "count": 1}],
            "return_method": "Qua dịch vụ bưu chính công ích",
            "appointment": {"time": {"hour": "14", "minute": "00"}, "day": "07/12/2026"},
            "register": {"book": "Sổ theo dõi hồ sơ năm 2026", "line": 2},
        },
    ),
    # Tuition is collected and receipted by the school: its name, tax code and own series (LAW-2026 §1).
    "receipt_school_tuition": (
        "receipt.html",
        {
            "doc": doc("Biên lai thu học phí", issuer=SCHOOL),
            "receipt": {
                **SAMPLES["receipt.html"]["receipt"],
                "title": "Biên lai thu học phí",
                "series": "26TCD",
                "number": "0000042",
                "issuer_name": SCHOOL["name"],
                "issuer_tax_code": "1600234567",
                "payer": {"name": STUDENT["name"], "identifier": STUDENT["identifier"]},
                "dossier_code": "",
                "procedure": "",
                "order_reference": "HPK2M8Q4Z7CD",
                "lines": [
                    {"name": "Học phí học kỳ I năm học 2026-2027 – ngành Hàn", "amount_text": "4.000.000 ₫"},
                    {"name": "Giảm 70% học phí (Nghị định 238/2025/NĐ-CP)", "amount_text": "-2.800.000 ₫"},
                ],
                "total_text": "1.200.000 ₫",
                "total_words": "Một triệu hai trăm nghìn đồng",
            },
        },
    ),
    # The applicant's copy of the e-form as filed online (service/dossiers/filed_form.py).
    "filed_form": (
        "filed_form.html",
        {
            "procedure": {"name": DOSSIER["procedure"], "code": DOSSIER["procedure_code"], "version": 2},
            "code": DOSSIER["code"],
            "submitted": "09:10 28/11/2026",
            "agency": RECEIVING_UNIT["name"],
            "applicant": APPLICANT["name"],
            "entries": [
                {"label": "Tên cơ sở", "value": APPLICANT["name"], "columns": [], "rows": []},
                {
                    "label": "Ngành, nghề đăng ký",
                    "value": "",
                    "columns": ["Mã ngành", "Tên ngành", "Trình độ", "Quy mô"],
                    "rows": [["5520227", "Điện công nghiệp", "Trung cấp", "60"]],
                },
            ],
            "documents": [
                {"name": "Văn bản đăng ký hoạt động giáo dục nghề nghiệp", "files": ["dang-ky.pdf"]}
            ],
            "delivery": "Trả kết quả điện tử qua tài khoản dịch vụ công",
            "declaration": {
                "text": "Tôi cam đoan nội dung kê khai là đúng sự thật.",
                "at": "09:09 28/11/2026",
            },
        },
    ),
    # A procedure's blank prescribed form (service/procedures/form_templates.py).
    "form_template": (
        "form_template.html",
        {
            "procedure": {
                "name": EXEMPTION_DOSSIER["procedure"],
                "code": "1.005144.000.00.00.H01",
                "version": 2,
            },
            "title": "Đơn đề nghị miễn, giảm học phí",
            "number": "Mẫu số 01",
            "legal_basis": "Nghị định số 238/2025/NĐ-CP",
            "document": "Đơn đề nghị miễn, giảm học phí",
            "agency": SCHOOL["name"],
            "fields": [
                {
                    "label": "Họ và tên",
                    "required": True,
                    "choices": [],
                    "columns": [],
                    "rows": 0,
                    "hint": "",
                    "long": False,
                },
                {
                    "label": "Số định danh cá nhân",
                    "required": True,
                    "choices": [],
                    "columns": [],
                    "rows": 0,
                    "hint": "(12 chữ số)",
                    "long": False,
                },
                {
                    "label": "Đối tượng",
                    "required": True,
                    "choices": ["Miễn học phí", "Giảm 70% học phí", "Giảm 50% học phí"],
                    "columns": [],
                    "rows": 0,
                    "hint": "",
                    "long": False,
                },
            ],
        },
    ),
    # The month's statistics with the Decision 766 indicators (service/quality/exports.py).
    "stats_monthly": (
        "stats_monthly.html",
        {
            "doc": {
                **doc(
                    "Báo cáo",
                    summary="Tình hình giải quyết thủ tục hành chính từ ngày 01/11/2026 đến ngày 30/11/2026",
                    signer={"capacity": "", "position": "GIÁM ĐỐC", "name": ""},
                    recipients=["- Lưu: VT, GDNN."],
                ),
                "verification": None,
            },
            "rows": [
                _MONTH_ROW,
                {**_MONTH_ROW, "code": "", "name": "Tổng cộng"},
            ],  # one procedure: total = row
            "indicators": [
                {
                    "name": "Tỷ lệ hồ sơ giải quyết đúng hạn",
                    "value": "83,3%",
                    "score": "15,0/18",
                    "formula": "Hồ sơ giải quyết trước hạn, đúng hạn ÷ hồ sơ đã giải quyết × 100%",
                }
            ],
            "total": "Tổng điểm: 15,0/100",
        },
    ),
}


def sample_files() -> dict[str, tuple[str, dict[str, Any]]]:
    """Every sample `render-samples` draws: PDF name (without .pdf) -> (template, data)."""
    files = {template.removesuffix(".html"): (template, data) for template, data in SAMPLES.items()}
    return {**files, **VARIANTS}
