"""Mermaid state diagrams drawn from the machines themselves, so the docs never drift from the code."""

from __future__ import annotations

from statemachine import StateMachine

from workflows.states import EVENT_LABELS

PAYMENT_EVENT_LABELS = {
    "start": "Chuyển sang cổng thanh toán",
    "succeed": "Thành công",
    "fail": "Thất bại",
    "cancel": "Người nộp hủy",
    "expire": "Hết hạn",
    "succeed_late": "Cổng xác nhận thành công sau khi đã hết hạn",
    "submit": "Gửi yêu cầu hoàn tiền",
}


def mermaid(machine: type[StateMachine], labels: dict[str, str] = EVENT_LABELS) -> str:
    lines = ["stateDiagram-v2"]
    for state in machine.states:
        lines.append(f'    state "{state.name}" as {state.id}')
    for state in machine.states:
        if state.initial:
            lines.append(f"    [*] --> {state.id}")
        for transition in state.transitions:
            guards = [
                str(c) for c in transition.cond.list if not str(c).startswith(("before_", "on_", "after_"))
            ]
            label = labels.get(transition.event, transition.event)
            detail = f" [{', '.join(guards)}]" if guards else ""
            lines.append(f"    {state.id} --> {transition.target.id}: {transition.event} – {label}{detail}")
        if state.final:
            lines.append(f"    {state.id} --> [*]")
    return "\n".join(lines) + "\n"
