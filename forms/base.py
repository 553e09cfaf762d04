"""The base of every form: Flask-WTF (CSRF) with WTForms' built-in messages in Vietnamese."""

import re

from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.fields.choices import SelectChoice

# WTForms ships no Vietnamese catalogue; these are the built-in messages our fields can raise.
VIETNAMESE = {
    "Not a valid choice.": "Lựa chọn không hợp lệ.",
    "Not a valid integer value.": "Vui lòng nhập một số nguyên.",
    "Not a valid decimal value.": "Vui lòng nhập một số.",
    "Not a valid float value.": "Vui lòng nhập một số.",
    "Not a valid date value.": "Ngày không hợp lệ (định dạng ngày/tháng/năm).",
    "Not a valid datetime value.": "Thời gian không hợp lệ.",
    "This field is required.": "Vui lòng nhập thông tin này.",
    "Invalid email address.": "Địa chỉ email không hợp lệ.",
    "Invalid input.": "Dữ liệu không hợp lệ.",
    "Invalid value, must be one of: %(values)s.": "Giá trị không hợp lệ.",
    "Invalid Choice: could not coerce.": "Lựa chọn không hợp lệ.",
    "Choices cannot be None.": "Lựa chọn không hợp lệ.",
    "Field must be at least %(min)d character long.": "Tối thiểu %(min)d ký tự.",
    "Field must be at least %(min)d characters long.": "Tối thiểu %(min)d ký tự.",
    "Field cannot be longer than %(max)d character.": "Tối đa %(max)d ký tự.",
    "Field cannot be longer than %(max)d characters.": "Tối đa %(max)d ký tự.",
    "Number must be at least %(min)s.": "Giá trị phải từ %(min)s trở lên.",
    "Number must be at most %(max)s.": "Giá trị phải không quá %(max)s.",
    "Number must be between %(min)s and %(max)s.": "Giá trị phải từ %(min)s đến %(max)s.",
}


class _Translations:
    def gettext(self, string: str) -> str:
        return VIETNAMESE.get(string, string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return VIETNAMESE.get(singular if n == 1 else plural, singular if n == 1 else plural)


TRANSLATIONS = _Translations()


class BaseForm(FlaskForm):
    class Meta:
        def get_translations(self, form):
            return TRANSLATIONS


def options(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(str(value), label) for value, label in pairs]


ASCII_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,18}")


class WholeNumberField(IntegerField):
    """A whole number in ASCII digits. WTForms' IntegerField reads with int(), which also takes
    Arabic-Indic "٥٠٠", fullwidth "５００" and "5_00": an amount nobody meant, shown otherwise than it is
    stored. At most 18 digits, so that every value fits the database's BIGINT."""

    MESSAGE = "Vui lòng nhập số nguyên bằng các chữ số 0–9."

    def process_formdata(self, valuelist):
        self.refused = bool(valuelist and valuelist[0]) and not ASCII_WHOLE_NUMBER.fullmatch(
            str(valuelist[0]).strip()
        )
        if self.refused:
            self.data = None
            raise ValueError(self.MESSAGE)
        super().process_formdata(valuelist)

    def post_validate(self, form, validation_stopped):
        if getattr(self, "refused", False):
            self.errors = [self.MESSAGE]  # not "required": something was typed, in digits we do not take
