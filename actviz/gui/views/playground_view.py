"""The playground: a small network learning on 2-D data with any activation and loss in the registry.

Training is :class:`actviz.learning.Network`, driven from a QTimer in slices of ~8 ms
(``train_for``), so the window keeps drawing at 60 frames a second while it learns. The view
draws the output as a heat map with the points on top, a small map per hidden neuron, the
train/test loss per epoch and the per-layer mean |δ|.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from actviz.gui.controls import ControlPanel
from actviz.gui.viewbase import PALETTE, Choice, ViewContext, ViewWidget, control_column, guard_plot, pen, warning_label
from actviz.host.evaluation import EvaluationError
from actviz.maths.learning import (
    DATASETS,
    FEATURES,
    MAX_HIDDEN_LAYERS,
    MAX_NEURONS,
    Network,
    TrainingError,
    load_csv,
    make_dataset,
    parameter_count,
)
from actviz.specs import Param

GRID = 60  # heat-map resolution (GRID × GRID)
SLICE_S = 0.008  # training per timer tick, at most
MIN_SLICE_S = 0.003  # the slice shrinks towards this when drawing and painting leave less of a 16.7 ms frame
FRAME_MS = 16
NEURON_EVERY = 4  # neuron maps redraw every Nth frame while running
MAX_CURVE_POINTS = 1000
ALL_FEATURES = ",".join(FEATURES)
# playground.tensorflow.org's colours: orange for the negative class, blue for the positive
NEG, MID, POS = (245, 147, 34), (232, 234, 235), (8, 119, 189)
LIVE = ("learning_rate", "batch_size", "regularization", "regularization_rate")
EXPLANATION = (
    "Background: the network's output over the plane (blue: class 1, orange: class 0); circles are training "
    "points, squares test points. Each small map is one hidden neuron's output. Try the spiral with tanh, then "
    "switch the hidden activation to logistic: its |δ| shrinks layer by layer and training stalls.")
DELTA_LINK = ("Mean |δ| per layer (log scale): when the lower layers' δ is orders of magnitude below the output's, "
              "they hardly learn — see why in the <a href=\"depth\">Hidden δ</a> view.")


def parse_hidden(text: str) -> tuple[int, ...]:
    """'8,8,8' → (8, 8, 8); 'none', '0' or '' → (); ValueError names the problem."""
    text = str(text).strip().lower()
    if text in ("", "none", "0", "-"):
        return ()
    try:
        sizes = tuple(int(part) for part in text.replace(" ", "").split(","))
    except ValueError:
        raise ValueError(f"hidden={text!r}: give neurons per layer as a comma list, e.g. 8,8,8") from None
    if len(sizes) > MAX_HIDDEN_LAYERS:
        raise ValueError(f"hidden={text!r}: at most {MAX_HIDDEN_LAYERS} hidden layers")
    if any(not 1 <= s <= MAX_NEURONS for s in sizes):
        raise ValueError(f"hidden={text!r}: each layer needs 1 to {MAX_NEURONS} neurons")
    return sizes


def parse_features(text: str) -> tuple[str, ...]:
    names = tuple(part for part in str(text).replace(" ", "").split(",") if part)
    if not names:
        raise ValueError("features: select at least one input feature")
    for n in names:
        if n not in FEATURES:
            raise ValueError(f"features: unknown feature {n!r}; choose from {', '.join(FEATURES)}")
    return tuple(f for f in FEATURES if f in names)  # canonical order


def prefer(name: str, options: tuple[str, ...]) -> str:
    return name if name in options else (options[0] if options else "")


def _lut() -> np.ndarray:
    s = np.linspace(0.0, 1.0, 256)[:, None]
    neg, mid, pos = (np.array(c, float) for c in (NEG, MID, POS))
    lower = neg + (mid - neg) * np.clip(2 * s, 0, 1)
    upper = mid + (pos - mid) * np.clip(2 * s - 1, 0, 1)
    return np.where(s < 0.5, lower, upper).astype(np.ubyte)


LUT = _lut()


def class_colors(k: int) -> np.ndarray:
    if k <= 2:
        return np.array([NEG, POS], float)
    return np.array([QtGui.QColor(PALETTE[i % len(PALETTE)]).getRgb()[:3] for i in range(k)], float)


class PlaygroundView(ViewWidget):
    """Train a small network on 2-D data; every function comes from the registry."""

    batch_controls = frozenset({"epochs"})

    def __init__(self, context: ViewContext, parent=None) -> None:
        super().__init__(context, parent)
        self.values: dict[str, object] = {c.name: c.default for c in self.controls() if c.name != "epochs"}
        self.csv_path: str | None = None
        self.csv_error = ""
        self.network: Network | None = None
        self.dataset = None
        self.build_error = ""
        self.train_ms = 0.0
        self.draw_ms = 0.0
        self.frame_interval_ms = 0.0
        self._last_tick = 0.0
        self.slice_s = SLICE_S
        self._frame = 0
        self._syncing = False
        self._neuron_layout_key: tuple | None = None
        self.output_image = np.zeros((GRID, GRID))
        self.grid_x = self.grid_y = np.zeros((GRID, GRID))

        # -- plots, built once ----------------------------------------------------------------
        self.layout_widget = pg.GraphicsLayoutWidget()
        ci = self.layout_widget.ci
        self.plot_map = guard_plot(ci.addPlot(row=0, col=0))
        self.plot_map.setLabel("bottom", "x₁")
        self.plot_map.setLabel("left", "x₂")
        self.plot_map.setTitle("Output over the plane")
        self.plot_map.setAspectLocked(True)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(LUT)
        self.plot_map.addItem(self.image)
        self.map_legend = self.plot_map.addLegend(offset=(-5, 5), labelTextSize="8pt")
        self.train_points = pg.ScatterPlotItem(symbol="o", size=7, pen=pg.mkPen("#ffffff", width=1), name="train")
        self.test_points = pg.ScatterPlotItem(symbol="s", size=7, pen=pg.mkPen("#000000", width=1.5), name="test")
        self.plot_map.addItem(self.train_points)
        self.plot_map.addItem(self.test_points)

        self.neuron_layout = ci.addLayout(row=0, col=1)
        self.neuron_title = self.neuron_layout.addLabel("Hidden neurons", row=0, col=0, size="9pt")
        self.neuron_boxes: list[list[pg.ViewBox]] = []
        self.neuron_images: list[list[pg.ImageItem]] = []
        for _ in range(MAX_HIDDEN_LAYERS):
            boxes, images = [], []
            for _ in range(MAX_NEURONS):
                vb = pg.ViewBox(enableMouse=False, lockAspect=True)
                vb.setMenuEnabled(False)
                img = pg.ImageItem(axisOrder="row-major")
                img.setLookupTable(LUT)
                vb.addItem(img)
                vb.setMaximumSize(44, 44)
                vb.setMinimumSize(12, 12)
                boxes.append(vb)
                images.append(img)
            self.neuron_boxes.append(boxes)
            self.neuron_images.append(images)

        self.plot_loss = guard_plot(ci.addPlot(row=1, col=0))
        self.plot_loss.setTitle("Loss per epoch", size="9pt")
        self.plot_loss.setLabel("bottom", "epoch")
        self.plot_loss.setLabel("left", "mean loss")
        self.plot_loss.getAxis("left").enableAutoSIPrefix(False)
        self.plot_loss.getAxis("bottom").enableAutoSIPrefix(False)
        self.plot_loss.showGrid(x=True, y=True, alpha=0.25)
        self.plot_loss.addLegend(offset=(-5, 5), labelTextSize="8pt")
        self.curve_train = self.plot_loss.plot(pen=pen(0), name="train")
        self.curve_test = self.plot_loss.plot(pen=pen(1), name="test")

        self.plot_delta = guard_plot(ci.addPlot(row=1, col=1))
        self.plot_delta.setTitle("Mean |δ| per layer", size="9pt")
        self.plot_delta.setLabel("bottom", "epoch")
        self.plot_delta.setLabel("left", "mean |δ|")
        self.plot_delta.setLogMode(y=True)
        self.plot_delta.showGrid(x=True, y=False, alpha=0.25)
        self.delta_legend = self.plot_delta.addLegend(offset=(5, -5), labelTextSize="8pt")
        self.delta_curves = [self.plot_delta.plot(pen=pen(i + 2, 1.5)) for i in range(MAX_HIDDEN_LAYERS + 1)]
        for plot in (self.plot_loss, self.plot_delta):
            plot.enableAutoRange(x=False)  # set in steps by _extend_x: a moving axis re-renders every frame
        self._x_top = 0.0
        self._history_key: tuple | None = None
        self._lut_on = True
        ci.layout.setColumnStretchFactor(0, 3)
        ci.layout.setColumnStretchFactor(1, 2)
        ci.layout.setRowStretchFactor(0, 3)
        ci.layout.setRowStretchFactor(1, 2)

        # -- widgets --------------------------------------------------------------------------
        self.explanation = QtWidgets.QLabel(EXPLANATION)
        self.explanation.setWordWrap(True)
        self.warning = warning_label()
        self.epoch_label = QtWidgets.QLabel("Epoch 0")
        font = self.epoch_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.epoch_label.setFont(font)
        self.summary = QtWidgets.QLabel(" ")
        self.summary.setWordWrap(True)
        self.delta_link = QtWidgets.QLabel(DELTA_LINK)
        self.delta_link.setWordWrap(True)
        self.delta_link.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.delta_link.linkActivated.connect(self._open_view)
        self.timing = QtWidgets.QLabel(" ")

        self.run_button = QtWidgets.QPushButton("Run")
        self.run_button.setCheckable(True)
        self.run_button.toggled.connect(self.set_running)
        self.step_button = QtWidgets.QPushButton("Step")
        self.step_button.setToolTip("Train one epoch")
        self.step_button.clicked.connect(lambda: self.step_epochs(1))
        self.reset_button = QtWidgets.QPushButton("Reset")
        self.reset_button.setToolTip("Fresh weights from the seed")
        self.reset_button.clicked.connect(self.reset)
        self.csv_button = QtWidgets.QPushButton("Load CSV…")
        self.csv_button.setToolTip("A file of x1, x2, label rows (header optional)")
        self.csv_button.clicked.connect(self._choose_csv)

        self.feature_boxes: dict[str, QtWidgets.QCheckBox] = {}
        features_box = QtWidgets.QGroupBox("Input features")
        fgrid = QtWidgets.QGridLayout(features_box)
        for i, (name, label) in enumerate(FEATURES.items()):
            box = QtWidgets.QCheckBox(label)
            box.setToolTip(name)
            box.toggled.connect(self._features_from_boxes)
            self.feature_boxes[name] = box
            fgrid.addWidget(box, i // 2, i % 2)
        layers_box = QtWidgets.QGroupBox("Hidden layers")
        lgrid = QtWidgets.QGridLayout(layers_box)
        self.layers_spin = QtWidgets.QSpinBox()
        self.layers_spin.setRange(0, MAX_HIDDEN_LAYERS)
        self.neurons_spin = QtWidgets.QSpinBox()
        self.neurons_spin.setRange(1, MAX_NEURONS)
        self.hidden_edit = QtWidgets.QLineEdit()
        self.hidden_edit.setToolTip("neurons per hidden layer, e.g. 8,8,8 (none for no hidden layer)")
        lgrid.addWidget(QtWidgets.QLabel("layers"), 0, 0)
        lgrid.addWidget(self.layers_spin, 0, 1)
        lgrid.addWidget(QtWidgets.QLabel("neurons"), 1, 0)
        lgrid.addWidget(self.neurons_spin, 1, 1)
        lgrid.addWidget(QtWidgets.QLabel("per layer"), 2, 0)
        lgrid.addWidget(self.hidden_edit, 2, 1)
        self.layers_spin.valueChanged.connect(self._hidden_from_spins)
        self.neurons_spin.valueChanged.connect(self._hidden_from_spins)
        self.hidden_edit.editingFinished.connect(lambda: self._from_panel("hidden", self.hidden_edit.text()))

        self.panel = ControlPanel(spin_width=70)
        self.panel.build([c for c in self.controls() if c.name not in ("features", "hidden", "epochs")],
                         dict(self.values))
        self.panel.changed.connect(self._from_panel)

        self.timer = QtCore.QTimer(self)
        self.timer.setTimerType(QtCore.Qt.TimerType.PreciseTimer)
        self.timer.setInterval(FRAME_MS)
        self.timer.timeout.connect(self._tick)

        buttons = QtWidgets.QGridLayout()
        buttons.addWidget(self.run_button, 0, 0)
        buttons.addWidget(self.step_button, 0, 1)
        buttons.addWidget(self.reset_button, 1, 0)
        buttons.addWidget(self.csv_button, 1, 1)
        side = QtWidgets.QVBoxLayout()
        side.addLayout(buttons)
        side.addWidget(self.epoch_label)
        side.addWidget(self.summary)
        side.addWidget(features_box)
        side.addWidget(layers_box)
        side.addWidget(self.panel)
        scroll = control_column(side, 262)
        main = QtWidgets.QVBoxLayout()
        main.addWidget(self.explanation)
        main.addWidget(self.warning)
        main.addWidget(self.layout_widget, 1)
        main.addWidget(self.delta_link)
        main.addWidget(self.timing)
        layout = QtWidgets.QHBoxLayout(self)
        layout.addWidget(scroll)
        layout.addLayout(main, 1)
        self._show_structure()
        self.rebuild()

    # -- controls -----------------------------------------------------------------------------
    def controls(self):
        reg = self.context.registry
        acts = tuple(reg.activations)
        losses = tuple(reg.losses)
        return (
            Choice("dataset", "spiral", DATASETS, label="data set",
                   help="a generated data set (or Load CSV…; --set csv=PATH)"),
            Param("points", 400, 20, 1000, 10, help="number of points"),
            Param("noise", 0.0, 0.0, 0.5, 0.01, help="label noise / spread (fraction)"),
            Param("train_ratio", 0.5, 0.1, 0.9, 0.05, label="train ratio", help="share of points used to train"),
            Param("seed", 0, 0, 1000, 1, help="seed of the data, the weights and the batch order"),
            Choice("features", ALL_FEATURES, (ALL_FEATURES, "x1,x2", "x1,x2,x1_sq,x2_sq,x1x2", "x1,x2,sin_x1,sin_x2"),
                   help="input features, a comma list of " + ", ".join(FEATURES)),
            Choice("hidden", "8,8,8", ("none", "4", "4,2", "8,8", "8,8,8", "8,8,8,8,8,8"),
                   help=f"neurons per hidden layer, a comma list (≤ {MAX_HIDDEN_LAYERS} layers of ≤ {MAX_NEURONS})"),
            Choice("activation", prefer("tanh", acts), acts, label="hidden activation",
                   help="activation of the hidden layers (any plugin's)"),
            Choice("output", prefer("tanh", acts), acts, label="output activation",
                   help="activation of the output unit (binary and regression)"),
            Choice("loss", prefer("squared_error", losses), losses, help="loss of the output unit"),
            Choice("softmax", "auto", ("auto", "on"), label="softmax output",
                   help="auto: softmax + categorical cross-entropy for > 2 classes; on: also for 2"),
            Param("learning_rate", 0.03, 0.0001, 3.0, 0.0001, label="learning rate"),
            Param("batch_size", 10, 1, 100, 1, label="batch size"),
            Choice("regularization", "none", ("none", "l1", "l2")),
            Param("regularization_rate", 0.0, 0.0, 1.0, 0.0001, label="regularisation rate"),
            Param("epochs", 0, 0, 5000, 1, help="train this many epochs from fresh weights before drawing (export)"),
        )

    def control_value(self, name: str):
        if name == "epochs":
            return int(self.network.epoch) if self.network is not None else 0
        if name not in self.values:
            raise KeyError(name)
        return self.values[name]

    def set_control(self, name: str, value) -> None:
        if name not in self.values and name != "epochs":
            raise KeyError(name)
        control = {c.name: c for c in self.controls()}[name]
        if name == "features":
            value = ",".join(parse_features(value))
        elif name == "hidden":
            sizes = parse_hidden(value)
            value = ",".join(map(str, sizes)) if sizes else "none"
        elif isinstance(control, Choice):
            if value not in control.options:
                raise ValueError(f"{name}={value!r} is not one of {', '.join(control.options)}")
        else:
            value = float(value)
            if value != value or not control.low <= value <= control.high:
                raise ValueError(f"{name}={value:g} is outside [{control.low:g}, {control.high:g}]")
            if name in ("points", "seed", "batch_size", "epochs"):
                value = int(round(value))
        if name == "epochs":
            self.train_epochs_fresh(int(value))
            return
        self.values[name] = value
        self._sync_widgets(name, value)
        if name == "dataset":
            self.csv_path = None
        if name in LIVE and self.network is not None:
            self.network.learning_rate = float(self.values["learning_rate"])
            self.network.batch_size = int(self.values["batch_size"])
            self.network.regularization = str(self.values["regularization"])
            self.network.regularization_rate = float(self.values["regularization_rate"])
            self.schedule_refresh()
            return
        self.rebuild(new_data=name in ("dataset", "points", "noise", "train_ratio", "seed"))

    def apply_settings(self, settings) -> None:
        """``--set`` values; features and hidden take any comma list, csv a path; epochs go last."""
        settings = dict(settings)
        csv = settings.pop("csv", None)
        epochs = settings.pop("epochs", None)
        free = {k: settings.pop(k) for k in ("features", "hidden") if k in settings}
        super().apply_settings(settings)
        for key, raw in free.items():
            self.set_control(key, raw)
        if csv is not None:
            if not self.load_csv_file(csv):
                raise ValueError(f"csv={csv}: {self.csv_error}")
        if epochs is not None:
            super().apply_settings({"epochs": epochs})

    def state(self):
        return dict(self.values)

    def restore(self, state) -> None:
        for c in self.controls():
            if c.name in state and c.name != "epochs":
                try:
                    self.set_control(c.name, state[c.name])
                except (ValueError, TypeError, KeyError):
                    pass  # a stale or foreign value keeps the default

    def _from_panel(self, name: str, value) -> None:
        if self._syncing:
            return
        try:
            self.set_control(name, value)
        except ValueError as exc:
            self._sync_widgets(name, self.values[name])
            self.build_error = str(exc)
            self._show_messages()

    def _sync_widgets(self, name: str, value) -> None:
        self._syncing = True
        try:
            widget = self.panel.widgets.get(name)
            if widget is not None:
                widget.setValue(value)
            if name == "features":
                chosen = set(str(value).split(","))
                for f, box in self.feature_boxes.items():
                    box.setChecked(f in chosen)
            elif name == "hidden":
                sizes = parse_hidden(str(value))
                self.hidden_edit.setText(str(value))
                self.layers_spin.setValue(len(sizes))
                if sizes:
                    self.neurons_spin.setValue(max(sizes))
        finally:
            self._syncing = False

    def _show_structure(self) -> None:
        for name in ("features", "hidden"):
            self._sync_widgets(name, self.values[name])

    def _features_from_boxes(self) -> None:
        if self._syncing:
            return
        chosen = [f for f, box in self.feature_boxes.items() if box.isChecked()]
        if not chosen:
            self._sync_widgets("features", self.values["features"])  # keep at least one
            self.build_error = "select at least one input feature"
            self._show_messages()
            return
        self._from_panel("features", ",".join(chosen))

    def _hidden_from_spins(self) -> None:
        if self._syncing:
            return
        n = self.layers_spin.value()
        self._from_panel("hidden", ",".join([str(self.neurons_spin.value())] * n) or "none")

    # -- data and network ---------------------------------------------------------------------
    def load_csv_file(self, path: str) -> bool:
        """Use a user's (x1, x2, label) CSV; False with :attr:`csv_error` (line and reason) if bad."""
        try:
            load_csv(path, train_ratio=float(self.values["train_ratio"]), seed=int(self.values["seed"]))
        except (OSError, ValueError) as exc:
            self.csv_error = f"{Path(path).name}: {exc}" if isinstance(exc, OSError) else str(exc)
            self._show_messages()
            return False
        self.csv_error = ""
        self.csv_path = str(path)
        self.rebuild(new_data=True)
        return True

    def _choose_csv(self) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, "Load a 2-D data set", "",
                                                        "CSV files (*.csv *.txt);;All files (*)")
        if path:
            self.load_csv_file(path)

    def _make_dataset(self):
        v = self.values
        ratio, seed = float(v["train_ratio"]), int(v["seed"])
        if self.csv_path:
            return load_csv(self.csv_path, train_ratio=ratio, seed=seed)
        return make_dataset(str(v["dataset"]), n=int(v["points"]), noise=float(v["noise"]), train_ratio=ratio,
                            seed=seed)

    def rebuild(self, new_data: bool = True) -> None:
        """A fresh network (and data) from the controls; keeps running if it was."""
        self.build_error = ""
        if new_data or self.dataset is None:
            try:
                self.dataset = self._make_dataset()
            except (OSError, ValueError) as exc:
                self.csv_error = str(exc)
                self.csv_path = None
                self.dataset = self._make_dataset()
            self._draw_points()
        reg = self.context.registry
        v = self.values
        try:
            self.network = Network(
                self.dataset, reg.activations[v["activation"]], reg.activations[v["output"]], reg.losses[v["loss"]],
                hidden=parse_hidden(str(v["hidden"])), features=parse_features(str(v["features"])),
                learning_rate=float(v["learning_rate"]), batch_size=int(v["batch_size"]),
                regularization=str(v["regularization"]), regularization_rate=float(v["regularization_rate"]),
                softmax=v["softmax"] == "on", seed=int(v["seed"]))
        except Exception as exc:  # noqa: BLE001 - plugin functions run while the network is set up
            self.network = None
            self.build_error = f"could not build the network: {type(exc).__name__}: {exc}"
        self._arrange_neurons()
        self._frame = 0
        self.schedule_refresh()

    def _draw_points(self) -> None:
        d = self.dataset
        x1lo, x1hi, x2lo, x2hi = d.bounds(0.05)
        xs, ys = np.linspace(x1lo, x1hi, GRID), np.linspace(x2lo, x2hi, GRID)
        self.grid_x, self.grid_y = np.meshgrid(xs, ys)
        rect = QtCore.QRectF(x1lo, x2lo, x1hi - x1lo, x2hi - x2lo)
        self.map_rect = rect  # given with every setImage: setRect before an image scales by a 1×1 image
        for row in self.neuron_boxes:
            for vb in row:
                vb.setRange(rect, padding=0)
        for item, x, y in ((self.train_points, d.x_train, d.y_train), (self.test_points, d.x_test, d.y_test)):
            item.setData(x[:, 0], x[:, 1], brush=self._brushes(y))
        self.plot_map.setRange(xRange=(x1lo, x1hi), yRange=(x2lo, x2hi), padding=0)

    def _brushes(self, y: np.ndarray) -> list:
        d = self.dataset
        if d.kind == "regression":
            lo, hi = float(d.y.min()), float(d.y.max())
            idx = np.clip(((y - lo) / max(hi - lo, 1e-12) * 255).astype(int), 0, 255)
            cache = {i: pg.mkBrush(*LUT[i]) for i in np.unique(idx)}
            return [cache[i] for i in idx]
        colors = class_colors(d.n_classes)
        cache = [pg.mkBrush(*c.astype(int)) for c in colors]
        return [cache[int(c)] for c in y]

    def _arrange_neurons(self) -> None:
        hidden = self.network.hidden if self.network is not None else ()
        if hidden == self._neuron_layout_key:
            return
        self._neuron_layout_key = hidden
        layout = self.neuron_layout
        for item in list(layout.items):
            if item is not self.neuron_title:
                layout.removeItem(item)
        self.neuron_title.setText("Hidden neurons" if hidden else "No hidden layer", size="9pt")
        for layer, width in enumerate(hidden):
            for unit in range(width):
                layout.addItem(self.neuron_boxes[layer][unit], row=unit + 1, col=layer)
        if hidden:
            layout.removeItem(self.neuron_title)
            layout.addItem(self.neuron_title, row=0, col=0, colspan=len(hidden))
        names = [f"layer {i + 1}" for i in range(len(hidden))] + ["output"]
        self.delta_legend.clear()
        for i, curve in enumerate(self.delta_curves):
            curve.setVisible(i < len(names))
            if i < len(names):
                self.delta_legend.addItem(curve, names[i])
            else:
                curve.setData([], [])

    # -- training -----------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.timer.isActive()

    def set_running(self, on: bool) -> None:
        on = bool(on) and self.network is not None and self.network.error is None
        if on:
            self._last_tick = 0.0
            self.timer.start()
        else:
            self.timer.stop()
        if self.run_button.isChecked() != on:
            self.run_button.blockSignals(True)
            self.run_button.setChecked(on)
            self.run_button.blockSignals(False)
        self.run_button.setText("Pause" if on else "Run")

    def _tick(self) -> None:
        now = time.perf_counter()
        if self._last_tick:
            self.frame_interval_ms = 1000 * (now - self._last_tick)
            # keep the frame near 60 Hz: give training what drawing and painting leave over
            if self.frame_interval_ms > 17.5:
                self.slice_s = max(MIN_SLICE_S, self.slice_s - 0.0005)
            elif self.frame_interval_ms < 16.0:
                self.slice_s = min(SLICE_S, self.slice_s + 0.0005)
        self._last_tick = now
        net = self.network
        if net is None:
            self.set_running(False)
            return
        net.train_for(self.slice_s)
        self.train_ms = 1000 * (time.perf_counter() - now)
        if net.error is not None:
            self.set_running(False)
        self.refresh()

    def step_epochs(self, n: int = 1) -> None:
        if self.network is not None:
            self.network.train_epochs(n)
        self.schedule_refresh()

    def train_epochs_fresh(self, n: int) -> None:
        """Fresh weights, then ``n`` epochs (the ``epochs`` control, for headless export)."""
        if self.network is not None:
            self.network.reset()
            self.network.train_epochs(n)
        self.schedule_refresh()

    def reset(self) -> None:
        if self.network is not None:
            self.network.reset()
        else:
            self.rebuild(new_data=False)
        self.schedule_refresh()

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.set_running(False)  # a hidden tab does not train
        super().hideEvent(event)

    def _open_view(self, name: str) -> None:
        show = getattr(self.window(), "show_view", None)
        if callable(show):
            show(name)

    # -- drawing ------------------------------------------------------------------------------
    def redraw(self) -> None:
        t0 = time.perf_counter()
        net = self.network
        self._frame += 1
        map_error = ""
        if net is not None:
            try:
                grids = net.neuron_grids(self.grid_x, self.grid_y)
            except (TrainingError, EvaluationError) as exc:
                grids = None
                map_error = f"cannot draw the output: {exc}"
            if grids is not None:
                self._draw_output(grids[-1])
                if not self.running or self._frame % NEURON_EVERY == 1:
                    self._draw_neurons([g[:, ::2, ::2] for g in grids[1:-1]])  # 30 × 30 is plenty at 48 px
            self._draw_history()
        self.draw_ms = 1000 * (time.perf_counter() - t0)
        self._show_messages(map_error)

    def _draw_output(self, out: np.ndarray) -> None:
        net = self.network
        if net.multiclass:
            probs = np.moveaxis(out, 0, -1)  # (GRID, GRID, K)
            probs = np.where(np.isfinite(probs), probs, 0.0)
            colors = class_colors(net.n_out)
            rgb = 0.45 * (probs @ colors) + 0.55 * np.array(MID, float)
            self.output_image = probs.argmax(axis=-1).astype(float)
            self._lut_on = False
            self.image.setImage(np.clip(rgb, 0, 255).astype(np.ubyte), levels=(0, 255), lut=None, autoLevels=False,
                                rect=self.map_rect)
            return
        img = out[0]
        self.output_image = img
        lo, hi = net.output_range
        if not hi > lo:
            lo, hi = lo - 1.0, hi + 1.0
        if not self._lut_on:
            self._lut_on = True
            self.image.setLookupTable(LUT)
        self.image.setImage(np.where(np.isfinite(img), img, 0.5 * (lo + hi)), levels=(lo, hi), autoLevels=False,
                            rect=self.map_rect)

    def _draw_neurons(self, layers: list[np.ndarray]) -> None:
        for layer, maps in enumerate(layers):
            for unit, m in enumerate(maps):
                m = np.where(np.isfinite(m), m, 0.0)
                lo, hi = float(m.min()), float(m.max())
                if lo < 0 < hi:
                    lo, hi = -max(-lo, hi), max(-lo, hi)
                if not hi - lo > 1e-12:
                    lo, hi = lo - 1.0, hi + 1.0
                self.neuron_images[layer][unit].setImage(m, levels=(lo, hi), autoLevels=False, rect=self.map_rect)

    @staticmethod
    def _thin(n: int) -> np.ndarray:
        return np.arange(n) if n <= MAX_CURVE_POINTS else np.unique(np.linspace(0, n - 1, MAX_CURVE_POINTS).astype(int))

    def _extend_x(self, last: float) -> None:
        top = 10.0
        while top < last:
            top *= 2.0
        if top != self._x_top:
            self._x_top = top
            for plot in (self.plot_loss, self.plot_delta):
                plot.setXRange(0.0, top, padding=0.02)

    def _draw_history(self) -> None:
        h = self.network.history
        if self._history_key is not None and self._history_key[0] is h and self._history_key[1] == len(h.epochs):
            return  # no epoch completed since the last frame
        self._history_key = (h, len(h.epochs))
        self._extend_x(h.epochs[-1] if h.epochs else 0.0)
        idx = self._thin(len(h.epochs))
        epochs = np.asarray(h.epochs, float)[idx]
        for curve, values in ((self.curve_train, h.train_loss), (self.curve_test, h.test_loss)):
            ys = np.asarray(values, float)[idx]
            curve.setData(epochs, np.where(np.isfinite(ys), ys, np.nan), connect="finite")
        layers = len(self.network.weights)
        deltas = np.array([np.asarray(h.mean_abs_delta[i], float) for i in idx]).reshape(len(idx), layers)
        # epoch 0 has no δ yet (0): log axis, so leave it out
        deltas = np.where(np.isfinite(deltas) & (deltas > 0), deltas, np.nan)
        for i in range(layers):
            self.delta_curves[i].setData(epochs, deltas[:, i], connect="finite")

    def _show_messages(self, extra: str = "") -> None:
        net = self.network
        lines = [m for m in (self.csv_error, self.build_error) if m]
        if net is not None:
            if net.error:
                lines.append(f"Training stopped: {net.error}")
            lines.extend(f"Note: {n}" for n in net.notes)
        if extra:
            lines.append(extra)
        text = "\n".join(dict.fromkeys(lines))
        if text != self.warning.text():
            self.warning.setText(text)
        self.warning.setVisible(bool(text))
        if net is None:
            self.epoch_label.setText("Epoch —")
            return
        h = net.history
        train, test = (h.train_loss[-1], h.test_loss[-1]) if h.epochs else (np.nan, np.nan)
        self.epoch_label.setText(f"Epoch {int(net.epoch):,}")
        acts = self.context.registry.activations
        plugin = acts[str(self.values["activation"])].plugin
        out = "softmax + categorical cross-entropy" if net.multiclass else \
            f"{net.output.name} output, {net.loss_spec.name} loss"
        data = Path(self.csv_path).name if self.csv_path else str(self.values["dataset"])
        self.summary.setText(
            f"train loss {train:.4g} · test loss {test:.4g}\n"
            f"{data}: {len(self.dataset.x_train)} train / {len(self.dataset.x_test)} test points\n"
            f"network {' → '.join(map(str, net.sizes))} ({parameter_count(net.sizes)} weights)\n"
            f"hidden: {net.activation.name} (plugin {plugin})\n{out}")
        timing = f"draw {self.draw_ms:.1f} ms"
        if self.running:
            fps = 1000 / self.frame_interval_ms if self.frame_interval_ms else 0.0
            timing = f"frame: train {self.train_ms:.1f} ms + {timing} · {fps:.0f} frames/s"
        self.timing.setText(timing)

    # -- export -------------------------------------------------------------------------------
    def export_item(self):
        return self.layout_widget.ci

    def export_columns(self) -> dict[str, np.ndarray]:
        d = self.dataset
        cols: dict[str, np.ndarray] = {}
        xd, yd = self.curve_train.xData, self.curve_train.yData
        if xd is not None:
            cols["epoch"] = np.asarray(xd)
            cols["train loss"] = np.asarray(yd)
            cols["test loss"] = np.asarray(self.curve_test.yData)
            names = [f"layer {i + 1}" for i in range(len(self.network.hidden))] + ["output"] \
                if self.network is not None else []
            for name, curve in zip(names, self.delta_curves, strict=False):
                if curve.yData is not None:
                    cols[f"mean |delta| {name}"] = np.asarray(curve.yData)
        cols["map x1"] = self.grid_x.ravel()
        cols["map x2"] = self.grid_y.ravel()
        cols["map output"] = np.asarray(self.output_image, float).ravel()
        if d is not None:
            cols["train x1"], cols["train x2"] = d.x_train[:, 0], d.x_train[:, 1]
            cols["train label"] = np.asarray(d.y_train, float)
            cols["test x1"], cols["test x2"] = d.x_test[:, 0], d.x_test[:, 1]
            cols["test label"] = np.asarray(d.y_test, float)
        return cols
