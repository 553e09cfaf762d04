"""An administrator's correction of an agency's details."""

from wtforms import StringField
from wtforms.validators import Optional, Regexp

from forms.base import BaseForm
from forms.validators import max_length, required, strip


class AgencyForm(BaseForm):
    code = StringField(
        "Mã cơ quan (theo danh mục mã định danh, dùng trong mã hồ sơ)",
        filters=[strip],
        validators=[
            required(),
            max_length(30),
            Regexp(r"^[A-Z0-9.]{2,30}$", message="Chỉ dùng chữ in hoa không dấu, số và dấu chấm."),
        ],
    )
    name = StringField("Tên cơ quan tiếp nhận", filters=[strip], validators=[required(), max_length(200)])
    address = StringField("Địa chỉ", filters=[strip], validators=[Optional(), max_length(255)])
    phone = StringField("Số điện thoại hướng dẫn", filters=[strip], validators=[Optional(), max_length(30)])
    issuer_parent = StringField(
        "Cơ quan chủ quản ghi trên văn bản", filters=[strip], validators=[Optional(), max_length(200)]
    )
    issuer_name = StringField(
        "Tên đơn vị ghi trên văn bản (mẫu 01–07)", filters=[strip], validators=[required(), max_length(200)]
    )
    abbreviation = StringField(
        "Chữ viết tắt của đơn vị (Nơi nhận: Lưu: VT, ...)",
        filters=[strip],
        validators=[Optional(), max_length(20)],
    )
    deciding_body = StringField(
        "Cơ quan quyết định thủ tục cấp xã", filters=[strip], validators=[required(), max_length(200)]
    )
