"""The playground: a small network learning on 2-D data with any activation and loss in the registry.

Thin wiring over :class:`PlaygroundModel`: every control goes through the model; training runs
from a QTimer in slices of ~8 ms, so the window keeps drawing while it learns. Training epochs
are not undo steps, but the weights are the model's extra ``weights``: written when training
pauses and before every recorded change, loaded whenever a change brings other weights back.
"""

from __future__ import annotations

import time

import numpy as np
from PySide6 import QtCore, QtWidgets

from actviz.evaluation import EvaluationError
from actviz.gui import ControlPanel, ViewContext, ViewWidget, bind, control_column, warning_label
from actviz.gui import themed_plot_colors as colors
from actviz.maths.learning import FEATURES, MAX_HIDDEN_LAYERS, MAX_NEURONS, PlaygroundNetwork, TrainingError
from actviz_views.playground_model import DATA_KEYS, PlaygroundModel, is_live, load_weights, resets, weights_state
from actviz_views.playground_plots import PlaygroundPlots
from actviz_views.playground_text import DELTA_LINK, explanation, summary

SLICE_S = 0.008  # training per timer tick, at most
MIN_SLICE_S = 0.003  # the slice shrinks towards this when drawing and painting leave less of a 16.7 ms frame
FRAME_MS = 16
NEURON_EVERY = 4  # neuron maps redraw every Nth frame while running
OWN_WIDGETS = {"features", "csv", "epochs"}  # check boxes, the Load CSV… button, export only


