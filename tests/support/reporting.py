"""Shared test helpers: reporting."""

from __future__ import annotations

import re

from service.reporting import operations


def open_round(code="TSTN", period="2026-H1"):
    return operations.open_round(code, period, None)


def fill(client, report_round, action="draft", **fields):
    data = {
        "action": action,
        "field-enrolment_target": "300",
        "field-reporter": "Lê Văn Báo",
        "row_count": "2",
        "row-0-occupation": "Công nghệ thông tin",
        "row-0-level": "Cao đẳng",
        "row-0-enrolled": "120",
        "row-0-graduated": "80",
        "row-1-occupation": "Điện công nghiệp",
        "row-1-level": "Trung cấp",
        "row-1-enrolled": "60",
        "row-1-graduated": "45",
    }
    page = client.get(f"/school/reports/{report_round.id}").get_data(as_text=True)
    data["version"] = re.search(r'name="version" value="(\d+)"', page).group(1)  # as the page was opened
    data.update(fields)
    return client.submit(f"/school/reports/{report_round.id}", data)
