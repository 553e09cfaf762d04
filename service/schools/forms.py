"""School forms: classes, student imports, terms, fee items and schedules, exemptions, invoices."""

from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional, Regexp, ValidationError

from forms.base import BaseForm, WholeNumberField, options
from forms.validators import max_length, plausible_date, required, strip
from service.payments.receipt_rules import SERIES_ALPHABET
from service.schools import exemption_rules
from service.schools.models import FEE_KINDS, LEVELS, SCHOOL_KINDS, SCOPES, TUITION_DOCUMENTS

CODE_RULE = Regexp(r"^[A-Za-z0-9_.-]+$", message="Chỉ dùng chữ không dấu, số, dấu chấm, gạch.")
MAX_VND = 10_000_000_000


def upper(value):
    return value.upper() if isinstance(value, str) else value


class ClassForm(BaseForm):
    code = StringField("Mã lớp", filters=[strip, upper], validators=[required(), max_length(30), CODE_RULE])
    name = StringField("Tên lớp", filters=[strip], validators=[required(), max_length(200)])
    programme = StringField("Ngành, nghề đào tạo", filters=[strip], validators=[required(), max_length(200)])
    level = SelectField("Trình độ", choices=options(LEVELS.items()), validators=[required()])


class ImportForm(BaseForm):
    file = FileField("Tệp danh sách (Excel .xlsx hoặc CSV UTF-8)")


class TermForm(BaseForm):
    code = StringField(
        "Mã học kỳ",
        filters=[strip, upper],
        validators=[required(), max_length(30), CODE_RULE],
        description="Ví dụ: 2026-2027-HK1",
    )
    name = StringField("Tên học kỳ", filters=[strip], validators=[required(), max_length(120)])
    starts_on = DateField("Ngày bắt đầu", validators=[required("Vui lòng chọn ngày."), plausible_date])
    ends_on = DateField("Ngày kết thúc", validators=[required("Vui lòng chọn ngày."), plausible_date])

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data <= self.starts_on.data:
            raise ValidationError("Ngày kết thúc phải sau ngày bắt đầu.")


class FeeItemForm(BaseForm):
    code = StringField(
        "Mã khoản thu", filters=[strip, upper], validators=[required(), max_length(30), CODE_RULE]
    )
    name = StringField("Tên khoản thu", filters=[strip], validators=[required(), max_length(200)])
    kind = SelectField("Loại", choices=options(FEE_KINDS.items()), validators=[required()])


class ScheduleForm(BaseForm):
    term_id = SelectField("Học kỳ", coerce=int, validate_choice=True)
    fee_item_id = SelectField("Khoản thu", coerce=int, validate_choice=True)
    scope = SelectField("Áp dụng cho", choices=options(SCOPES.items()), validators=[required()])
    scope_value = StringField(
        "Ngành, trình độ hoặc mã lớp",
        filters=[strip],
        validators=[max_length(200)],
        description="Bỏ trống khi áp dụng toàn trường; trình độ: Cao đẳng, Trung cấp, Sơ cấp.",
    )
    unit_amount = WholeNumberField(
        "Mức thu (đồng; theo tín chỉ: đồng một tín chỉ)",
        validators=[required("Vui lòng nhập mức thu."), NumberRange(min=1, max=MAX_VND)],
    )
    credits = WholeNumberField(
        "Số tín chỉ (học phí theo tín chỉ)", validators=[Optional(), NumberRange(min=1, max=200)]
    )
    due_on = DateField("Hạn nộp", validators=[required("Vui lòng chọn hạn nộp."), plausible_date])

    def validate_scope_value(self, field):
        if self.scope.data != "school" and not field.data:
            raise ValidationError("Vui lòng ghi ngành, trình độ hoặc mã lớp được áp dụng.")


RATE_GROUPS = {100: "Miễn học phí (100%)", 70: "Giảm 70% học phí", 50: "Giảm 50% học phí"}


def exemption_choices(rules: exemption_rules.RuleSet) -> list[SelectChoice]:
    """The rule set's categories grouped by rate, each with its article; "khác" last. Each option carries
    the evidence the school keeps for it (shown under the list as the choice changes)."""
    categories = sorted(rules.categories.values(), key=lambda c: -c.rate)
    return [
        SelectChoice(
            c.code,
            f"{c.short} ({c.article})" if c.article else c.short,
            {"data-evidence": c.evidence},
            RATE_GROUPS.get(c.rate, "Khác"),
        )
        for c in [*categories, exemption_rules.OTHER]
    ]