class PlaygroundView(ViewWidget):
    """Train a small network on 2-D data; every function comes from the registry."""

    model: PlaygroundModel

    def __init__(self, context: ViewContext, parent=None) -> None:
        super().__init__(context, parent)
        self.network: PlaygroundNetwork | None = None
        self.dataset = None
        self.build_error = self.data_error = self.weights_note = ""
        self.slice_s = SLICE_S
        self._last_tick = 0.0
        self._frame = 0
        self.plots = PlaygroundPlots(*colors(self))

        # -- widgets --------------------------------------------------------------------------
        self.explanation = QtWidgets.QLabel()
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
        self.delta_link.linkActivated.connect(self.context.open_view)

        self.run_button = QtWidgets.QPushButton("Run")
        self.run_button.setCheckable(True)
        self.run_button.toggled.connect(self.set_running)
        self.step_button = QtWidgets.QPushButton("Step")
        self.step_button.setToolTip("Train one epoch")
        self.step_button.clicked.connect(lambda: self.step_epochs(1))
        self.reset_button = QtWidgets.QPushButton("Reset")
        self.reset_button.setToolTip("Fresh weights from the seed (Undo brings the trained ones back)")
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
        lgrid.addWidget(QtWidgets.QLabel("layers"), 0, 0)
        lgrid.addWidget(self.layers_spin, 0, 1)
        lgrid.addWidget(QtWidgets.QLabel("neurons"), 1, 0)
        lgrid.addWidget(self.neurons_spin, 1, 1)
        self.layers_spin.valueChanged.connect(self._hidden_from_spins)
        self.neurons_spin.valueChanged.connect(self._hidden_from_spins)

        self.panel = ControlPanel(spin_width=70)
        self.binding = bind(self.model, self.panel, include=lambda key: key.name not in OWN_WIDGETS)

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
        main = QtWidgets.QVBoxLayout()
        main.addWidget(self.explanation)
        main.addWidget(self.warning)
        main.addWidget(self.plots, 1)
        main.addWidget(self.delta_link)
        layout = QtWidgets.QHBoxLayout(self)
        layout.addWidget(control_column(side, 262))
        layout.addLayout(main, 1)
        self.model.flushers.append(self.sync_model)
        self.on_model_changed(frozenset(self.model.values()) | {"weights"})

    # -- model → network and widgets ------------------------------------------------------------
    def on_model_changed(self, names: frozenset[str]) -> None:
        if names & {"features", "hidden"}:
            self._show_structure()
        if resets(names) or self.network is None:
            self.rebuild(new_data=bool(names & DATA_KEYS) or self.dataset is None)
        elif "weights" in names and self.network is not None:
            saved = self.model.extras["weights"]
            if saved != weights_state(self.network):
                self.weights_note = load_weights(self.network, saved)
        if self.network is not None and any(is_live(n) for n in names):
            self.model.apply_live(self.network)
        self.schedule_refresh()

    def rebuild(self, new_data: bool = True) -> None:
        """A fresh network (and data) from the model, then its saved weights or its ``epochs``."""
        self.set_running(False, sync=False)
        self.build_error = self.weights_note = ""
        if new_data or self.dataset is None:
            self.data_error = ""
            try:
                self.dataset = self.model.make_dataset()
            except (OSError, ValueError) as exc:
                self.data_error = f"{self.model.data_name()}: {exc}; showing the generated data set"
                self.dataset = self.model.make_dataset(use_csv=False)
            self.plots.draw_points(self.dataset)
        try:
            self.network = self.model.make_network(self.dataset)
        except Exception as exc:  # noqa: BLE001 - plugin functions run while the network is set up
            self.network = None
            self.build_error = f"could not build the network: {type(exc).__name__}: {exc}"
        if self.network is not None:
            saved = self.model.extras["weights"]
            if saved is not None:
                self.weights_note = load_weights(self.network, saved)
            elif self.model["epochs"] > 0:
                self.network.train_epochs(int(self.model["epochs"]))
                self.sync_model()
        self.explanation.setText(explanation(self.dataset, self.network, self.model.data_name()))
        self.plots.arrange_neurons(self.network.hidden if self.network is not None else ())
        self._frame = 0
        self.plots.forget_history()
        self.schedule_refresh()

    def sync_model(self) -> None:
        """The network's weights into the model's extra, unrecorded (before a scene save or a recorded change)."""
        if self.network is not None:
            self.model.set_extra("weights", weights_state(self.network), record=False)

    def cannot_draw(self) -> str:
        return self.build_error

    def _show_structure(self) -> None:
        chosen = set(self.model.features)
        for f, box in self.feature_boxes.items():
            with QtCore.QSignalBlocker(box):
                box.setChecked(f in chosen)
        sizes = self.model.hidden
        with QtCore.QSignalBlocker(self.layers_spin), QtCore.QSignalBlocker(self.neurons_spin):
            self.layers_spin.setValue(len(sizes))
            if sizes:
                self.neurons_spin.setValue(max(sizes))

    def _set(self, key: str, value) -> None:
        try:
            self.model.set(key, value)
            self.panel.show_note("")
        except ValueError as exc:
            self.panel.show_note(str(exc))
            self._show_structure()

    def _features_from_boxes(self) -> None:
        self._set("features", ",".join(f for f, box in self.feature_boxes.items() if box.isChecked()))

    def _hidden_from_spins(self) -> None:
        self._set("hidden", ",".join([str(self.neurons_spin.value())] * self.layers_spin.value()) or "none")

    def load_csv_file(self, path: str) -> bool:
        """Use a user's (x1, x2, label) CSV; False with the line and reason on the panel's note if bad."""
        self._set("csv", str(path))
        return bool(self.model["csv"]) and self.panel.note.text() == ""

    def _choose_csv(self) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, "Load a 2-D data set", "",
                                                        "CSV files (*.csv *.txt);;All files (*)")
        if path:
            self.load_csv_file(path)

    # -- training -----------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.timer.isActive()

    def set_running(self, on: bool, sync: bool = True) -> None:
        on = bool(on) and self.network is not None and self.network.error is None
        if on:
            self._last_tick = 0.0
            self.timer.start()
        else:
            was = self.timer.isActive()
            self.timer.stop()
            if was and sync:
                self.sync_model()
        if self.run_button.isChecked() != on:
            with QtCore.QSignalBlocker(self.run_button):
                self.run_button.setChecked(on)
        self.run_button.setText("Pause" if on else "Run")

    def _tick(self) -> None:
        now = time.perf_counter()
        if self._last_tick:
            interval = 1000 * (now - self._last_tick)
            # keep the frame near 60 Hz: give training what drawing and painting leave over
            if interval > 17.5:
                self.slice_s = max(MIN_SLICE_S, self.slice_s - 0.0005)
            elif interval < 16.0:
                self.slice_s = min(SLICE_S, self.slice_s + 0.0005)
        self._last_tick = now
        net = self.network
        if net is None:
            self.set_running(False)
            return
        net.train_for(self.slice_s)
        if net.error is not None:
            self.set_running(False)
        self.refresh()

    def step_epochs(self, n: int = 1) -> None:
        if self.network is not None:
            self.network.train_epochs(n)
            if not self.running:
                self.sync_model()
        self.schedule_refresh()

    def reset(self) -> None:
        """Fresh weights from the seed: one undo step, so Undo brings the trained network back."""
        self.set_running(False)
        self.model.set_extra("weights", None)
        if self.network is not None and self.network.steps:
            self.weights_note = load_weights(self.network, None)
        self.schedule_refresh()

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.set_running(False)  # a hidden tab does not train
        super().hideEvent(event)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.set_running(False)
        if self.sync_model in self.model.flushers:
            self.model.flushers.remove(self.sync_model)
        super().closeEvent(event)

    # -- drawing ------------------------------------------------------------------------------
    def redraw(self) -> None:
        self._compact_combos()
        net = self.network
        self._frame += 1
        map_error = ""
        if net is not None:
            try:
                grids = net.neuron_grids(self.plots.grid_x, self.plots.grid_y)
            except (TrainingError, EvaluationError) as exc:
                grids = None
                map_error = f"cannot draw the output: {exc}"
            if grids is not None:
                self.plots.draw_output(net, grids[-1])
                if not self.running or self._frame % NEURON_EVERY == 1:
                    self.plots.draw_neurons([g[:, ::2, ::2] for g in grids[1:-1]])  # 30 × 30 is plenty at 44 px
            self.plots.draw_history(net)
        self._show_messages(map_error)

    def _compact_combos(self) -> None:
        """Long function labels ("Hyperbolic tangent (…)") must not widen the fixed control column."""
        changed = False
        for w in self.panel.widgets.values():
            combo = getattr(w, "combo", None)
            if combo is not None and combo.minimumWidth() != 80:
                combo.setMinimumWidth(80)
                combo.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Fixed)
                w.updateGeometry()  # the panel's layout caches each control's old minimum width
                changed = True
        if changed:
            self.panel.updateGeometry()

    def _show_messages(self, extra: str = "") -> None:
        net = self.network
        lines = [m for m in (self.data_error, self.build_error, self.weights_note) if m]
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
        self.epoch_label.setText(f"Epoch {int(net.epoch):,}")
        self.summary.setText(summary(net, self.dataset, self.model.data_name()))

    # -- export -------------------------------------------------------------------------------
    def export_item(self):
        return self.plots.ci

    def export_columns(self) -> dict[str, np.ndarray]:
        d = self.dataset
        cols: dict[str, np.ndarray] = {}
        p = self.plots
        xd, yd = p.curve_train.getData()
        if xd is not None and self.network is not None:
            cols["epoch"], cols["train loss"] = np.asarray(xd), np.asarray(yd)
            cols["test loss"] = np.asarray(p.curve_test.getData()[1])
            for name, curve in zip(p.layer_names(self.network.hidden), p.delta_curves, strict=False):
                if curve.yData is not None:
                    cols[f"mean |delta| {name}"] = np.asarray(curve.yData)
        cols["map x1"], cols["map x2"] = p.grid_x.ravel(), p.grid_y.ravel()
        cols["map output"] = np.asarray(p.output_values, float).ravel()
        if d is not None:
            cols["train x1"], cols["train x2"] = d.x_train[:, 0], d.x_train[:, 1]
            cols["train label"] = np.asarray(d.y_train, float)
            cols["test x1"], cols["test x2"] = d.x_test[:, 0], d.x_test[:, 1]
            cols["test label"] = np.asarray(d.y_test, float)
        return cols

