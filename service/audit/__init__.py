"""The audit log (nhật ký kiểm toán): `audit.record(...)` inside a step's write transaction.

Steps import the package and call `audit.record("event.code", obj, details={...})`; see operations.py.
"""

from service.audit.operations import record, record_login, record_view

__all__ = ["record", "record_login", "record_view"]
