"""What the audit log records: each event code and object type with its Vietnamese label.

An event code not listed here is still recorded and shown by its code; list it to give it a label and
a place in the search form.
"""

from __future__ import annotations

EVENT_LABELS = {
    "login.success": "Đăng nhập thành công",
    "login.failure": "Đăng nhập không thành công",
    "login.second_factor_failure": "Mã xác thực hai bước không được chấp nhận",
    "login.recovery_code_used": "Đăng nhập bằng mã khôi phục",
    "login.logout": "Đăng xuất",
    "account.registered": "Đăng ký tài khoản",
    "account.register_existing": "Đăng ký bằng email đã có tài khoản (không tạo tài khoản mới)",
    "account.identity_attached": "Gắn số định danh cá nhân với tài khoản",
    "account.identity_claim_refused": "Số định danh đã thuộc tài khoản khác: không gắn, chờ xác minh",
    "account.vneid_linked": "Liên kết tài khoản với VNeID (số định danh được xác thực)",
    "account.created": "Tạo tài khoản cán bộ",
    "account.role_changed": "Thay đổi vai trò tài khoản",
    "account.updated": "Cập nhật phòng, chức vụ, cơ sở của cán bộ",
    "account.deactivated": "Khóa tài khoản",
    "account.reactivated": "Mở khóa tài khoản",
    "account.password_changed": "Đổi mật khẩu",
    "account.password_reset": "Đặt lại mật khẩu qua email",
    "account.second_factor_enrolled": "Bật xác thực hai bước",
    "account.recovery_codes_regenerated": "Tạo lại mã khôi phục xác thực hai bước",
    "account.second_factor_reset": "Quản trị viên đặt lại xác thực hai bước",
    "dossier.step": "Bước xử lý hồ sơ",
    "dossier.viewed": "Cán bộ xem hồ sơ (dữ liệu cá nhân)",
    "dossier.file_viewed": "Cán bộ mở tệp đính kèm của hồ sơ",
    "dossier.filed_form_viewed": "Cán bộ mở bản in tờ khai đã nộp của hồ sơ",
    "dossier.searched": "Cán bộ tìm hồ sơ theo số định danh hoặc số điện thoại",
    "dossier.abandoned_draft_deleted": "Xóa hồ sơ nháp bỏ dở (đã báo trước cho chủ hồ sơ)",
    "payment.settled": "Thanh toán thành công",
    "payment.order_viewed": "Kế toán xem khoản phải nộp (người nộp, giao dịch)",
    "school.student_viewed": "Cán bộ cơ sở xem hồ sơ người học",
    "school.evidence_viewed": "Cán bộ cơ sở mở minh chứng miễn, giảm",
    "school.exported": "Cán bộ cơ sở xuất danh sách có dữ liệu cá nhân (Excel)",
    "dossier.register_exported": "Xuất sổ theo dõi hồ sơ (mẫu 07)",
    "school.invoice_viewed": "Cán bộ cơ sở xem thông báo thu học phí",
    "school.exemption_added": "Thêm miễn, giảm học phí cho người học",
    "school.exemption_revoked": "Thu hồi miễn, giảm học phí",
    "refund.requested": "Lập lệnh hoàn tiền",
    "refund.succeeded": "Hoàn tiền thành công",
    "refund.failed": "Hoàn tiền không thành công",
    "config.catalogue_imported": "Nhập danh mục thủ tục",
    "config.procedure_setting": "Thay đổi thiết lập thủ tục",
    "config.calendar_day": "Khai báo ngày nghỉ, ngày làm việc bù",
    "config.calendar_day_removed": "Xóa khai báo ngày nghỉ, ngày làm việc bù",
    "config.department_created": "Thêm phòng, đơn vị",
    "config.department_renamed": "Đổi tên phòng, đơn vị",
    "config.department_removed": "Xóa phòng, đơn vị",
    "config.school_registered": "Thêm cơ sở GDNN",
    "config.agencies_seeded": "Tạo danh sách cơ quan tiếp nhận (tỉnh, xã, phường)",
    "config.agency_updated": "Sửa thông tin cơ quan tiếp nhận",
}

# The search form offers each group ("tất cả ...") before its events.
GROUP_LABELS = {
    "login": "Đăng nhập, đăng xuất",
    "account": "Tài khoản",
    "dossier": "Hồ sơ",
    "payment": "Thanh toán",
    "refund": "Hoàn tiền",
    "school": "Cơ sở GDNN",
    "config": "Cấu hình",
}

OBJECT_LABELS = {
    "users": "Tài khoản",
    "dossiers": "Hồ sơ",
    "dossier_files": "Tệp đính kèm hồ sơ",
    "payment_orders": "Khoản phải nộp",
    "payment_refunds": "Khoản hoàn tiền",
    "procedures": "Thủ tục",
    "calendar_overrides": "Ngày nghỉ, ngày làm bù",
    "departments": "Phòng, đơn vị",
    "agencies": "Cơ quan tiếp nhận",
    "schools": "Cơ sở GDNN",
    "students": "Người học",
    "exemptions": "Miễn, giảm học phí",
    "invoices": "Thông báo thu học phí",
}

DETAIL_LABELS = {
    "code": "Mã",
    "email": "Email",
    "event": "Thao tác",
    "from": "Từ trạng thái",
    "to": "Sang trạng thái",
    "note": "Ghi chú",
    "history_id": "Dòng quá trình xử lý",
    "reason": "Lý do",
    "role": "Vai trò",
    "from_role": "Vai trò trước đó",
    "department_id": "Phòng (mã số)",
    "school_id": "Cơ sở (mã số)",
    "position": "Chức vụ",
    "gateway": "Cổng thanh toán",
    "attempt": "Giao dịch",
    "amount": "Số tiền (đồng)",
    "order": "Khoản phải nộp",
    "refund": "Lệnh hoàn",
    "created": "Thủ tục mới",
    "updated": "Phiên bản mới",
    "day": "Ngày",
    "is_working": "Ngày làm việc bù",
    "file": "Tệp",
    "number": "Số",
    "previous_name": "Tên trước đó",
    "export": "Tệp xuất",
    "term": "Học kỳ",
    "period_start": "Từ ngày",
    "period_end": "Đến ngày",
    "name": "Tên",
    "specialist_id": "Chuyên viên mặc định (mã số)",
    "holder_id": "Tài khoản đang giữ số định danh (mã số)",
    "percent": "Tỷ lệ (%)",
    "basis": "Căn cứ",
    "second_factor": "Bước xác thực thứ hai",
    "remaining": "Số mã khôi phục còn lại",
    "owner": "Chủ hồ sơ",
    "procedure": "Thủ tục",
    "started_on": "Ngày tạo",
    "files": "Số tệp",
}


def event_label(code: str) -> str:
    return EVENT_LABELS.get(code, code)


def event_choices() -> list[tuple[str, str]]:
    """Groups first, each followed by its events: ("login", "Đăng nhập – tất cả"), ("login.success", ...)."""
    choices = []
    for group, label in GROUP_LABELS.items():
        choices.append((group, f"{label} – tất cả"))
        choices += [(code, f"– {name}") for code, name in EVENT_LABELS.items() if code.split(".")[0] == group]
    return choices
