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
    "abbreviation": "",
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
        "recipients": ["- Trung tâm GDNN Long Xuyên;", "- Lưu: VT, GDNN."],
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
        "doc": doc("Thông báo dừng giải quyết hồ sơ", issuer=RECEIVING_UNIT),
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
            "Căn cứ Nghị định số 143/2016/NĐ-CP ngày 14 tháng 10 năm 2016 của Chính phủ;",
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
