"""The national portal's codes for our values, in one place (../shared/INTEGRATION.md §2). The status
codes come from public client code (a 2026 VNPT-iGate guide attributes them to the portal); a change is
a change of these tables."""

from __future__ import annotations

from datetime import date, datetime, time

from service.timeutil import to_local
from workflows.states import DossierStatus

# TrangThaiHoSo: 1 Mới đăng ký, 2 Được tiếp nhận, 3 Không được tiếp nhận, 4 Đang xử lý, 5 Yêu cầu bổ
# sung, 6 Nghĩa vụ tài chính, 7 Công dân rút, 8 Dừng xử lý, 9 Đã xử lý xong, 10 Đã trả kết quả.
PORTAL_STATUS_LABELS = {
    1: "Mới đăng ký",
    2: "Được tiếp nhận",
    3: "Không được tiếp nhận",
    4: "Đang xử lý",
    5: "Yêu cầu bổ sung",
    6: "Nghĩa vụ tài chính",
    7: "Công dân rút",
    8: "Dừng xử lý",
    9: "Đã xử lý xong",
    10: "Đã trả kết quả",
}
# Every status of ours, mapped (a draft has not been filed: nothing is sent for it).
STATUS_CODES: dict[DossierStatus, int | None] = {
    DossierStatus.DRAFT: None,
    DossierStatus.SUBMITTED: 1,
    DossierStatus.RECEIVED: 2,
    DossierStatus.SUPPLEMENT_REQUESTED: 5,
    DossierStatus.REFUSED: 3,
    DossierStatus.ASSIGNED: 4,
    DossierStatus.UNDER_APPRAISAL: 4,
    DossierStatus.PROPOSED: 4,
    DossierStatus.FORWARDED: 4,
    DossierStatus.APPROVED: 9,
    DossierStatus.DENIED: 9,  # decided: a written answer with the reasons is the result
    DossierStatus.AWAITING_PAYMENT: 6,
    DossierStatus.RETURNED: 10,
    DossierStatus.WITHDRAWN: 7,
    DossierStatus.STOP_REQUESTED: 4,  # still being processed until the agency stops it
    DossierStatus.STOPPED: 8,
    DossierStatus.CLOSED: 8,  # not supplemented in time: processing stopped
}
# KenhThucHien: 1 direct (at the desk), 2 online, 3 postal.
CHANNEL_CODES = {"desk": 1, "online": 2, "post": 3}
# LoaiDoiTuong: 1 citizen, 2 business (an organisation), 3 state body, 4 other.
APPLICANT_KINDS = {"citizen": 1, "organisation": 2}
DATE_FORMAT = "%Y%m%d%H%M%S"


def portal_status(status: str) -> int | None:
    return STATUS_CODES[DossierStatus(status)]


def portal_time(value: datetime | date | None) -> str:
    """yyyyMMddHHmmss in Asia/Ho_Chi_Minh; a date (an appointment day) at its start; empty for none."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return to_local(value).strftime(DATE_FORMAT)
    return datetime.combine(value, time()).strftime(DATE_FORMAT)


def parse_portal_time(value: str) -> datetime:
    """The portal's local time as given (ValueError if it is not yyyyMMddHHmmss)."""
    if len(value) != 14 or not value.isdigit():
        raise ValueError(value)
    return datetime.strptime(value, DATE_FORMAT)
