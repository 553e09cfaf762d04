"""A procedure's e-form (tờ khai điện tử), built from the catalogue's field specification.

Two variants of each form: `strict=False` for saving a draft (formats are checked, nothing is
required, nothing typed is lost) and `strict=True` for submission (required fields and complete table
rows too). Classes are cached per specification.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from flask import current_app
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import NumberRange, Optional

from forms.base import TRANSLATIONS, BaseForm, WholeNumberField, options
from forms.validators import (
    email_address,
    max_length,
    normalise_phone,
    personal_id,
    phone_number,
    required,
    strip,
)
from service.divisions import province_choices, ward_choices, ward_in_province

CHOOSE = ("", "— Chọn —")


class _SubForm(Form):
    class Meta:
        def get_translations(self, form):
            return TRANSLATIONS


def form_class(fields: list[dict[str, Any]], strict: bool) -> type[BaseForm]:
    return _form_class(json.dumps(fields, sort_keys=True, ensure_ascii=False), strict)


@lru_cache(maxsize=256)
def _form_class(fields_json: str, strict: bool) -> type[BaseForm]:
    attributes = {spec["key"]: make_field(spec, strict) for spec in json.loads(fields_json)}
    return type("DossierForm", (BaseForm,), attributes)


def make_field(spec: dict[str, Any], strict: bool):
    builder = _BUILDERS[spec["type"]]
    return builder(spec, strict)


def _presence(spec: dict[str, Any], strict: bool) -> list:
    return [required()] if strict and spec.get("required") else [Optional()]


def _text(spec, strict, area=False):
    validators = [
        *_presence(spec, strict),
        max_length(int(spec.get("max_length", 255 if not area else 5000))),
    ]
    cls = TextAreaField if area else StringField
    return cls(spec["label"], filters=[strip], validators=validators, description=spec.get("help", ""))


def _number(spec, strict):
    bounds = NumberRange(
        min=spec.get("min"),
        max=spec.get("max"),
        message=_range_message(spec.get("min"), spec.get("max")),
    )
    presence = [required()] if strict and spec.get("required") else [Optional()]
    if strict and spec.get("required"):
        # DataRequired would refuse a legitimate 0.
        presence = [_InputPresent()]
    return WholeNumberField(spec["label"], validators=[*presence, bounds], description=spec.get("help", ""))


def _range_message(low, high) -> str:
    if low is not None and high is not None:
        return f"Giá trị phải từ {low} đến {high}."
    if low is not None:
        return f"Giá trị phải từ {low} trở lên."
    return f"Giá trị phải không quá {high}."


class _InputPresent:
    field_flags = {"required": True}

    def __call__(self, form, field):
        if not field.raw_data or not str(field.raw_data[0]).strip():
            from wtforms.validators import StopValidation

            raise StopValidation("Vui lòng nhập thông tin này.")


def _date(spec, strict):
    return DateField(spec["label"], validators=_presence(spec, strict), description=spec.get("help", ""))


def _choice(spec, strict):
    choices = options([CHOOSE, *spec["choices"]])
    return SelectField(
        spec["label"], choices=choices, validators=_presence(spec, strict), description=spec.get("help", "")
    )


def _cccd(spec, strict):
    return StringField(spec["label"], filters=[strip], validators=[*_presence(spec, strict), personal_id])


def _phone(spec, strict):
    return StringField(
        spec["label"], filters=[normalise_phone], validators=[*_presence(spec, strict), phone_number]
    )


def _email(spec, strict):
    return StringField(spec["label"], filters=[strip], validators=[*_presence(spec, strict), email_address()])


def _address(spec, strict):
    return FormField(address_form(bool(strict and spec.get("required"))), label=spec["label"])


@lru_cache(maxsize=2)
def address_form(mandatory: bool) -> type[Form]:
    """An address sub-form (province, commune, street) as the e-form's address fields have it."""
    presence = [required()] if mandatory else [Optional()]

    class AddressForm(_SubForm):
        # A new address starts in the province the system serves, so its communes are listed at once.
        province = SelectField(
            "Tỉnh, thành phố",
            choices=options([CHOOSE, *province_choices()]),
            default=lambda: str(current_app.config["PROVINCE_CODE"]),
            validators=presence,
        )
        ward = SelectField(
            "Xã, phường, đặc khu", choices=options([CHOOSE]), validate_choice=False, validators=presence
        )
        street = StringField(
            "Số nhà, đường, thôn, ấp", filters=[strip], validators=[*presence, max_length(255)]
        )

        def validate_ward(self, field):
            if field.data and not ward_in_province(field.data, self.province.data):
                raise ValidationError("Xã, phường không thuộc tỉnh, thành phố đã chọn.")

    return AddressForm


def ward_options(address_form) -> list[tuple[str, str]]:
    """The communes offered for the province currently selected in an address sub-form."""
    province = str(address_form.province.data or "")
    if not (province.isascii() and province.isdigit() and len(province) <= 3):
        return []
    return ward_choices(int(province))


def _table(spec, strict):
    row_form = _row_form(json.dumps(spec["columns"], sort_keys=True, ensure_ascii=False), strict)
    field = FieldList(
        FormField(row_form),
        label=spec["label"],
        min_entries=int(spec.get("min_rows", 1)),
        max_entries=int(spec.get("max_rows", 50)),
    )
    return field


@lru_cache(maxsize=64)
def _row_form(columns_json: str, strict: bool) -> type[Form]:
    columns = json.loads(columns_json)
    attributes = {column["key"]: make_field(column, strict) for column in columns}
    return type("RowForm", (_SubForm,), attributes)


_BUILDERS = {
    "text": _text,
    "textarea": lambda spec, strict: _text(spec, strict, area=True),
    "number": _number,
    "date": _date,
    "choice": _choice,
    "cccd": _cccd,
    "phone": _phone,
    "email": _email,
    "address": _address,
    "table": _table,
}
