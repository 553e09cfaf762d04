"""The audit log's search form (GET: the page can be bookmarked and shared between administrators)."""

from __future__ import annotations

from wtforms import DateField, SelectField, StringField
from wtforms.validators import Optional

from forms.base import BaseForm, options
from forms.validators import max_length, plausible_date, strip
from service.audit.events import OBJECT_LABELS, event_choices


class AuditFilterForm(BaseForm):
    class Meta:
        csrf = False

    actor = StringField("Người thực hiện (email)", filters=[strip], validators=[Optional(), max_length(254)])
    event = SelectField(
        "Sự kiện", choices=options([("", "Tất cả"), *event_choices()]), validators=[Optional()]
    )
    object_type = SelectField(
        "Đối tượng", choices=options([("", "Tất cả"), *OBJECT_LABELS.items()]), validators=[Optional()]
    )
    object_id = StringField("Mã số đối tượng", filters=[strip], validators=[Optional(), max_length(64)])
    date_from = DateField("Từ ngày", validators=[Optional(), plausible_date])
    date_to = DateField("Đến ngày", validators=[Optional(), plausible_date])
