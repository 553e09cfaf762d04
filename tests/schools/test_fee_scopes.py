"""Which classes a fee schedule covers (the whole school, a level, a programme, one class) and the refusal,
naming the classes, of a second schedule of the same fee over any of them in the same term."""

from __future__ import annotations

import pytest

from service.schools import fees
from tests.factories import create_class, create_fee_item, create_schedule, create_school, create_term


@pytest.fixture
def school():
    school = create_school()
    create_class(school, "CD-CNTT-K26", "Công nghệ thông tin", "cao_dang")
    create_class(school, "CD-DCN-K26", "Điện công nghiệp", "cao_dang")
    create_class(school, "TC-CNTT-K26", "Công nghệ thông tin", "trung_cap")
    return school


def codes(school, scope: str, value: str) -> list[str]:
    from service.extensions import db
    from service.schools.models import SchoolClass

    ids = fees.classes_in_scope(school.id, scope, value)
    return sorted(db.session.scalars(db.select(SchoolClass.code).where(SchoolClass.id.in_(ids))))


def test_each_scope_covers_exactly_its_classes(school):
    assert codes(school, "school", "") == ["CD-CNTT-K26", "CD-DCN-K26", "TC-CNTT-K26"]
    assert codes(school, "level", "Cao đẳng") == ["CD-CNTT-K26", "CD-DCN-K26"]
    assert codes(school, "level", "trung_cap") == ["TC-CNTT-K26"]
    assert codes(school, "programme", "cong nghe thong tin") == ["CD-CNTT-K26", "TC-CNTT-K26"]
    assert codes(school, "class", "cd-dcn-k26") == ["CD-DCN-K26"]
    assert codes(school, "class", "KHONG-CO") == []
    with pytest.raises(fees.FeeError, match="Trình độ là Cao đẳng, Trung cấp, Sơ cấp hoặc Đào tạo khác."):
        fees.classes_in_scope(school.id, "level", "Tiến sĩ")


def test_a_schedule_over_no_class_is_refused(school):
    term, item = create_term(school), create_fee_item(school)
    with pytest.raises(fees.FeeError, match="Không có lớp nào thuộc phạm vi áp dụng này."):
        create_schedule(school, term, item, 1_000_000, scope="class", scope_value="KHONG-CO")


def test_a_second_schedule_over_the_same_classes_is_refused_naming_them(school):
    term, item = create_term(school), create_fee_item(school)
    first = create_schedule(school, term, item, 4_000_000, scope="level", scope_value="Cao đẳng")
    assert (first.scope, first.scope_value, first.unit_amount, first.credits) == (
        "level",
        "Cao đẳng",
        4_000_000,
        None,
    )
    with pytest.raises(fees.FeeError) as refused:
        create_schedule(school, term, item, 3_000_000, scope="programme", scope_value="Công nghệ thông tin")
    assert str(refused.value) == (
        "Trùng với mức thu đã có của khoản này trong học kỳ (Cao đẳng) ở các lớp: CD-CNTT-K26."
    )
    spring = create_term(school, "2027-HK2")
    whole = create_schedule(school, spring, item, 1_000, scope="school", scope_value="x")
    assert whole.scope_value == ""  # the whole school has no scope value
    with pytest.raises(fees.FeeError) as again:
        create_schedule(school, spring, item, 2_000, scope="level", scope_value="Cao đẳng")
    assert str(again.value) == (
        "Trùng với mức thu đã có của khoản này trong học kỳ (toàn trường) ở các lớp: CD-CNTT-K26, CD-DCN-K26."
    )
    other = create_schedule(school, term, item, 2_500_000, scope="level", scope_value="Trung cấp")
    assert other.id != first.id  # no overlap: kept
