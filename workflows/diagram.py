"""Mermaid state diagrams drawn from the machines themselves, so the docs never drift from the code."""

from __future__ import annotations

from statemachine import StateMachine

from workflows.states import EVENT_LABELS


def mermaid(machine: type[StateMachine]) -> str:
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
            label = EVENT_LABELS.get(transition.event, transition.event)
            detail = f" [{', '.join(guards)}]" if guards else ""
            lines.append(f"    {state.id} --> {transition.target.id}: {transition.event} – {label}{detail}")
        if state.final:
            lines.append(f"    {state.id} --> [*]")
    return "\n".join(lines) + "\n"
