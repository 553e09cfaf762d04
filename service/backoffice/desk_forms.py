"""Forms of desk filing: the applicant's number, a new applicant's record, and the paper dossier's own
inputs (how it came, the dates, the desk's answer). The e-form is the procedure's own (forms/dossier.py)
and the checklist's inputs are one per required component (service/backoffice/desk_views.py)."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    DateField,
    FormField,
    RadioField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import Optional

from forms.base import BaseForm, options
from forms.dossier import address_form
from forms.validators import email_address, max_length, normalise_phone, phone_number, required, strip
from service.accounts import walk_in
from service.dossiers.desk import OUTCOMES
from service.dossiers.forms import DELIVERY_METHODS

NUMBER_LABEL = "Số định danh cá nhân (12 chữ số) hoặc mã số thuế của tổ chức"


def _identification_number(form, field) -> None:
    if field.data and walk_in.kind_of(field.data) is None:
        raise ValidationError(walk_in.NUMBER_MESSAGE)


class LookupForm(BaseForm):
    number = StringField(
        NUMBER_LABEL,
        filters=[strip],
        validators=[required("Vui lòng nhập số định danh cá nhân hoặc mã số thuế."), _identification_number],
    )


class WalkInForm(BaseForm):
    number = StringField(NUMBER_LABEL, filters=[strip], validators=[required(), _identification_number])
    full_name = StringField(
        "Họ và tên người nộp (người đại diện của tổ chức)",
        filters=[strip],
        validators=[required("Vui lòng nhập họ và tên."), max_length(200)],
    )
    organisation_name = StringField(
        "Tên tổ chức (khi nhập mã số thuế)", filters=[strip], validators=[Optional(), max_length(255)]
    )
    phone = StringField(
        "Số điện thoại", filters=[strip, normalise_phone], validators=[Optional(), phone_number]
    )
    email = StringField(
        "Thư điện tử (không bắt buộc; để người nộp tự nhận tài khoản sau)",
        filters=[strip],
        validators=[Optional(), email_address(), max_length(254)],
    )


CHANNELS = [("desk", "Trực tiếp tại Bộ phận Một cửa"), ("post", "Qua dịch vụ bưu chính công ích")]
DESK_DELIVERY = {
    "desk": DELIVERY_METHODS["desk"],
    "post": DELIVERY_METHODS["post"],
    "electronic": DELIVERY_METHODS["electronic"],
}


class PaperForm(BaseForm):
    """Posted with the e-form under the prefix "desk-" (no e-form field starts so)."""

    received_on = DateField("Ngày Bộ phận Một cửa nhận hồ sơ", validators=[Optional()])
    postmarked_on = DateField("Ngày theo dấu bưu chính", validators=[Optional()])
    delivery_method = RadioField(
        "Phương thức nhận kết quả", choices=options(DESK_DELIVERY.items()), default="desk"
    )
    delivery_address = FormField(address_form(False), label="Địa chỉ nhận kết quả qua bưu chính")
    fee_collected = BooleanField("Đã thu phí, lệ phí tại quầy")
    outcome = RadioField(
        "Kết quả kiểm tra hồ sơ",
        choices=options(OUTCOMES.items()),
        validators=[required("Vui lòng chọn tiếp nhận, yêu cầu bổ sung hoặc từ chối tiếp nhận.")],
    )
    reason = TextAreaField(
        "Lý do, nội dung cần bổ sung (ngoài các giấy tờ đã đánh dấu thiếu, không hợp lệ)",
        filters=[strip],
        validators=[Optional(), max_length(5000)],
    )

    def postal_address(self) -> dict[str, str] | None:
        if self.delivery_method.data != "post":
            return None
        address = self.delivery_address.form
        return {"province": address.province.data, "ward": address.ward.data, "street": address.street.data}
