"""The slope histogram's state and numbers, with no Qt: copy this file to start a view's model.

A view's state is declared ONCE, here, as fields (``declare``). actviz builds
everything else from that one declaration: the control panel, the ``--set
KEY=VALUE`` keys of ``actviz export --view example_slopes`` (and their
``--help`` listing), saved scenes, and undo/redo. The widget in ``view.py``
only reads the model and draws.

Keys of this view:

* ``activation`` — which activation f is shown. A ``FunctionChoice``: its
  options are every activation in the registry, and ``browse=True`` lets the
  main window's function list set it while this tab is shown.
* ``activation.NAME`` — the chosen activation's own parameters (e.g.
  ``activation.b`` for squareplus). actviz adds and removes these keys when
  the choice changes, and remembers each function's values.
* ``sigma`` — the standard deviation of the inputs z ~ N(0, σ²).
* ``bins`` — the number of histogram bins.

Nothing here imports Qt, so this module can be tested (and used by
``actviz export``) without a display.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from actviz import Activation
from actviz.evaluation import EvaluationError, slope
from actviz.models import ViewModel
from actviz.specs import FunctionChoice, Param

SAMPLES = 20_000  # enough for a smooth histogram, quick to evaluate (~1 ms for most activations)
SEED = 0  # a fixed seed: the same σ always draws the same picture
SATURATED = 0.01  # |f′| below this counts as "saturated" in the summary


class SlopeModel(ViewModel):
    """Which activation, its parameters, σ and the number of bins."""

    def declare(self, registry: Any):
        # The order here is the order of the control panel.
        return (
            FunctionChoice("activation", "activation", default=("logistic",), label="activation",
                           help="the activation f whose slope is shown", browse=True),
            Param("sigma", 2.0, 0.05, 20.0, step=0.05, label="σ of z",
                  help="standard deviation of the inputs z ~ N(0, σ²)"),
            Param("bins", 40, 5, 200, step=1, label="bins", help="number of histogram bins"),
        )

    # -- what the widget reads -----------------------------------------------------------------
    @property
    def spec(self) -> Activation | None:
        """The chosen activation (None only when no activation is installed at all)."""
        return self.function("activation")

    @property
    def params(self) -> dict[str, float]:
        """The chosen activation's parameter values, by the names its functions take."""
        return self.function_params("activation")


@dataclass
class Histogram:
    """What the view draws: bin edges (one more than the fractions), and words about it."""

    edges: np.ndarray = field(default_factory=lambda: np.zeros(0))
    fractions: np.ndarray = field(default_factory=lambda: np.zeros(0))
    title: str = ""
    summary: str = ""
    problem: str = ""  # one line for the red warning label; "" when all is well


def slope_histogram(spec: Activation | None, params: dict[str, float], sigma: float, bins: int) -> Histogram:
    """The histogram of f′(z) for z ~ N(0, σ²), as fractions of SAMPLES draws.

    Plugin functions are called through ``actviz.evaluation``: a function that
    raises or returns junk becomes ``problem``, never an exception.
    """
    if spec is None:
        return Histogram(problem="no activation is installed")
    z = sigma * np.random.default_rng(SEED).standard_normal(SAMPLES)
    try:
        slopes = slope(spec, z, params)
    except EvaluationError as exc:
        return Histogram(title=spec.label, problem=f"{spec.label}: {exc}")
    finite = slopes[np.isfinite(slopes)]
    bad = SAMPLES - finite.size
    problem = f"f′ is not finite at {bad} of {SAMPLES} samples (left out)" if bad else ""
    if not finite.size:
        return Histogram(title=spec.label, problem=problem)
    counts, edges = np.histogram(finite, bins=int(bins))
    summary = (f"mean f′ = {finite.mean():.4g}; {np.mean(np.abs(finite) < SATURATED):.1%} of the samples "
               f"have |f′| < {SATURATED:g} (saturated)")
    return Histogram(edges, counts / SAMPLES, f"f′(z) of {spec.label}, z ~ N(0, {sigma:g}²)", summary, problem)
