"""Administrators' pages for the receiving agencies: the list (provincial centre first, then the
communes' centres) and the correction of one agency's details."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for

from service.access import allow
from service.accounts.roles import Role
from service.agencies import operations, queries
from service.agencies.forms import AgencyForm

bp = Blueprint("agencies", __name__, url_prefix="/admin/agencies")


@bp.route("")
@allow(Role.ADMIN)
def index():
    return render_template(
        "agencies/index.html", agencies=queries.all_agencies(), communes=queries.commune_count()
    )


@bp.route("/seed", methods=["POST"])
@allow(Role.ADMIN)
def seed():
    created = operations.seed()
    flash(f"Đã tạo {created} cơ quan tiếp nhận." if created else "Đã có đủ các cơ quan tiếp nhận.", "success")
    return redirect(url_for("agencies.index"))


@bp.route("/<int:agency_id>", methods=["GET", "POST"])
@allow(Role.ADMIN)
def edit(agency_id: int):
    agency = queries.get(agency_id) or abort(404)
    form = AgencyForm(obj=agency)
    if form.validate_on_submit():
        try:
            operations.update(agency.id, {key: getattr(form, key).data for key in operations.EDITABLE})
        except operations.AgencyError as error:
            form.code.errors.append(error.message)
        else:
            flash(f"Đã cập nhật {form.name.data}.", "success")
            return redirect(url_for("agencies.index"))
    return render_template("agencies/edit.html", form=form, agency=agency), (400 if form.errors else 200)
