from wtforms import StringField, ValidationError

from forms.base import BaseForm
from forms.validators import max_length, required
from service.dossiers.queries import is_well_formed_code, normalise_code


class LookupForm(BaseForm):
    code = StringField(
        "Mã hồ sơ",
        filters=[normalise_code],
        validators=[required("Vui lòng nhập mã hồ sơ."), max_length(40)],
        description="Ví dụ: H01.48-261128-0001",
    )
    secret = StringField(
        "Mã tra cứu hoặc số điện thoại đã đăng ký",
        validators=[required("Vui lòng nhập mã tra cứu hoặc số điện thoại."), max_length(20)],
    )

    def validate_code(self, field) -> None:
        if field.data and not is_well_formed_code(field.data):
            raise ValidationError("Mã hồ sơ không đúng định dạng (ví dụ: H01.48-261128-0001).")
