"""The states of a dossier and their Vietnamese names, shared by every workflow."""

from __future__ import annotations

from workflows.labelled import Labelled


class DossierStatus(Labelled):
    DRAFT = "draft", "Bản nháp"
    SUBMITTED = "submitted", "Đã nộp, chờ tiếp nhận"
    RECEIVED = "received", "Đã tiếp nhận"
    SUPPLEMENT_REQUESTED = "supplement_requested", "Chờ bổ sung hồ sơ"
    REFUSED = "refused", "Từ chối tiếp nhận"
    ASSIGNED = "assigned", "Đã phân công xử lý"
    UNDER_APPRAISAL = "under_appraisal", "Đang thẩm định"
    PROPOSED = "proposed", "Chờ lãnh đạo phê duyệt"
    FORWARDED = "forwarded", "Trình UBND tỉnh quyết định"
    APPROVED = "approved", "Đã có kết quả"
    DENIED = "denied", "Không giải quyết (có văn bản trả lời)"
    AWAITING_PAYMENT = "awaiting_payment", "Chờ thực hiện nghĩa vụ tài chính"
    RETURNED = "returned", "Đã trả kết quả"
    WITHDRAWN = "withdrawn", "Đã rút hồ sơ"
    STOP_REQUESTED = "stop_requested", "Công dân đề nghị dừng xử lý"
    STOPPED = "stopped", "Đã dừng xử lý"
    CLOSED = "closed", "Đã đóng (không bổ sung đúng hạn)"


STATUS_LABELS = {
    status: status.label for status in DossierStatus
}  # keyed by member: `.value` and "draft" both work

EVENT_LABELS = {
    "create": "Tạo bản nháp hồ sơ",
    "submit": "Nộp hồ sơ trực tuyến",
    "file_on_paper": "Bộ phận Một cửa nhận hồ sơ giấy (nộp trực tiếp hoặc qua bưu chính)",
    "withdraw": "Công dân rút hồ sơ",
    "receive": "Tiếp nhận hồ sơ, hẹn ngày trả kết quả",
    "request_supplement": "Yêu cầu bổ sung hồ sơ",
    "supplement": "Công dân bổ sung hồ sơ",
    "refuse": "Từ chối tiếp nhận hồ sơ",
    "close": "Đóng hồ sơ do không bổ sung đúng hạn",
    "assign": "Chuyển và phân công chuyên viên xử lý",
    "start_appraisal": "Bắt đầu thẩm định",
    "propose": "Trình lãnh đạo phê duyệt",
    "send_back": "Lãnh đạo trả lại để xử lý lại",
    "forward": "Trình Chủ tịch UBND tỉnh quyết định",
    "approve": "Phê duyệt, ban hành kết quả",
    "deny": "Không giải quyết, trả lời bằng văn bản",
    "await_payment": "Chờ công dân thực hiện nghĩa vụ tài chính",
    "confirm_payment": "Xác nhận đã thực hiện nghĩa vụ tài chính",
    "return_result": "Trả kết quả",
    "request_stop": "Công dân đề nghị dừng giải quyết",
    "stop": "Dừng giải quyết, gửi thông báo",
    "extend": "Xin lỗi và hẹn lại ngày trả kết quả",
    "comment": "Ý kiến nội bộ",
    "reissue_document": "Cấp lại văn bản (đính chính)",
    "revoke_document": "Thu hồi văn bản",
}

# Closed for good: nothing more happens to these dossiers.
FINAL_STATUSES = frozenset(
    {
        DossierStatus.REFUSED,
        DossierStatus.RETURNED,
        DossierStatus.WITHDRAWN,
        DossierStatus.STOPPED,
        DossierStatus.CLOSED,
    }
)
# While these last, the agency waits for the applicant: the clock does not run against the agency.
WAITING_FOR_APPLICANT = frozenset({DossierStatus.SUPPLEMENT_REQUESTED, DossierStatus.AWAITING_PAYMENT})
# The agency has decided; a stop request is no longer possible.
DECIDED = frozenset(
    {DossierStatus.APPROVED, DossierStatus.DENIED, DossierStatus.AWAITING_PAYMENT, DossierStatus.FORWARDED}
)

# What the applicant sees of the history: officials' deliberation stays internal, and only the notes
# written for the applicant (reasons, requests, their own words) are shown to them.
INTERNAL_EVENTS = frozenset({"propose", "send_back"})
APPLICANT_NOTE_EVENTS = frozenset(
    {
        "request_supplement",
        "refuse",
        "deny",
        "return_result",
        "extend",
        "withdraw",
        "supplement",
        "request_stop",
        "reissue_document",
        "revoke_document",
    }
)
