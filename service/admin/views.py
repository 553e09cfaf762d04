"""Administration: officials' accounts, the development outbox, catalogue versions."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from forms.admin import CalendarDayForm, DepartmentForm, ProcedureSettingForm, RenameDepartmentForm
from forms.base import options
from service.access import allow
from service.accounts import operations, sessions, twofactor
from service.accounts.forms import OfficialForm, OfficialRoleForm, ResetSecondFactorForm
from service.accounts.models import Department, User
from service.accounts.roles import ROLE_LABELS, Role
from service.admin import departments as department_operations
from service.admin import operations as admin_operations
from service.admin import queries as admin_queries
from service.agencies import queries as agency_queries
from service.backoffice.queries import held_by, held_counts, specialists, successors
from service.deadlines.calendar import CalendarError, declare_day, history_for, overrides_for, remove_day
from service.extensions import db
from service.procedures.models import ProcedureSetting
from service.procedures.operations import save_procedure_setting
from service.procedures.queries import all_with_versions, get_published
from service.requests import database_int
from service.schools.queries import all_schools
from service.timeutil import local_today
from service.workdays import WorkCalendar, holidays_for

bp = Blueprint("admin", __name__, url_prefix="/admin")


def department_choices() -> list[tuple[int, str]]:
    return [(d.id, d.name) for d in db.session.scalars(db.select(Department).order_by(Department.name))]


OFFICIAL_CHOICES = [(r.value, ROLE_LABELS[r]) for r in Role if r not in (Role.CITIZEN, Role.ORGANISATION)]


def school_choices() -> list[tuple[int, str]]:
    from service.schools.models import School

    return [
        (s.id, f"{s.code} – {s.name}") for s in db.session.scalars(db.select(School).order_by(School.name))
    ]


@bp.route("/schools", methods=["GET", "POST"])
@allow(Role.ADMIN)
def schools():
    """The vocational institutions (tenants): their account for transfers and whether they take part payments."""
    from service.schools.forms import SchoolForm

    form = SchoolForm()
    if form.validate_on_submit():
        try:
            admin_operations.register_school(
                form.code.data,
                form.name.data,
                form.kind.data,
                tax_code=form.tax_code.data or None,
                bank_bin=form.bank_bin.data or None,
                bank_account_no=form.bank_account_no.data or None,
                bank_account_name=form.bank_account_name.data or None,
                bank_name=form.bank_name.data or None,
                allow_partial_payment=form.allow_partial_payment.data,
                tuition_document=form.tuition_document.data,
                receipt_form_symbol=form.receipt_form_symbol.data or "EBL01",
                receipt_series_letters=form.receipt_series_letters.data or None,
            )
        except admin_operations.AdminError as error:
            form.code.errors.append(error.message)
        else:
            flash(
                f"Đã thêm cơ sở {form.code.data}; tạo tài khoản kế toán, quản trị nhà trường ở trang Tài khoản.",
                "success",
            )
            return redirect(url_for("admin.schools"))
    return render_template("admin/schools.html", form=form, schools=all_schools()), (
        400 if form.errors else 200
    )


@bp.route("/users")
@allow(Role.ADMIN)
def users():
    return render_template(
        "admin/users.html",
        users=admin_queries.accounts(),
        enrolled=twofactor.enrolled_user_ids(),
        held=held_counts(),
    )


@bp.route("/users/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
def new_official():
    form = OfficialForm()
    form.role.choices = options(OFFICIAL_CHOICES)
    form.department_id.choices = options([(0, "— Không thuộc phòng nào —"), *department_choices()])
    form.school_id.choices = options([(0, "— Không thuộc cơ sở nào (cán bộ của Sở) —"), *school_choices()])
    form.agency.choices = options(agency_queries.agency_choices())
    if form.validate_on_submit():
        try:
            user = operations.invite_official(
                form.email.data,
                form.role.data,
                form.full_name.data,
                position=form.position.data,
                department_id=form.department_id.data or None,
                phone=form.phone.data,
                school_id=form.school_id.data or None,
                agency=form.agency.data or "",
            )
        except operations.AccountError as error:
            getattr(form, error.field).errors.append(error.message)
        else:
            flash(f"Đã tạo tài khoản {user.email}; thư đặt mật khẩu đã được gửi.", "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/new_official.html", form=form), (400 if form.errors else 200)


@bp.route("/users/<int:user_id>/active/<int:active>", methods=["POST"])
@allow(Role.ADMIN)
def set_active(user_id: int, active: int):
    if user_id == current_user.id:
        flash("Không thể tự khóa tài khoản của chính mình.", "error")
        return redirect(url_for("admin.users"))
    if active:
        done = operations.set_active(user_id, True)
    else:
        successor_id = request.form.get("successor_id", type=database_int)
        try:
            done = admin_operations.deactivate_official(
                user_id, successor_id, current_user._get_current_object()
            )
        except admin_operations.HandOverNeeded as error:
            return _deactivate_page(_user(user_id), error.message), 400
    if done is None:
        abort(404)
    flash("Đã mở khóa tài khoản." if active else "Đã khóa tài khoản.", "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/deactivate")
@allow(Role.ADMIN)
def deactivate(user_id: int):
    """Locking an official who still holds dossiers: how many, and who takes them over."""
    return _deactivate_page(_user(user_id))


def _user(user_id: int) -> User:
    return db.session.get(User, user_id) or abort(404)


def _deactivate_page(user: User, error: str | None = None) -> str:
    return render_template(
        "admin/deactivate.html",
        user=user,
        held=held_by(user.id),
        successors=successors(user),
        error=error,
        chosen=request.form.get("successor_id", ""),
    )


@bp.route("/outbox")
@allow(Role.ADMIN)
def outbox():
    return render_template(
        "admin/outbox.html",
        messages=admin_queries.recent_emails(),
        smtp=bool(current_app.config["MAIL_SERVER"]),
    )


@bp.route("/outbox/<int:message_id>")
@allow(Role.ADMIN)
def outbox_message(message_id: int):
    message = admin_queries.email(message_id) or abort(404)
    return render_template("admin/outbox_message.html", message=message)


@bp.route("/catalogue")
@allow(Role.ADMIN)
def catalogue():
    return render_template("admin/catalogue.html", procedures=all_with_versions())


@bp.route("/departments", methods=["GET", "POST"])
@allow(Role.ADMIN)
def departments():
    form = DepartmentForm()
    if form.validate_on_submit():
        try:
            operations.create_department(form.code.data, form.name.data)
        except operations.AccountError as error:
            getattr(form, error.field).errors.append(error.message)
        else:
            flash("Đã thêm phòng, đơn vị.", "success")
            return redirect(url_for("admin.departments"))
    return _departments_page(form)


def _departments_page(
    form, status: int = 200, errors: dict[int, str] | None = None, typed: dict[int, str] | None = None
):
    """`errors` and `typed`: a rename or removal refused, by department, with the new name as typed."""
    listing = db.session.scalars(db.select(Department).order_by(Department.name)).all()
    return render_template(
        "admin/departments.html",
        form=form,
        departments=listing,
        rename_form=RenameDepartmentForm(),
        errors=errors or {},
        typed=typed or {},
    ), (400 if form.errors or errors else status)


@bp.route("/departments/<int:department_id>/rename", methods=["POST"])
@allow(Role.ADMIN)
def rename_department(department_id: int):
    form = RenameDepartmentForm()
    typed = {department_id: request.form.get("name", "")}
    if not form.validate_on_submit():
        message = "; ".join(e for errors in form.errors.values() for e in errors) or "Vui lòng nhập tên mới."
        return _departments_page(DepartmentForm(formdata=None), errors={department_id: message}, typed=typed)
    try:
        operations.rename_department(department_id, form.name.data)
    except operations.AccountError as error:
        return _departments_page(
            DepartmentForm(formdata=None), errors={department_id: error.message}, typed=typed
        )
    flash("Đã đổi tên phòng, đơn vị.", "success")
    return redirect(url_for("admin.departments"))


@bp.route("/departments/<int:department_id>/retire", methods=["POST"])
@allow(Role.ADMIN)
def retire_department(department_id: int):
    try:
        department_operations.retire_department(department_id)
    except operations.AccountError as error:
        return _departments_page(DepartmentForm(formdata=None), errors={department_id: error.message})
    flash("Đã xóa phòng, đơn vị.", "success")
    return redirect(url_for("admin.departments"))


@bp.route("/calendar", methods=["GET", "POST"])
@allow(Role.ADMIN)
def calendar():
    form = CalendarDayForm()
    year = request.args.get("year", local_today().year, type=int)
    year = min(max(year, 2000), 2100)
    if form.validate_on_submit():
        try:
            declare_day(
                form.day.data, form.kind.data == "working", form.note.data, current_user.id, form.replace.data
            )
        except CalendarError as error:
            getattr(form, error.field).errors.append(error.message)
        else:
            flash(f"Đã khai báo ngày {form.day.data:%d/%m/%Y}.", "success")
            return redirect(url_for("admin.calendar", year=form.day.data.year))
    national = WorkCalendar()
    holidays_of_year = sorted(
        (day, name) for day, name in holidays_for(year).items() if not national.is_working_day(day)
    )
    return render_template(
        "admin/calendar.html",
        form=form,
        year=year,
        overrides=overrides_for(year),
        holidays=holidays_of_year,
        history=history_for(year),
    ), (400 if form.errors else 200)


@bp.route("/calendar/<day>/delete", methods=["POST"])
@allow(Role.ADMIN)
def delete_calendar_day(day: str):
    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        abort(404)
    if not remove_day(parsed):
        abort(404)
    flash(f"Đã xóa khai báo ngày {parsed:%d/%m/%Y}.", "success")
    return redirect(url_for("admin.calendar", year=parsed.year))


@bp.route("/procedures/<code>/settings", methods=["GET", "POST"])
@allow(Role.ADMIN)
def procedure_settings(code: str):
    procedure = get_published(code)
    setting = db.session.get(ProcedureSetting, procedure.id)
    form = ProcedureSettingForm(obj=setting)
    form.department_id.choices = options([(0, "— Chưa chọn —"), *department_choices()])
    form.default_specialist_id.choices = options(
        [(0, "— Chưa chọn —"), *[(u.id, u.full_name) for u in specialists()]]
    )
    if form.validate_on_submit():
        save_procedure_setting(
            procedure.id, form.department_id.data or None, form.default_specialist_id.data or None
        )
        flash("Đã lưu thiết lập của thủ tục.", "success")
        return redirect(url_for("admin.catalogue"))
    return render_template("admin/procedure_settings.html", form=form, procedure=procedure)


def _official(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.is_applicant:
        abort(404)
    return user


def _role_form(user: User, posted: bool = True) -> OfficialRoleForm:
    form = OfficialRoleForm(obj=user) if posted else OfficialRoleForm(formdata=None, obj=user)
    form.role.choices = options(OFFICIAL_CHOICES)
    form.department_id.choices = options([(0, "— Không thuộc phòng nào —"), *department_choices()])
    form.school_id.choices = options([(0, "— Không thuộc cơ sở nào (cán bộ của Sở) —"), *school_choices()])
    form.agency.choices = options(agency_queries.agency_choices())
    if request.method == "GET" or not posted:
        form.school_id.data = user.school_id or 0
        form.agency.data = agency_queries.choice_of(user.agency)
    return form


def _edit_page(user: User, form: OfficialRoleForm, reset_form: ResetSecondFactorForm | None = None):
    return render_template(
        "admin/edit_official.html",
        form=form,
        user=user,
        second_factor=twofactor.status(user.id),
        reset_form=reset_form or ResetSecondFactorForm(formdata=None),
    )


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@allow(Role.ADMIN)
def edit_official(user_id: int):
    user = _official(user_id)
    form = _role_form(user)
    if form.validate_on_submit():
        try:
            operations.update_official(
                user.id,
                form.role.data,
                form.department_id.data or None,
                form.position.data,
                form.school_id.data or None,
                form.agency.data or "",
            )
        except operations.AccountError as error:
            getattr(form, error.field, form.role).errors.append(error.message)
        else:
            flash(f"Đã cập nhật vai trò, phòng của {user.email}.", "success")
            return redirect(url_for("admin.users"))
    return _edit_page(user, form), (400 if form.errors else 200)


@bp.route("/users/<int:user_id>/second-factor/reset", methods=["POST"])
@allow(Role.ADMIN)
def reset_second_factor(user_id: int):
    """A lost phone: the official enrols again at the next login; his sessions end now."""
    user = _official(user_id)
    form = ResetSecondFactorForm()
    if form.validate_on_submit():
        try:
            twofactor.reset(user.id, current_user._get_current_object(), form.code.data)
        except twofactor.TwoFactorError as error:
            form.code.errors.append(error.message)
            return _edit_page(user, _role_form(user, posted=False), form), error.status
        if user.id == current_user.id:
            sessions.end()
            flash(
                "Đã đặt lại xác thực hai bước của bạn. Vui lòng đăng nhập lại và đăng ký trên ứng dụng.",
                "info",
            )
            return redirect(url_for("accounts.login"))
        flash(
            f"Đã đặt lại xác thực hai bước của {user.email}: cán bộ sẽ đăng ký lại ở lần đăng nhập sau.",
            "success",
        )
        return redirect(url_for("admin.edit_official", user_id=user.id))
    return _edit_page(user, _role_form(user, posted=False), form), 400
