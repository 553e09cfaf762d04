"""The review page's submission form: the declaration, and how the applicant wants the result.

As on the national public-service portal, nothing is sent before the applicant declares that what they
filed is true; and the applicant says there how the result should reach them (Decree 118/2025 art. 18:
electronically through the account, by public post to an address, or at the receiving agency's desk).
"""

from __future__ import annotations

from wtforms import BooleanField, DateField, FormField, HiddenField, RadioField, SelectField, TextAreaField
from wtforms.validators import Optional

from forms.base import BaseForm, options
from forms.dossier import address_form
from forms.validators import max_length, required, strip

DECLARATION = (
    "Tôi xin cam đoan những thông tin kê khai trên là đúng sự thật và chịu trách nhiệm trước pháp luật về "
    "nội dung đã kê khai."
)
DECLARATION_MISSING = "Vui lòng đánh dấu ô cam đoan trước khi nộp hồ sơ."
# The applicant's words for each way; the values are the return step's (service/dossiers/processing.py).
DELIVERY_METHODS = {
    "electronic": "Nhận kết quả điện tử qua tài khoản dịch vụ công (tải về tại trang hồ sơ)",
    "post": "Nhận kết quả qua dịch vụ bưu chính công ích tại địa chỉ dưới đây",
    "desk": "Nhận kết quả trực tiếp tại Bộ phận Một cửa của cơ quan tiếp nhận hồ sơ",
}
ADDRESS_MISSING = "Vui lòng nhập đầy đủ địa chỉ nhận kết quả qua bưu chính (tỉnh, xã, số nhà, đường)."


class SubmitForm(BaseForm):
    declaration = BooleanField(DECLARATION, validators=[required(DECLARATION_MISSING)])
    delivery_method = RadioField(
        "Phương thức nhận kết quả", choices=options(DELIVERY_METHODS.items()), default="electronic"
    )
    delivery_address = FormField(address_form(False), label="Địa chỉ nhận kết quả qua bưu chính")

    address_error: str | None = None

    def validate(self, extra_validators=None) -> bool:
        # A FormField takes no inline validator: the postal address's completeness is checked here.
        valid = super().validate(extra_validators)
        address = self.delivery_address.form
        if self.delivery_method.data == "post" and not (
            address.province.data and address.ward.data and address.street.data
        ):
            self.address_error = ADDRESS_MISSING
            return False
        return valid

    def postal_address(self) -> dict[str, str] | None:
        """The address to post the result to, as stored on the dossier; None unless by post."""
        if self.delivery_method.data != "post":
            return None
        address = self.delivery_address.form
        return {"province": address.province.data, "ward": address.ward.data, "street": address.street.data}


class SchoolDecisionForm(BaseForm):
    """The school's decision on an application it holds: approve with the learner's record, the rule
    set's category and the period, or refuse with the reason."""

    decision = RadioField(
        "Quyết định của nhà trường",
        choices=options([("approve", "Đồng ý miễn, giảm học phí"), ("deny", "Không đồng ý (nêu rõ lý do)")]),
        validators=[required("Vui lòng chọn quyết định.")],
    )
    student_id = SelectField("Người học (hồ sơ của trường)", validate_choice=False)
    category = SelectField("Đối tượng miễn, giảm (Nghị định 238/2025/NĐ-CP)", validate_choice=False)
    valid_from = DateField("Miễn, giảm từ ngày", validators=[Optional()])
    valid_to = DateField("Đến ngày", validators=[Optional()])
    reason = TextAreaField("Lý do không đồng ý", filters=[strip], validators=[max_length(2000)])
    seen = HiddenField()  # the dossier's version the page showed
