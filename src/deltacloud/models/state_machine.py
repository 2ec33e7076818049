from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Transition:
    """A move between states: on an action, or automatically (action None)."""

    source: str
    to: str
    action: str | None = None

    @property
    def automatic(self) -> bool:
        return self.action is None


@dataclass(frozen=True)
class StateMachine:
    """A driver's instance life cycle, as data: GET /api/instance_states shows it."""

    transitions: tuple[Transition, ...]

    @property
    def states(self) -> list[str]:
        seen: dict[str, None] = {}
        for t in self.transitions:
            seen.setdefault(t.source)
            seen.setdefault(t.to)
        return list(seen)

    def transitions_from(self, state: str) -> list[Transition]:
        return [t for t in self.transitions if t.source == state]

    def actions_for(self, state: str) -> list[str]:
        """The actions an instance in `state` (any case) allows, in declared order."""
        state = state.lower()
        return [
            t.action
            for t in self.transitions
            if t.source == state and t.action is not None and t.action != "create"
        ]


def machine(*rows: tuple[str, str, str | None]) -> StateMachine:
    """Build a machine from (from, to, action) rows; action None means automatic."""
    return StateMachine(tuple(Transition(*row) for row in rows))
