"""Undo and redo over every model change in every view, with no Qt.

Each step keeps the model's whole state before and after (models are small;
the playground's weights are the largest, a few kB), so undoing a choice that
reset a view brings back exactly what was thrown away. A slider drag is one
step: changes made with ``merge=True`` to the same keys fold into the open
step until :meth:`History.seal` (the binder seals on slider release).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

LIMIT = 200


@dataclass
class Step:
    model: Any
    before: dict[str, Any]
    after: dict[str, Any]
    names: frozenset[str]
    open: bool = False
    label: str = field(default="")


class History:
    """A shared undo stack: ``record`` is called by models, ``undo``/``redo`` by the Edit menu."""

    def __init__(self, limit: int = LIMIT) -> None:
        self.limit = limit
        self.undo_steps: list[Step] = []
        self.redo_steps: list[Step] = []
        self._replaying = False
        self.changed: list[Callable[[], None]] = []  # listeners: the Edit menu's enabled state

    def merges(self, model: Any, names: set[str] | frozenset[str], merge: bool) -> bool:
        """Whether a change of ``names`` now would fold into the open step (so needs no "before" state)."""
        last = self.undo_steps[-1] if self.undo_steps else None
        return (merge and not self._replaying and last is not None and last.open and last.model is model
                and last.names == names)

    def record(self, model: Any, before: dict[str, Any] | None, after: dict[str, Any],
               names: set[str], *, merge: bool = False) -> None:
        """Add a step from ``before`` to ``after``, or fold ``after`` into the open step (``before`` unused)."""
        if self._replaying:
            return
        names = frozenset(names)
        last = self.undo_steps[-1] if self.undo_steps else None
        if self.merges(model, names, merge):
            last.after = after  # type: ignore[union-attr] - merges() found the open step
        elif before is None:
            return
        else:
            if last is not None:
                last.open = False
            self.undo_steps.append(Step(model, before, after, names, open=merge, label=describe(names)))
            del self.undo_steps[:-self.limit]
        self.redo_steps.clear()
        self._notify()

    def seal(self) -> None:
        """End the open step: the next merged change starts a new one."""
        if self.undo_steps:
            self.undo_steps[-1].open = False

    def can_undo(self) -> bool:
        return bool(self.undo_steps)

    def can_redo(self) -> bool:
        return bool(self.redo_steps)

    def undo(self) -> Step | None:
        if not self.undo_steps:
            return None
        step = self.undo_steps.pop()
        step.open = False
        self._replay(step.model, step.before)
        self.redo_steps.append(step)
        self._notify()
        return step

    def redo(self) -> Step | None:
        if not self.redo_steps:
            return None
        step = self.redo_steps.pop()
        self._replay(step.model, step.after)
        self.undo_steps.append(step)
        self._notify()
        return step

    def forget(self, model: Any) -> None:
        """Drop the steps of a model that no longer exists (its view was closed or reloaded)."""
        self.undo_steps = [s for s in self.undo_steps if s.model is not model]
        self.redo_steps = [s for s in self.redo_steps if s.model is not model]
        self._notify()

    def clear(self) -> None:
        self.undo_steps.clear()
        self.redo_steps.clear()
        self._notify()

    def _replay(self, model: Any, state: dict[str, Any]) -> None:
        self._replaying = True
        try:
            model.restore(state)
        finally:
            self._replaying = False

    def _notify(self) -> None:
        for listener in list(self.changed):
            listener()


def describe(names: frozenset[str]) -> str:
    shown = sorted(names)
    return ", ".join(shown[:3]) + (" …" if len(shown) > 3 else "")
