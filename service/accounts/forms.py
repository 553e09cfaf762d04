"""Account forms."""

from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    ValidationError,
)
from wtforms.validators import EqualTo, InputRequired, Optional

from forms.base import BaseForm, options
from forms.validators import (
    email_address,
    max_length,
    normalise_phone,
    personal_id,
    phone_number,
    required,
    strip,
    tax_code,
)
from service.accounts.passwords import HINT as PASSWORD_HINT
from service.accounts.passwords import password_problem


def _lower_strip(value):
    return value.strip().lower() if isinstance(value, str) else value


# Fields whose values a new password must not be made of, when the form has them.
PERSONAL_FIELDS = ("email", "full_name", "personal_id", "phone", "organisation_name", "tax_code")


def new_password(form, field) -> None:
    """The password policy (service/accounts/passwords.py: length, common and breached passwords, the
    person's own details typed on the same form); the operation checks again with the account's."""
    personal = [getattr(form, name).data for name in PERSONAL_FIELDS if hasattr(form, name)]
    problem = password_problem(field.data or "", personal)
    if problem:
        raise ValidationError(problem)


class RegistrationForm(BaseForm):
    account_type = RadioField(
        "Loại tài khoản",
        choices=options([("citizen", "Công dân"), ("organisation", "Tổ chức")]),
        default="citizen",
        validators=[InputRequired("Vui lòng chọn loại tài khoản.")],
    )
    full_name = StringField("Họ và tên", filters=[strip], validators=[required(), max_length(200)])
    personal_id = StringField(
        "Số định danh cá nhân (CCCD, 12 số)", filters=[strip], validators=[Optional(), personal_id]
    )
    organisation_name = StringField("Tên tổ chức", filters=[strip], validators=[Optional(), max_length(255)])
    tax_code = StringField("Mã số thuế", filters=[strip], validators=[Optional(), tax_code])
    email = EmailField(
        "Email", filters=[_lower_strip], validators=[required(), email_address(), max_length(254)]
    )
    phone = StringField("Số điện thoại", filters=[normalise_phone], validators=[required(), phone_number])
    password = PasswordField("Mật khẩu", description=PASSWORD_HINT, validators=[required(), new_password])
    password_confirm = PasswordField(
        "Nhập lại mật khẩu", validators=[required(), EqualTo("password", "Hai mật khẩu không khớp.")]
    )
    consent = BooleanField(
        "Tôi đã đọc và đồng ý với Thông báo xử lý dữ liệu cá nhân",
        validators=[InputRequired("Bạn cần đồng ý với thông báo xử lý dữ liệu cá nhân để đăng ký.")],
    )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.account_type.data == "citizen" and not self.personal_id.data:
            self.personal_id.errors = [*self.personal_id.errors, "Công dân cần nhập số định danh cá nhân."]
            valid = False
        if self.account_type.data == "organisation":
            for field in (self.organisation_name, self.tax_code):
                if not field.data:
                    field.errors = [*field.errors, "Tổ chức cần nhập thông tin này."]
                    valid = False
        return valid


class LoginForm(BaseForm):
    email = EmailField("Email", filters=[_lower_strip], validators=[required(), email_address()])
    password = PasswordField("Mật khẩu", validators=[required()])


class ForgotPasswordForm(BaseForm):
    email = EmailField("Email", filters=[_lower_strip], validators=[required(), email_address()])


class ResendConfirmationForm(ForgotPasswordForm):
    pass


class ResetPasswordForm(BaseForm):
    password = PasswordField("Mật khẩu mới", description=PASSWORD_HINT, validators=[required(), new_password])
    password_confirm = PasswordField(
        "Nhập lại mật khẩu mới", validators=[required(), EqualTo("password", "Hai mật khẩu không khớp.")]
    )


