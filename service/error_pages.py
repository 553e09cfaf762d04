"""The error page every part of the app answers with: a Vietnamese title and message (JSON under
/api/), never a stack trace. The handlers that use it are registered by `service/errors.py`."""

from __future__ import annotations

from flask import jsonify, render_template, request

MESSAGES = {
    400: ("Yêu cầu không hợp lệ", "Dữ liệu gửi lên không hợp lệ. Vui lòng kiểm tra và thử lại."),
    401: ("Cần đăng nhập", "Vui lòng đăng nhập để tiếp tục."),
    403: ("Không có quyền truy cập", "Tài khoản của bạn không có quyền thực hiện thao tác này."),
    404: ("Không tìm thấy trang", "Trang hoặc hồ sơ bạn tìm không tồn tại hoặc bạn không có quyền xem."),
    405: ("Thao tác không được hỗ trợ", "Phương thức truy cập này không được hỗ trợ."),
    409: ("Xung đột dữ liệu", "Dữ liệu đã được người khác thay đổi. Vui lòng tải lại trang."),
    413: (
        "Tệp quá lớn",
        "Tệp hoặc dữ liệu gửi lên vượt quá dung lượng cho phép. Vui lòng chọn tệp nhỏ hơn.",
    ),
    429: (
        "Quá nhiều yêu cầu",
        "Bạn đã gửi quá nhiều yêu cầu trong thời gian ngắn. Vui lòng thử lại sau ít phút.",
    ),
    503: (
        "Tạm thời không lưu được tệp",
        "Hệ thống lưu trữ đang gặp sự cố. Chưa có thay đổi nào được ghi nhận. Vui lòng thử lại sau.",
    ),
    500: ("Lỗi hệ thống", "Hệ thống gặp sự cố. Dữ liệu bạn đã lưu không bị mất. Vui lòng thử lại sau."),
}


def error_response(code: int, message: str | None = None):
    title, default_message = MESSAGES.get(code, MESSAGES[500])
    message = message or default_message
    if request.path.startswith("/api/"):
        return jsonify({"error": {"code": code, "title": title, "message": message}}), code
    return render_template("errors/error.html", code=code, title=title, message=message), code
