"""The playground's state and numbers, with no Qt: data, architecture, functions, training settings.

Keys: ``dataset`` (or ``csv``, a path), ``points``, ``noise``, ``train_ratio``, ``seed``,
``features`` and ``hidden`` (comma lists), ``activation`` / ``output`` / ``loss`` (functions
from the registry; their parameters are ``activation.NAME``, ``output.NAME``, ``loss.NAME``),
``softmax``, the live training settings (``learning_rate``, ``batch_size``,
``regularization``, ``regularization_rate``), the display toggles (``show_test``, ``discretize``,
``edges``: what the diagram's edges show) and ``epochs`` (train this many epochs from fresh
weights: for export; not in the panel).

The trained network is the extra ``weights`` (None: fresh from the seed), so a scene can
carry a trained network and undoing a change that reset the network brings its weights back.
The view writes it unrecorded whenever training pauses and, through :meth:`PlaygroundModel.flush`,
just before any recorded change, so that the step's "before" holds the weights it throws away.
A weight or bias edited in the diagram is a recorded change of ``weights`` (:func:`edit_weights`),
so Undo takes the edit back.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from actviz.maths.learning import (
    DATASET_LABELS,
    DATASETS,
    FEATURES,
    MAX_HIDDEN_LAYERS,
    MAX_NEURONS,
    Dataset,
    PlaygroundNetwork,
    load_csv,
    make_dataset,
)
from actviz.maths.learning import History as LossHistory
from actviz.models import ViewModel
from actviz.specs import Choice, FunctionChoice, Param

ALL_FEATURES = ",".join(FEATURES)
#: keys whose change rebuilds the data set (and so the network)
DATA_KEYS = frozenset({"dataset", "csv", "points", "noise", "train_ratio", "seed"})
#: keys the running network takes as they are (no reset)
LIVE_KEYS = frozenset({"learning_rate", "batch_size", "regularization", "regularization_rate"})
LIVE_PREFIXES = ("activation.", "loss.")
#: keys that only change the picture
DISPLAY_KEYS = frozenset({"show_test", "discretize", "edges"})
#: the loss curves kept with the weights are thinned to this many epochs
HISTORY_POINTS = 100


def is_live(name: str) -> bool:
    return name in LIVE_KEYS or name.startswith(LIVE_PREFIXES)


def resets(names: frozenset[str] | set[str]) -> bool:
    """Whether changing ``names`` builds a fresh network (everything but live keys and extras)."""
    return any(not is_live(n) and n != "weights" and n not in DISPLAY_KEYS for n in names)


def parse_hidden(text: str) -> str:
    """'8, 8,8' → '8,8,8'; 'none', '0' or '' → 'none'; ValueError names the problem."""
    text = str(text).strip().lower()
    if text in ("", "none", "0", "-"):
        return "none"
    try:
        sizes = tuple(int(part) for part in text.replace(" ", "").split(","))
    except ValueError:
        raise ValueError("give neurons per layer as a comma list, e.g. 8,8,8") from None
    if len(sizes) > MAX_HIDDEN_LAYERS:
        raise ValueError(f"at most {MAX_HIDDEN_LAYERS} hidden layers")
    if any(not 1 <= s <= MAX_NEURONS for s in sizes):
        raise ValueError(f"each layer needs 1 to {MAX_NEURONS} neurons")
    return ",".join(map(str, sizes))


def hidden_sizes(text: str) -> tuple[int, ...]:
    text = parse_hidden(text)
    return () if text == "none" else tuple(int(s) for s in text.split(","))


def parse_features(text: str) -> str:
    names = tuple(part for part in str(text).replace(" ", "").split(",") if part)
    if not names:
        raise ValueError("select at least one input feature")
    for n in names:
        if n not in FEATURES:
            raise ValueError(f"unknown feature {n!r}; choose from {', '.join(FEATURES)}")
    return ",".join(f for f in FEATURES if f in names)  # canonical order


def parse_csv(text: str) -> str:
    """A readable (x1, x2, label) file, as an absolute path; '' for none."""
    text = str(text).strip()
    if not text:
        return ""
    path = Path(text).expanduser()
    try:
        load_csv(path)
    except OSError as exc:
        raise ValueError(f"{path.name}: {exc.strerror or exc}") from None
    return str(path.resolve())


class PlaygroundModel(ViewModel):
    """A small network on 2-D data: every choice here, the trained weights as an extra."""

    batch_keys = frozenset({"epochs"})

    def __init__(self, registry: Any = None, history: Any = None) -> None:
        #: called before every recorded change (the view writes its live weights here)
        self.flushers: list[Callable[[], None]] = []
        super().__init__(registry, history)

    def declare(self, registry: Any):
        return (
            Choice("dataset", "spiral", DATASETS, label="data set", labels=tuple(DATASET_LABELS[d] for d in DATASETS),
                   help="a generated data set (or Load CSV…; --set csv=PATH)"),
            Choice("csv", "", ("", "points.csv"), label="CSV file", parse=parse_csv,
                   help="a file of x1, x2, label rows, used instead of the data set ('' for none)"),
            Param("points", 400, 20, 1000, 10, help="number of points"),
            Param("noise", 0.0, 0.0, 0.5, 0.01, help="label noise / spread (fraction)"),
            Param("train_ratio", 0.5, 0.1, 0.9, 0.05, label="train ratio", help="share of points used to train"),
            Param("seed", 0, 0, 1000, 1, help="seed of the data, the weights and the batch order"),
            Choice("features", ALL_FEATURES, (ALL_FEATURES, "x1,x2", "x1,x2,x1_sq,x2_sq,x1x2", "x1,x2,sin_x1,sin_x2"),
                   parse=parse_features, help="input features, a comma list of " + ", ".join(FEATURES)),
            Choice("hidden", "8,8,8", ("none", "4", "4,2", "8,8", "8,8,8", "8,8,8,8,8,8"), parse=parse_hidden,
                   label="hidden layers",
                   help=f"neurons per hidden layer, a comma list (≤ {MAX_HIDDEN_LAYERS} layers of ≤ {MAX_NEURONS})"),
            FunctionChoice("activation", "activation", ("tanh",), label="hidden activation", browse=True,
                           help="activation of the hidden layers (any plugin's)"),
            FunctionChoice("output", "activation", ("tanh",), label="output activation",
                           help="activation of the output unit (binary and regression)"),
            FunctionChoice("loss", "loss", ("squared_error",), label="loss", target=False,
                           help="loss of the output unit (binary and regression)"),
            Choice("softmax", "auto", ("auto", "on"), label="softmax output",
                   help="auto: softmax + categorical cross-entropy for > 2 classes; on: also for 2"),
            Param("learning_rate", 0.03, 0.0001, 3.0, 0.0001, label="learning rate"),
            Param("batch_size", 10, 1, 100, 1, label="batch size"),
            Choice("regularization", "none", ("none", "l1", "l2")),
            Param("regularization_rate", 0.0, 0.0, 1.0, 0.0001, label="regularisation rate"),
            Choice("show_test", "on", ("on", "off"), label="show test data",
                   help="draw the test points (squares) on the output map"),
            Choice("discretize", "off", ("off", "on"), label="discretize output",
                   help="colour the output map by the decided class (the loss's noise model), not by y"),
            Choice("edges", "weights", ("weights", "gradient"), label="edges show",
                   help="edge colour and width: each weight w, or ∂E/∂w of the last mini-batch"),
            Param("epochs", 0, 0, 5000, 1, help="train this many epochs from fresh weights before drawing (export)"),
        )

    def default_extras(self) -> dict[str, Any]:
        return {"weights": None}

    # -- the weights' "before": flushed ahead of every recorded change ---------------------------
    def flush(self) -> None:
        for flusher in list(self.flushers):
            flusher()

    def update(self, settings: Mapping[str, Any], *, merge: bool = False) -> None:
        self.flush()
        super().update(settings, merge=merge)

    def reset(self, name: str | None = None) -> None:
        self.flush()
        super().reset(name)

    def restore(self, state: Mapping[str, Any], *, record: bool = False) -> list[str]:
        if record:
            self.flush()
        return super().restore(state, record=record)

    def set_extra(self, name: str, value: Any, *, record: bool = True, merge: bool = False) -> None:
        if record:
            self.flush()
        super().set_extra(name, value, record=record, merge=merge)

    def adjust(self, changed: set[str], explicit: set[str]) -> set[str]:
        more: set[str] = set()
        if "dataset" in changed and "csv" not in explicit and self["csv"]:
            self._values["csv"] = ""
            more.add("csv")
        if resets(changed | more) and self.extras.get("weights") is not None:
            self.extras["weights"] = None  # the new state is a fresh network
            more.add("weights")
        return more

    def clean_extra(self, name: str, value: Any) -> tuple[Any, list[str]]:
        if name != "weights" or value is None:
            return value, []
        why = check_weights(value)
        return (value, []) if not why else (None, [f"weights: {why}; the network starts fresh"])

    # -- what the view reads -------------------------------------------------------------------
    @property
    def hidden(self) -> tuple[int, ...]:
        return hidden_sizes(self["hidden"])

    @property
    def features(self) -> tuple[str, ...]:
        return tuple(str(self["features"]).split(","))

    def data_name(self) -> str:
        return Path(self["csv"]).name if self["csv"] else str(self["dataset"])

    def make_dataset(self, use_csv: bool = True) -> Dataset:
        """The points: the CSV file when one is set, else the generated data set. Raises ValueError/OSError."""
        ratio, seed = float(self["train_ratio"]), int(self["seed"])
        if self["csv"] and use_csv:
            return load_csv(self["csv"], train_ratio=ratio, seed=seed)
        return make_dataset(str(self["dataset"]), n=int(self["points"]), noise=float(self["noise"]),
                            train_ratio=ratio, seed=seed)

    def make_network(self, dataset: Dataset) -> TracedNetwork:
        """A fresh network from the model's keys (plugin functions run here: may raise anything)."""
        return TracedNetwork(
            dataset, self.function("activation"), self.function("output"), self.function("loss"),
            hidden=self.hidden, features=self.features, learning_rate=float(self["learning_rate"]),
            batch_size=int(self["batch_size"]), regularization=str(self["regularization"]),
            regularization_rate=float(self["regularization_rate"]),
            activation_params=self.function_params("activation"), output_params=self.function_params("output"),
            loss_params=self.function_params("loss"), softmax=self["softmax"] == "on", seed=int(self["seed"]))

    def apply_live(self, net: PlaygroundNetwork) -> None:
        """The live keys into a running network."""
        net.learning_rate = float(self["learning_rate"])
        net.batch_size = int(self["batch_size"])
        net.regularization = str(self["regularization"])
        net.regularization_rate = float(self["regularization_rate"])
        net.activation_params = {**net.activation.defaults, **self.function_params("activation")}
        if net.loss_spec is not None:
            net.loss_params = {**net.loss_spec.defaults, **self.function_params("loss")}


