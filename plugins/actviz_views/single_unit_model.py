"""The update-rules view's state and numbers, with no Qt: four single units trained side by side.

Keys: ``rules`` (which units are shown), ``start``, ``confidence``, ``learning_rate``,
``points``, ``noise``, ``seed``, ``speed`` (steps per second while running) and ``steps``
(train this many steps from the start: for export; not in the panel). :class:`Units` holds the
points and the four :class:`~actviz.maths.learning.SingleUnitTrainer` s built from a model.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from actviz.maths.learning import RULES, Examples, SingleUnitTrainer, make_dataset, weights_against
from actviz.maths.ranges import held_range
from actviz.models import ViewModel
from actviz.specs import Choice, Param
from actviz_views.single_unit_text import SHOW, SHOW_LABELS

#: Run stops here (press Reset to start again): keeps every curve a few thousand points at most
MAX_STEPS = 3000
#: changing only these keys keeps the trained units
KEEP = frozenset({"rules", "speed"})


class SingleUnitModel(ViewModel):
    """Perceptron, delta rule and two logistic units on the same 2-D points."""

    batch_keys = frozenset({"steps"})

    def declare(self, registry: Any):
        return (
            Choice("rules", "all", tuple(SHOW), label="rules shown", labels=tuple(SHOW_LABELS[k] for k in SHOW),
                   help="all four, the logistic pair, or one rule"),
            Choice("start", "confidently_wrong", ("confidently_wrong", "zero"), label="start from",
                   labels=("confidently wrong", "zero weights"),
                   help="the same start for every unit: confidently wrong weights, or zero"),
            Param("confidence", 3.0, 0.5, 10.0, 0.1, label="how wrong |w|",
                  help="size of the confidently wrong start weights"),
            Param("learning_rate", 0.05, 0.001, 1.0, 0.001, label="learning rate ε",
                  help="ε of the delta rule and the logistic units (the perceptron has none)"),
            Param("points", 100, 10, 500, 2, help="number of points (two Gaussians)"),
            Param("noise", 0.0, 0.0, 1.0, 0.01, help="spread of the Gaussians"),
            Param("seed", 0, 0, 1000, 1, help="seed of the points and of the example order"),
            Param("speed", 30, 1, 600, 1, label="steps per second", help="speed while running"),
            Param("steps", 0, 0, MAX_STEPS, 1, help="train this many steps from the start (for export)"),
        )

    @property
    def shown(self) -> tuple[str, ...]:
        return SHOW[str(self["rules"])]


class Units:
    """The points and one trainer per rule, all from the same start weights.

    ``previous`` units drawn from the same points (``points``, ``noise``, ``seed``) lend theirs: the
    same arrays, so a view sees by identity that the points did not move (dragging ``confidence``
    or ``learning_rate`` re-draws the lines, not the 100 points), and the same checked
    :class:`~actviz.maths.learning.Examples` with their class means and first shuffle.
    """

    def __init__(self, model: SingleUnitModel, previous: Units | None = None) -> None:
        v = model.values()
        self.data_key = (int(v["points"]), float(v["noise"]), int(v["seed"]))
        if previous is not None and previous.data_key == self.data_key:
            self.x, self.t, self.bounds, self.examples = previous.x, previous.t, previous.bounds, previous.examples
        else:
            d = make_dataset("two_gaussians", n=self.data_key[0], noise=self.data_key[1], train_ratio=1.0,
                             seed=self.data_key[2])
            self.x, self.t = d.x_train, d.y_train
            self.bounds = d.bounds(0.1)
            self.examples = Examples(self.x, self.t)
        if v["start"] == "confidently_wrong":
            self.w0 = weights_against(*self.examples.means, float(v["confidence"]))
        else:
            self.w0 = np.zeros(3)
        eps, seed = float(v["learning_rate"]), int(v["seed"])
        self.trainers = {rule: SingleUnitTrainer(self.examples, rule=rule, seed=seed, weights=self.w0,
                                                 learning_rate=1.0 if rule == "perceptron" else eps)
                         for rule in RULES}
        self.last_index = -1

    @property
    def step_count(self) -> int:
        return min(t.steps for t in self.trainers.values())

    def step(self, n: int = 1) -> int:
        """``n`` update steps of every unit (each on the same example), at most up to MAX_STEPS; returns how many."""
        n = max(0, min(int(n), MAX_STEPS - self.step_count))
        for trainer in self.trainers.values():
            result = trainer.run(n) if n else None
            if result is not None and result.index >= 0:
                self.last_index = result.index
        return n

    @property
    def done(self) -> bool:
        return self.step_count >= MAX_STEPS

    def status(self, shown: tuple[str, ...], tiny: dict[str, str]) -> str:
        losses = ", ".join(f"{tiny[r]} {self.trainers[r].losses[-1]:.3g}" for r in shown)
        return f"step {self.step_count} · loss: {losses}"


def columns(units: Units, shown: tuple[str, ...], lines: dict[str, tuple[np.ndarray, np.ndarray]]
            ) -> dict[str, np.ndarray]:
    """The CSV export: points, and per shown rule its loss, weight path and drawn decision line."""
    cols: dict[str, np.ndarray] = {"x1": units.x[:, 0], "x2": units.x[:, 1], "t": units.t.astype(float)}
    for rule in shown:
        tr = units.trainers[rule]
        path = np.asarray(tr.path)
        cols[f"{rule} step"] = np.arange(len(tr.losses), dtype=float)
        cols[f"{rule} loss"] = np.asarray(tr.losses, dtype=float)
        cols[f"{rule} w1"], cols[f"{rule} w2"], cols[f"{rule} b"] = path[:, 0], path[:, 1], path[:, 2]
        cols[f"{rule} line x1"], cols[f"{rule} line x2"] = lines.get(rule, (np.zeros(0), np.zeros(0)))
    return cols


def loss_axis_top(current: float | None, high: float) -> float:
    """The top of a loss axis drawn from 0: held while the largest loss stays under it and reaches a third of it.

    A flat loss still looks flat (the axis starts at 0, never magnifies a drift), and dragging a
    control does not re-scale the axis on every frame; when it must move, it goes to a round number.
    """
    high = max(float(high), 1e-6) if math.isfinite(high) else 1.0
    return held_range((0.0, current) if current is not None and current > 0 else None, 0.0, high)[1]


def step_axis_top(last: int, first: float = 50.0) -> float:
    """The step axis grows by doubling: a range that moves every step re-renders the axis every frame."""
    top = first
    while top < last:
        top *= 2.0
    return top
