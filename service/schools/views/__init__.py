"""A school's own pages (`/school/...`), for its accountants and administrators only, each confined to
the signed-in user's school (`service.schools.access`). One blueprint, its routes by subject: the
school's classes and students, student imports, terms and fees with bulk invoicing, invoices, and
what was collected."""

from service.schools.views import collection, fees, imports, invoices, students  # noqa: F401  (routes)
from service.schools.views.base import bp

__all__ = ["bp"]