class TracedNetwork(PlaygroundNetwork):
    """A playground network that keeps ∂E/∂w and ∂E/∂b of its last mini-batch, for the diagram.

    The engine has no public hook for the step's gradient, so this overrides its per-batch backprop
    (``_backprop_batch``) and keeps references to what it returns: no copy, no extra work per step.
    """

    last_grad_w: list[np.ndarray] | None = None
    last_grad_b: list[np.ndarray] | None = None

    def _backprop_batch(self, idx: np.ndarray):
        out = super()._backprop_batch(idx)
        self.last_grad_w, self.last_grad_b = out[1], out[2]
        return out

    def reset(self) -> None:
        self.last_grad_w = self.last_grad_b = None
        super().reset()


# -- weights as JSON-able state --------------------------------------------------------------------
def _floats(values) -> list:
    return [float(v) if math.isfinite(v) else None for v in np.asarray(values, float).ravel()]


def _array(values) -> np.ndarray:
    return np.array([math.nan if v is None else v for v in values], float)


class SavedWeights(dict):
    """A saved network (the ``weights`` extra): a value, never changed in place (:func:`edit_weights` makes a
    new one), so a copy of the model shares it. Every model change copies the extras for undo; deep-copying a
    trained network's thousands of floats cost more than the rest of a learning-rate drag's frame."""

    def __copy__(self) -> SavedWeights:
        return self

    def __deepcopy__(self, memo: dict) -> SavedWeights:
        return self