class ProfileForm(BaseForm):
    full_name = StringField("Họ và tên", filters=[strip], validators=[required(), max_length(200)])
    organisation_name = StringField("Tên tổ chức", filters=[strip], validators=[Optional(), max_length(255)])
    tax_code = StringField("Mã số thuế", filters=[strip], validators=[Optional(), tax_code])
    phone = StringField("Số điện thoại", filters=[normalise_phone], validators=[required(), phone_number])


class ChangePasswordForm(BaseForm):
    current_password = PasswordField("Mật khẩu hiện tại", validators=[required()])
    password = PasswordField("Mật khẩu mới", description=PASSWORD_HINT, validators=[required(), new_password])
    password_confirm = PasswordField(
        "Nhập lại mật khẩu mới", validators=[required(), EqualTo("password", "Hai mật khẩu không khớp.")]
    )


class OfficialRoleForm(BaseForm):
    role = SelectField("Vai trò", validators=[required()])
    department_id = SelectField("Phòng, đơn vị", coerce=int, validators=[Optional()])
    agency = SelectField("Cơ quan tiếp nhận (cán bộ một cửa, chuyên viên, lãnh đạo)", validators=[Optional()])
    school_id = SelectField("Cơ sở GDNN (kế toán, quản trị nhà trường)", coerce=int, validators=[Optional()])
    position = StringField("Chức vụ", filters=[strip], validators=[Optional(), max_length(120)])


class OfficialForm(BaseForm):
    full_name = StringField("Họ và tên", filters=[strip], validators=[required(), max_length(200)])
    email = EmailField(
        "Email", filters=[_lower_strip], validators=[required(), email_address(), max_length(254)]
    )
    role = SelectField("Vai trò", validators=[required()])
    position = StringField("Chức vụ", filters=[strip], validators=[Optional(), max_length(120)])
    department_id = SelectField("Phòng, đơn vị", coerce=int, validators=[Optional()])
    agency = SelectField("Cơ quan tiếp nhận (cán bộ một cửa, chuyên viên, lãnh đạo)", validators=[Optional()])
    school_id = SelectField("Cơ sở GDNN (kế toán, quản trị nhà trường)", coerce=int, validators=[Optional()])
    phone = StringField("Số điện thoại", filters=[normalise_phone], validators=[Optional(), phone_number])


# ---------------------------------------------------------------- second factor (officials)


def _app_code(label: str = "Mã xác thực (6 số trên ứng dụng)") -> StringField:
    return StringField(
        label, filters=[strip], validators=[required("Vui lòng nhập mã xác thực."), max_length(10)]
    )


class SecondStepForm(BaseForm):
    code = StringField(
        "Mã xác thực",
        description="6 số đang hiện trên ứng dụng xác thực, hoặc một mã khôi phục (dạng xxxx-xxxx-xxxx-xxxx-xxxx-xxxx).",
        filters=[strip],
        validators=[required("Vui lòng nhập mã xác thực hoặc mã khôi phục."), max_length(40)],
    )


class EnrolmentForm(BaseForm):
    code = _app_code()


class RegenerateRecoveryCodesForm(BaseForm):
    code = _app_code()


class ResetSecondFactorForm(BaseForm):
    confirm = BooleanField(
        "Tôi xác nhận đặt lại: cán bộ phải đăng ký lại ở lần đăng nhập sau, mọi phiên đăng nhập của tài "
        "khoản kết thúc ngay",
        validators=[InputRequired("Vui lòng đánh dấu xác nhận trước khi đặt lại.")],
    )
    code = StringField(
        "Mã xác thực hiện tại của bạn (6 số)", filters=[strip], validators=[Optional(), max_length(10)]
    )


class VneidConsentForm(BaseForm):
    """A person VNeID vouches for and no account holds: an account is made only with their consent."""

    consent = BooleanField(
        "Tôi đã đọc và đồng ý với Thông báo xử lý dữ liệu cá nhân",
        validators=[InputRequired("Bạn cần đồng ý với thông báo xử lý dữ liệu cá nhân để tạo tài khoản.")],
    )
