"""How often a frame calls each plugin function: the function view, dragged, with wrapped f and f′.

Counts, not times: the smoke test checks the same numbers. A plugin's f
and f′ are wrapped (the spec's fields replaced by counting callables) and
one frame is drawn per drag step.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .frames import flush

#: functions checked: (name, pins); logistic has a parameter to drag
CHECKED = ("logistic", "tanh", "softplus", "elu")


class Counted:
    """A plugin function that counts its calls (and the points it was asked for)."""

    def __init__(self, fn: Callable) -> None:
        self.fn, self.calls, self.points = fn, 0, 0

    def __call__(self, x: Any, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        self.points += int(getattr(x, "size", 1))
        return self.fn(x, *args, **kwargs)


def wrap(spec: Any) -> tuple[Counted, Counted | None, Callable[[], None]]:
    """Replace ``spec``'s f and f′ by counters; returns them and an undo."""
    f0, d0 = spec.function, spec.derivative
    f = Counted(f0)
    d = Counted(d0) if d0 is not None else None
    object.__setattr__(spec, "function", f)
    if d is not None:
        object.__setattr__(spec, "derivative", d)

    def undo() -> None:
        object.__setattr__(spec, "function", f0)
        object.__setattr__(spec, "derivative", d0)

    return f, d, undo


def function_view_calls(window, app, frames: int = 3) -> dict:
    """Calls of the shown function's f and f′ per frame, and of each pin's, while β is dragged."""
    from .latency import FUNCTION, prepare_function_view

    view, _, perturb = prepare_function_view(window, app, 0)
    for name in CHECKED[1:]:
        view.model.pin(window.registry.get(name), {})
    flush(app, 0.05)
    perturb(0)
    flush(app, 0.05)
    wrapped = {name: wrap(window.registry.get(name)) for name in CHECKED}
    try:
        before = view.redraw_count
        for i in range(1, frames + 1):
            perturb(i)
            flush(app, 0.02)
        drawn = view.redraw_count - before
    finally:
        for _, _, undo in wrapped.values():
            undo()
        view.model.clear_pins()
    out: dict = {"frames": drawn, "shown": FUNCTION, "functions": {}}
    for name, (f, d, _) in wrapped.items():
        out["functions"][name] = {"f": f.calls / max(drawn, 1), "df": (d.calls / max(drawn, 1)) if d else None,
                                  "f_points": f.points / max(drawn, 1)}
    return out