def weights_state(net: PlaygroundNetwork | None, edited: bool = False) -> dict[str, Any] | None:
    """The trained network as nested lists (None while it is fresh from the seed), with a thinned loss history.

    ``edited``: a weight was set by hand, so even an untrained network is kept (marked ``"edited"``).
    """
    if net is None or (net.steps == 0 and not edited):
        return None
    h = net.history
    n = len(h.epochs)
    keep = np.arange(n) if n <= HISTORY_POINTS else np.unique(np.linspace(0, n - 1, HISTORY_POINTS).astype(int))
    return SavedWeights({
        "sizes": list(net.sizes),
        "w": [w.tolist() for w in net.weights],
        "b": [b.tolist() for b in net.biases],
        "examples": int(net.examples_seen),
        "steps": int(net.steps),
        "history": {"epochs": _floats(np.asarray(h.epochs, float)[keep]),
                    "train": _floats(np.asarray(h.train_loss, float)[keep]),
                    "test": _floats(np.asarray(h.test_loss, float)[keep]),
                    "delta": [_floats(h.mean_abs_delta[i]) for i in keep]},
    } | ({"edited": True} if edited else {}))


def edit_weights(state: dict[str, Any], layer: int, j: int, value: float, i: int | None = None) -> dict[str, Any]:
    """A copy of a weights state with one weight w[layer][i][j] (or, ``i`` None, bias b[layer][j]) set."""
    if not math.isfinite(value):
        raise ValueError("a weight must be a finite number")
    out = SavedWeights(state, w=[[list(r) for r in w] for w in state["w"]], b=[list(b) for b in state["b"]],
                       edited=True)
    if i is None:
        out["b"][layer][j] = float(value)
    else:
        out["w"][layer][i][j] = float(value)
    return out


