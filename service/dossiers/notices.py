"""What the applicant (and the assigned specialist) are told after each step. Called inside the step's transaction."""

from __future__ import annotations

from flask import current_app

from service.dossiers.models import Dossier
from service.notifications.email import queue_email
from service.timeutil import format_date

APPLICANT_MESSAGES = {
    "receive": "Hồ sơ của bạn đã được tiếp nhận. Ngày hẹn trả kết quả: {due}.",
    "request_supplement": (
        "Cơ quan đề nghị bổ sung hồ sơ (một lần) với nội dung sau:\n{supplement}\n"
        "Hạn bổ sung: {supplement_deadline}. Vui lòng đăng nhập, mở hồ sơ và bổ sung giấy tờ; quá hạn mà "
        "không bổ sung, hồ sơ sẽ bị đóng."
    ),
    "refuse": "Hồ sơ không được tiếp nhận. Lý do: {note}",
    "approve": "Hồ sơ đã có kết quả giải quyết. Kết quả sẽ được trả theo hình thức bạn đã đăng ký.",
    "deny": "Cơ quan không giải quyết hồ sơ và trả lời bằng văn bản. Lý do: {note}",
    "await_payment": "Hồ sơ đã có kết quả. Vui lòng thực hiện nghĩa vụ tài chính để nhận kết quả.",
    "return_result": "Kết quả giải quyết hồ sơ đã được trả ({note}).",
    "stop": "Theo đề nghị của bạn, cơ quan đã dừng giải quyết hồ sơ.",
    "close": "Hồ sơ đã được đóng do không được bổ sung trong thời hạn yêu cầu.",
    "extend": (
        "Cơ quan chân thành xin lỗi vì hồ sơ chưa thể giải quyết đúng hẹn. Lý do: {extension_reason} "
        "Ngày hẹn trả kết quả mới: {due}."
    ),
    "supplement_restart": (
        "Cơ quan đã nhận hồ sơ bổ sung của bạn. Theo quy định, thời hạn giải quyết được tính lại từ ngày "
        "nhận đủ hồ sơ. Ngày hẹn trả kết quả mới: {due}. Giấy tiếp nhận hồ sơ và hẹn trả kết quả (mẫu 01) "
        "mới có trong trang hồ sơ và thay cho giấy cũ."
    ),
}
# What each email's subject says happened (the status alone repeats itself: an apology while the
# dossier is still "Đã tiếp nhận" would be titled so).
APPLICANT_SUBJECTS = {
    "receive": "Đã tiếp nhận, hẹn trả kết quả ngày {due}",
    "request_supplement": "Đề nghị bổ sung hồ sơ",
    "refuse": "Từ chối tiếp nhận hồ sơ",
    "approve": "Đã có kết quả giải quyết",
    "deny": "Không giải quyết, có văn bản trả lời",
    "await_payment": "Chờ thực hiện nghĩa vụ tài chính",
    "return_result": "Đã trả kết quả",
    "stop": "Đã dừng giải quyết",
    "close": "Hồ sơ đã đóng",
    "extend": "Xin lỗi và hẹn lại ngày trả kết quả: {due}",
    "supplement_restart": "Ngày hẹn trả kết quả mới: {due}",
}


def tell_applicant(dossier: Dossier, event: str) -> None:
    template = APPLICANT_MESSAGES.get(event)
    if template is None:
        return
    note = next((e.note for e in reversed(dossier.events) if e.event == event and e.note), "") or ""
    message = template.format(
        due=format_date(dossier.due_date),
        supplement=dossier.supplement_request or "",
        supplement_deadline=format_date(dossier.supplement_deadline),
        note=note,
        extension_reason=dossier.extension_reason or "",
    )
    subject = APPLICANT_SUBJECTS.get(event, "").format(due=format_date(dossier.due_date))
    queue_email(
        dossier.owner.email,
        "dossier_update",
        dossier=dossier,
        message=message,
        subject=subject,
        base_url=current_app.config["APP_BASE_URL"],
    )
    if event == "return_result":  # the result is in the citizen's hands: invite them to rate the service
        queue_email(
            dossier.owner.email, "rating_invite", dossier=dossier, base_url=current_app.config["APP_BASE_URL"]
        )


def tell_assignee(dossier: Dossier) -> None:
    if dossier.assignee is not None:
        queue_email(
            dossier.assignee.email,
            "dossier_assigned",
            dossier=dossier,
            base_url=current_app.config["APP_BASE_URL"],
        )


def tell_successor(successor, predecessor, dossiers: list[Dossier]) -> None:
    """One email for every dossier handed over when an official's account was locked."""
    queue_email(
        successor.email,
        "dossiers_handed_over",
        official=successor,
        predecessor=predecessor,
        dossiers=dossiers,
        base_url=current_app.config["APP_BASE_URL"],
    )


OFFICIAL_MESSAGES = {
    "supplement": "Người nộp đã gửi hồ sơ bổ sung cho hồ sơ {code}. Vui lòng kiểm tra và tiếp tục giải quyết.",
    "request_stop": "Người nộp đề nghị dừng giải quyết hồ sơ {code}. Vui lòng xem xét và ban hành thông báo dừng.",
    "propose": "Hồ sơ {code} đã có dự thảo kết quả, chờ phê duyệt.",
    "forward": "Hồ sơ {code} đã trình Chủ tịch UBND tỉnh; vui lòng cập nhật khi có quyết định.",
    "approve": "Hồ sơ {code} đã có kết quả giải quyết. Vui lòng trả kết quả cho người nộp.",
    "deny": "Hồ sơ {code} không được giải quyết (có văn bản trả lời). Vui lòng trả văn bản cho người nộp.",
    # Not a step: the post could not deliver the result (service/postal), which is back at the desk.
    "returned_by_post": (
        "Bưu điện không phát được kết quả của hồ sơ {code}; kết quả đã trở về Bộ phận Một cửa. Vui lòng xem "
        "lý do trên trang hồ sơ, liên hệ người nộp rồi gửi lại qua bưu chính hoặc trả tại Bộ phận Một cửa."
    ),
}


def tell_officials(dossier: Dossier, event: str, officials) -> None:
    """The officials who can take the next step (service.dossiers.processing.officials_who_can_act)."""
    message = OFFICIAL_MESSAGES.get(event)
    if message is None:
        return
    for official in officials:
        queue_email(
            official.email,
            "official_notice",
            official=official,
            dossier=dossier,
            message=message.format(code=dossier.code),
            base_url=current_app.config["APP_BASE_URL"],
        )
