"""Administration forms: departments, the holiday calendar, procedure settings."""

from wtforms import BooleanField, DateField, RadioField, SelectField, StringField
from wtforms.validators import Regexp

from forms.base import BaseForm, options
from forms.validators import max_length, plausible_date, required, strip


class DepartmentForm(BaseForm):
    code = StringField(
        "Mã phòng, đơn vị",
        filters=[strip],
        validators=[
            required(),
            max_length(30),
            Regexp(r"^[A-Za-z0-9_.-]+$", message="Chỉ dùng chữ không dấu, số, dấu chấm, gạch."),
        ],
    )
    name = StringField("Tên phòng, đơn vị", filters=[strip], validators=[required(), max_length(200)])


class RenameDepartmentForm(BaseForm):
    name = StringField("Tên mới", filters=[strip], validators=[required(), max_length(200)])


class CalendarDayForm(BaseForm):
    day = DateField("Ngày", validators=[required("Vui lòng chọn ngày."), plausible_date])
    kind = RadioField(
        "Loại ngày",
        choices=options(
            [("off", "Ngày nghỉ (nghỉ bù, nghỉ theo quyết định)"), ("working", "Ngày làm việc bù")]
        ),
        default="off",
        validators=[required("Vui lòng chọn loại ngày.")],
    )
    note = StringField(
        "Căn cứ, ghi chú", filters=[strip], validators=[required("Vui lòng ghi căn cứ."), max_length(255)]
    )
    replace = BooleanField("Thay thế khai báo hiện có của ngày này (khai báo cũ vẫn lưu trong lịch sử)")


class ProcedureSettingForm(BaseForm):
    department_id = SelectField("Phòng xử lý mặc định", coerce=int, validate_choice=True)
    default_specialist_id = SelectField("Chuyên viên mặc định", coerce=int, validate_choice=True)