class ExemptionForm(BaseForm):
    """Offers the categories of the rule set `rules` (the one in force today, by default)."""

    category = SelectField("Đối tượng miễn, giảm", validators=[required()])
    percent = WholeNumberField(
        "Tỷ lệ miễn, giảm học phí (%)",
        description="Theo quy định của đối tượng đã chọn; chỉ nhập với “Chính sách khác”.",
        validators=[Optional(), NumberRange(min=1, max=100, message="Tỷ lệ từ 1%% đến 100%%.")],
    )
    basis = StringField(
        "Căn cứ (số quyết định, văn bản)",
        filters=[strip],
        validators=[required("Vui lòng ghi căn cứ."), max_length(255)],
    )
    evidence = FileField("Minh chứng (PDF, JPEG, PNG)")
    valid_from = DateField("Áp dụng từ ngày", validators=[required("Vui lòng chọn ngày."), plausible_date])
    valid_to = DateField("Đến ngày", validators=[required("Vui lòng chọn ngày."), plausible_date])

    def __init__(self, *args, rules: exemption_rules.RuleSet, **kwargs):
        super().__init__(*args, **kwargs)
        self.rules = rules
        self.category.choices = exemption_choices(rules)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        category = self.rules.category(self.category.data or "")
        if category is None or self.percent.errors:
            return valid
        if category.rate is None and self.percent.data is None:
            self.percent.errors.append("Vui lòng nhập tỷ lệ của chính sách khác (từ 1% đến 100%).")
        elif category.rate is not None and self.percent.data not in (None, category.rate):
            self.percent.errors.append(f"Đối tượng này được miễn, giảm {category.rate}% theo quy định.")
        return valid and not self.percent.errors

    def validate_valid_to(self, field):
        if self.valid_from.data and field.data and field.data < self.valid_from.data:
            raise ValidationError("Ngày kết thúc phải từ ngày bắt đầu trở đi.")


class InvoiceRunForm(BaseForm):
    term_id = SelectField("Học kỳ", coerce=int, validate_choice=True)


class ReasonForm(BaseForm):
    reason = StringField(
        "Lý do", filters=[strip], validators=[required("Vui lòng ghi lý do."), max_length(1000)]
    )


class ManualPaymentForm(BaseForm):
    amount = WholeNumberField(
        "Số tiền (đồng)", validators=[required("Vui lòng nhập số tiền."), NumberRange(min=1, max=MAX_VND)]
    )
    reference = StringField(
        "Số chứng từ (phiếu thu)",
        filters=[strip],
        validators=[required("Vui lòng ghi số chứng từ."), max_length(64)],
    )
    reason = StringField(
        "Lý do thu trực tiếp", filters=[strip], validators=[required("Vui lòng ghi lý do."), max_length(1000)]
    )


class SchoolSettingsForm(BaseForm):
    allow_partial_payment = BooleanField("Cho phép nộp từng phần")


class SchoolForm(BaseForm):
    code = StringField("Mã cơ sở", filters=[strip, upper], validators=[required(), max_length(20), CODE_RULE])
    name = StringField("Tên cơ sở", filters=[strip], validators=[required(), max_length(255)])
    kind = SelectField("Loại hình", choices=options(SCHOOL_KINDS.items()), validators=[required()])
    tax_code = StringField(
        "Mã số thuế",
        filters=[strip],
        validators=[
            Optional(),
            Regexp(r"^\d{10}(-\d{3})?$", message="Mã số thuế gồm 10 chữ số (hoặc 10-3)."),
        ],
    )
    bank_bin = StringField(
        "Mã BIN ngân hàng (NAPAS, 6 số)",
        filters=[strip],
        validators=[Optional(), Regexp(r"^\d{6}$", message="BIN gồm 6 chữ số.")],
    )
    bank_account_no = StringField(
        "Số tài khoản nhận học phí",
        filters=[strip],
        validators=[Optional(), Regexp(r"^[0-9A-Za-z]{4,19}$", message="Số tài khoản không hợp lệ.")],
    )
    bank_account_name = StringField(
        "Tên chủ tài khoản", filters=[strip], validators=[Optional(), max_length(100)]
    )
    bank_name = StringField("Ngân hàng, chi nhánh", filters=[strip], validators=[Optional(), max_length(100)])
    allow_partial_payment = BooleanField("Cho phép nộp học phí từng phần")
    tuition_document = SelectField(
        "Chứng từ thu học phí",
        choices=options(TUITION_DOCUMENTS.items()),
        default="receipt",
        validators=[required()],
    )
    receipt_form_symbol = StringField(
        "Ký hiệu mẫu số biên lai",
        default="EBL01",
        filters=[strip, upper],
        validators=[
            Optional(),
            Regexp(r"^EBL\d{2}$", message="Ký hiệu mẫu số gồm EBL và hai chữ số, ví dụ EBL01."),
        ],
    )
    receipt_series_letters = StringField(
        "Hai chữ cái của ký hiệu biên lai (26T + hai chữ cái, ví dụ AA)",
        filters=[strip, upper],
        validators=[
            Optional(),
            Regexp(
                rf"^[{SERIES_ALPHABET}]{{2}}$",
                message=f"Chọn hai chữ cái trong {' '.join(SERIES_ALPHABET)}.",
            ),
        ],
    )

    def validate_tuition_document(self, field):  # (always filled: the two settings it needs are checked here)
        if field.data == "receipt" and not (self.receipt_series_letters.data and self.tax_code.data):
            raise ValidationError(
                "Nhà trường lập biên lai học phí thì phải có mã số thuế và ký hiệu biên lai của trường."
            )

    def validate_bank_bin(self, field):  # (a validator runs only when its own field is filled)
        if field.data and not self.bank_account_no.data:
            raise ValidationError("Ghi cả BIN ngân hàng và số tài khoản, hoặc bỏ trống cả hai.")

    def validate_bank_account_no(self, field):
        if field.data and not self.bank_bin.data:
            raise ValidationError("Ghi cả BIN ngân hàng và số tài khoản, hoặc bỏ trống cả hai.")