def check_weights(value: Any) -> str:
    """Why a saved weights extra is unusable, or ""."""
    try:
        sizes = [int(s) for s in value["sizes"]]
        if len(value["w"]) != len(sizes) - 1 or len(value["b"]) != len(sizes) - 1:
            return "layer count does not match the sizes"
        for w, b, fan_in, fan_out in zip(value["w"], value["b"], sizes[:-1], sizes[1:], strict=True):
            w, b = np.asarray(w, float), np.asarray(b, float)
            if w.shape != (fan_in, fan_out) or b.shape != (fan_out,):
                return "a layer's shape does not match the sizes"
            if not (np.all(np.isfinite(w)) and np.all(np.isfinite(b))):
                return "not finite"
        int(value["examples"])
        int(value["steps"])
    except (KeyError, TypeError, ValueError, IndexError):
        return "not a saved network"
    return ""


def load_weights(net: PlaygroundNetwork, saved: dict[str, Any] | None) -> str:
    """Put saved weights (None: fresh from the seed) into ``net``; returns why not, or ""."""
    net.reset()
    if saved is None:
        return ""
    why = check_weights(saved)
    if not why and tuple(saved["sizes"]) != tuple(net.sizes):
        why = f"saved for a {'-'.join(map(str, saved['sizes']))} network, not {'-'.join(map(str, net.sizes))}"
    if why:
        return f"saved weights not used ({why}); the network starts fresh"
    net.weights = [np.array(w, float) for w in saved["w"]]
    net.biases = [np.array(b, float) for b in saved["b"]]
    net.examples_seen = int(saved["examples"])
    net.steps = int(saved["steps"])
    net._epoch_int = int(net.epoch)  # the engine counts completed epochs here  # noqa: SLF001
    h = saved.get("history") or {}
    try:
        delta = [_array(d) for d in h["delta"]]
        net.history = LossHistory(list(_array(h["epochs"])), list(_array(h["train"])), list(_array(h["test"])),
                                  delta)
        if delta:
            net.last_mean_abs_delta = delta[-1]
    except (KeyError, TypeError, ValueError):
        net.history = LossHistory()
        net._record()  # noqa: SLF001
    return ""
