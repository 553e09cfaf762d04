"""Forms of the back office: one action form (each action shows the inputs it needs), extension,
comment, worklist filters."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import Optional

from forms.base import BaseForm, options
from forms.validators import max_length, plausible_date, required, strip

DECISIONS = [("approve", "Đề xuất giải quyết (cấp, phê duyệt)"), ("deny", "Đề xuất không giải quyết")]
METHODS = [
    ("electronic", "Trả kết quả điện tử"),
    ("post", "Qua dịch vụ bưu chính"),
    ("desk", "Tại Bộ phận Một cửa"),
]


class ActionForm(BaseForm):
    version = IntegerField(validators=[Optional()])
    reason = TextAreaField("Nội dung, lý do", filters=[strip], validators=[Optional(), max_length(5000)])
    assignee_id = SelectField("Chuyên viên xử lý", coerce=str, validate_choice=False, validators=[Optional()])
    decision = SelectField("Đề xuất", choices=options(DECISIONS), validators=[Optional()])
    draft = TextAreaField("Dự thảo kết quả", filters=[strip], validators=[Optional(), max_length(20000)])
    recipients = TextAreaField("Nơi nhận", filters=[strip], validators=[Optional(), max_length(2000)])
    method = SelectField("Hình thức trả kết quả", choices=options(METHODS), validators=[Optional()])
    # Receiving a paper dossier: every paper component was scanned and attached (Decision 766).
    components_digitised = BooleanField("Đã số hóa đầy đủ thành phần hồ sơ giấy")


class ExtendForm(BaseForm):
    version = IntegerField(validators=[Optional()])
    new_date = DateField(
        "Ngày hẹn trả kết quả mới", validators=[required("Vui lòng chọn ngày hẹn mới."), plausible_date]
    )
    reason = TextAreaField(
        "Lý do chậm trễ", filters=[strip], validators=[required("Vui lòng nêu lý do."), max_length(2000)]
    )


class CommentForm(BaseForm):
    body = TextAreaField(
        "Ý kiến nội bộ", filters=[strip], validators=[required("Vui lòng nhập nội dung."), max_length(5000)]
    )


class WorklistFilters(BaseForm):
    class Meta:
        csrf = False

    q = StringField(
        "Tìm theo mã hồ sơ, tên, số định danh, điện thoại",
        filters=[strip],
        validators=[Optional(), max_length(100)],
    )
    procedure = SelectField("Thủ tục", validate_choice=False, validators=[Optional()])
    status = SelectField("Trạng thái", validate_choice=False, validators=[Optional()])
    due = SelectField(
        "Hạn xử lý",
        choices=options([("", "Tất cả"), ("due_soon", "Sắp đến hạn"), ("overdue", "Quá hạn")]),
        validate_choice=False,
        validators=[Optional()],
    )
    date_from = DateField("Nộp từ ngày", validators=[Optional(), plausible_date])
    date_to = DateField("đến ngày", validators=[Optional(), plausible_date])


class RegisterForm(BaseForm):
    class Meta:
        csrf = False

    start = DateField("Từ ngày", validators=[required("Vui lòng chọn ngày bắt đầu."), plausible_date])
    end = DateField("Đến ngày", validators=[required("Vui lòng chọn ngày kết thúc."), plausible_date])

    def validate_end(self, field) -> None:
        if self.start.data and field.data:
            if field.data < self.start.data:
                raise ValidationError("Ngày kết thúc phải sau ngày bắt đầu.")
            if (field.data - self.start.data).days > 365:
                raise ValidationError("Mỗi lần xuất tối đa một năm.")
