"""The playground: a small network learning on 2-D data with any activation and loss in the registry.

Thin wiring over :class:`PlaygroundModel`: every control goes through the model; training runs
from a QTimer in slices of ~8 ms, so the window keeps drawing while it learns. Training epochs
are not undo steps, but the weights are the model's extra ``weights``: written when training
pauses and before every recorded change, loaded whenever a change brings other weights back.

The network diagram is the centre: a weight or bias edited there, and a layer made larger or
smaller with its + / − buttons, go through the model (recorded, so undoable). While training, the
edges follow every frame; the units' thumbnails, the accuracy and the confusion table only when an
epoch completes.
"""

from __future__ import annotations

import html
import time

import numpy as np
from PySide6 import QtCore, QtWidgets

from actviz.evaluation import EvaluationError
from actviz.gui import ControlPanel, ViewContext, ViewWidget, bind, control_column, warning_label
from actviz.gui import themed_plot_colors as colors
from actviz.maths.learning import FEATURES, MAX_HIDDEN_LAYERS, MAX_NEURONS, PlaygroundNetwork, TrainingError
from actviz_views.playground_diagram import Selection
from actviz_views.playground_maps import OutputScale, output_scale, thumbnails
from actviz_views.playground_model import (
    DATA_KEYS,
    DISPLAY_KEYS,
    PlaygroundModel,
    edit_weights,
    is_live,
    load_weights,
    resets,
    weights_state,
)
from actviz_views.playground_plots import PlaygroundPlots
from actviz_views.playground_text import DELTA_LINK, confusion_html, explanation, summary

SLICE_S = 0.008  # training per timer tick, at most
MIN_SLICE_S = 0.003  # the slice shrinks towards this when drawing and painting leave less of a 16.7 ms frame
FRAME_MS = 16
WIDE_PAGE = 600  # px of page below which the output map goes under the network
OWN_WIDGETS = {"features", "csv", "epochs", *DISPLAY_KEYS}  # check boxes, the Load CSV… button, export only
#: the display check boxes: key -> (label, value when ticked, value when not)
TOGGLES = {"show_test": ("show test data", "on", "off"), "discretize": ("discretize output", "on", "off"),
           "edges": ("edges: ∂E/∂w of last batch", "gradient", "weights")}
WEIGHT_RANGE = 100.0  # what the weight editor accepts
#: while running, thumbnails, scores and loss curves follow every this many frames (edges and the map every one)
MAPS_EVERY = 4


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
        self.edited = False  # a weight was set by hand since the last reset
        self.scale: OutputScale | None = None
        self.scores: dict = {}
        self._maps_key: tuple | None = None
        self._maps_frame = 0
        self._version = 0  # counts loads of other weights: the paused picture's cache key
        self._map_drawn: tuple | None = None  # the _forward_key the output map was drawn from
        self._edges_drawn: tuple | None = None
        self._map_error = ""
        self._synced: tuple | None = None  # (network mark, the extra written) at the last sync_model
        self.selection: Selection | None = None
        self.plots = PlaygroundPlots(*colors(self))
        self.diagram = self.plots.diagram
        self.diagram.sigSelected.connect(self._selected)
        self.diagram.sigResize.connect(self.resize_layer)

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
        self.summary.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.confusion = QtWidgets.QLabel("")
        self.confusion.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.confusion.setWordWrap(True)
        self.explanation.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.explanation.linkActivated.connect(self.context.open_view)

        self.run_button = QtWidgets.QPushButton("Run")
        self.run_button.setCheckable(True)
        self.run_button.toggled.connect(self.set_running)
        self.step_button = QtWidgets.QPushButton("Step")
        self.step_button.setToolTip("Train one epoch")
        self.step_button.clicked.connect(lambda: self.step_epochs(1))
        self.batch_button = QtWidgets.QPushButton("Step batch")
        self.batch_button.setToolTip("Train one mini-batch and show each edge's ∂E/∂w for it")
        self.batch_button.clicked.connect(self.step_batch)
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
        display_box = QtWidgets.QGroupBox("Display")
        dlayout = QtWidgets.QVBoxLayout(display_box)
        self.toggles: dict[str, QtWidgets.QCheckBox] = {}
        for key, (label, on, off) in TOGGLES.items():
            box = QtWidgets.QCheckBox(label)
            box.setToolTip(self.model.key(key).control.help)
            box.toggled.connect(lambda checked, k=key, a=on, b=off: self._set(k, a if checked else b))
            self.toggles[key] = box
            dlayout.addWidget(box)

        # the weight editor: what was clicked in the diagram, and its value
        self.edit_label = QtWidgets.QLabel("")
        self.edit_spin = QtWidgets.QDoubleSpinBox()
        self.edit_spin.setRange(-WEIGHT_RANGE, WEIGHT_RANGE)
        self.edit_spin.setDecimals(4)
        self.edit_spin.setSingleStep(0.1)
        self.edit_spin.setKeyboardTracking(False)
        self.edit_spin.setFixedWidth(110)
        self.edit_spin.valueChanged.connect(self.edit_selected)
        self.edit_hint = QtWidgets.QLabel("Click a unit (its bias) or an edge (its weight) to edit it.")
        editor = QtWidgets.QHBoxLayout()
        editor.setContentsMargins(0, 0, 0, 0)
        editor.addWidget(self.edit_hint)
        editor.addWidget(self.edit_label)
        editor.addWidget(self.edit_spin)
        editor.addStretch(1)
        self.edit_label.hide()
        self.edit_spin.hide()

        self.panel = ControlPanel(spin_width=70)
        self.binding = bind(self.model, self.panel, include=lambda key: key.name not in OWN_WIDGETS)

        self.timer = QtCore.QTimer(self)
        self.timer.setTimerType(QtCore.Qt.TimerType.PreciseTimer)
        self.timer.setInterval(FRAME_MS)
        self.timer.timeout.connect(self._tick)

        buttons = QtWidgets.QGridLayout()
        buttons.addWidget(self.run_button, 0, 0)
        buttons.addWidget(self.step_button, 0, 1)
        buttons.addWidget(self.batch_button, 1, 0)
        buttons.addWidget(self.reset_button, 1, 1)
        buttons.addWidget(self.csv_button, 2, 0, 1, 2)
        side = QtWidgets.QVBoxLayout()
        side.addLayout(buttons)
        side.addWidget(self.epoch_label)
        side.addWidget(self.summary)
        side.addWidget(self.confusion)
        side.addWidget(display_box)
        side.addWidget(features_box)
        side.addWidget(layers_box)
        side.addWidget(self.panel)
        words = QtWidgets.QScrollArea()  # the explanation, a few lines high: the picture keeps the room
        words.setWidget(self.explanation)
        words.setWidgetResizable(True)
        words.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        words.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.explanation_area = words
        self._fit_explanation()
        main = QtWidgets.QVBoxLayout()
        main.addWidget(self.warning)
        main.addWidget(self.plots, 1)
        main.addLayout(editor)
        main.addWidget(words)
        page = QtWidgets.QWidget()  # the picture scrolls when the window is smaller than it needs, never squashes
        page.setLayout(main)
        scroll = QtWidgets.QScrollArea()
        scroll.setWidget(page)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.page_scroll = scroll
        self._fit_plots(600)
        layout = QtWidgets.QHBoxLayout(self)
        layout.addWidget(control_column(side, 262))
        layout.addWidget(scroll, 1)
        self.model.flushers.append(self.sync_model)
        self.on_model_changed(frozenset(self.model.values()) | {"weights"})

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._fit_explanation()
        self._fit_plots(self.page_scroll.viewport().width())

    def _fit_explanation(self) -> None:
        """A few lines of explanation on a small screen, more on a tall one; the rest scrolls."""
        lines = 4 if self.height() < 800 else 6
        self.explanation_area.setMaximumHeight(lines * self.fontMetrics().lineSpacing() + 6)

    # -- model → network and widgets ------------------------------------------------------------
    def on_model_changed(self, names: frozenset[str]) -> None:
        if names & {"features", "hidden"}:
            self._show_structure()
        if names & DISPLAY_KEYS:
            self._show_toggles()
        if resets(names) or self.network is None:
            self.rebuild(new_data=bool(names & DATA_KEYS) or self.dataset is None)
        elif "weights" in names and self.network is not None:
            saved = self.model.extras["weights"]
            if saved != weights_state(self.network, self.edited):
                self._load(saved)
        if self.network is not None and any(is_live(n) for n in names):
            self.model.apply_live(self.network)
            if any(n.startswith("loss.") for n in names):
                self._new_scale()
        self.schedule_refresh()

    def _load(self, saved) -> None:
        """Saved weights (None: fresh from the seed) into the running network."""
        self.weights_note = load_weights(self.network, saved)
        self.edited = bool(saved and saved.get("edited")) and not self.weights_note
        self._version += 1

    def _new_scale(self) -> None:
        """The output's colour scale and the explanation, from the loss's noise model."""
        self.scale = output_scale(self.network) if self.network is not None else None
        self.explanation_text = explanation(self.dataset, self.network, self.model.data_name(), self.scale)
        self.explanation.setText(html.escape(self.explanation_text) + "<br>" + DELTA_LINK)

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
        self.edited = False
        self._version += 1
        if self.network is not None:
            saved = self.model.extras["weights"]
            if saved is not None:
                self._load(saved)
            elif self.model["epochs"] > 0:
                self.network.train_epochs(int(self.model["epochs"]))
                self.sync_model()
        self._new_scale()
        d = self.dataset
        self.plots.arrange(self.network, tuple(FEATURES[f] for f in self.model.features), d.class_labels)
        self._frame = 0
        self.plots.forget_history()
        self.schedule_refresh()

    def _fit_plots(self, width: int) -> None:
        """Side by side when there is room; stacked (network, map, loss, |δ|) and scrolling down when narrow."""
        narrow = width < WIDE_PAGE
        self.plots.set_narrow(narrow)
        self.plots.setMinimumSize(*((400, 1010) if narrow else (600, 470)))

    def sync_model(self) -> None:
        """The network's weights into the model's extra, unrecorded (before a scene save or a recorded change)."""
        net = self.network
        if net is None:
            return
        # written before every recorded change (each frame of a slider drag): only when the network moved on
        mark = (id(net), self._version, net.steps, self.edited, self._weight_bytes())
        if self._synced is not None and self._synced[0] == mark and self.model.extras["weights"] is self._synced[1]:
            return
        self.model.set_extra("weights", weights_state(net, self.edited), record=False)
        self._synced = (mark, self.model.extras["weights"])

    def _weight_bytes(self) -> bytes:
        net = self.network
        return b"".join(np.ascontiguousarray(a).tobytes() for a in (*net.weights, *net.biases))

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

    def _show_toggles(self) -> None:
        for key, box in self.toggles.items():
            with QtCore.QSignalBlocker(box):
                box.setChecked(self.model[key] == TOGGLES[key][1])

    def resize_layer(self, layer: int, delta: int) -> None:
        """A diagram + / − button: one unit more or less in a hidden layer (layer −1: one layer more or less)."""
        sizes = list(self.model.hidden)
        if layer < 0:
            if delta > 0 and len(sizes) < MAX_HIDDEN_LAYERS:
                sizes.append(sizes[-1] if sizes else 4)
            elif delta < 0 and sizes:
                sizes.pop()
        elif layer < len(sizes):
            sizes[layer] = min(MAX_NEURONS, max(1, sizes[layer] + delta))
        text = ",".join(map(str, sizes)) or "none"
        if text != self.model["hidden"]:
            self._set("hidden", text)

    # -- editing a weight or a bias in the diagram ----------------------------------------------
    def _selected(self, sel: Selection | None) -> None:
        self.selection = sel
        self._show_editor()

    def selected_value(self) -> float | None:
        sel, net = self.selection, self.network
        if sel is None or net is None or sel.layer >= len(net.weights):
            return None
        try:
            if sel.is_bias:
                return float(net.biases[sel.layer][sel.j])
            return float(net.weights[sel.layer][sel.i, sel.j])
        except IndexError:
            return None

    def _show_editor(self) -> None:
        value = self.selected_value()
        sel = self.selection
        shown = value is not None
        self.edit_hint.setVisible(not shown)
        self.edit_label.setVisible(shown)
        self.edit_spin.setVisible(shown)
        if not shown:
            return
        d = self.diagram
        if sel.is_bias:
            what = f"bias of {d.unit_name(sel.layer + 1, sel.j)}:  b ="
        else:
            what = f"weight {d.unit_name(sel.layer, sel.i)} → {d.unit_name(sel.layer + 1, sel.j)}:  w ="
        self.edit_label.setText(what)
        if not self.edit_spin.hasFocus():
            with QtCore.QSignalBlocker(self.edit_spin):
                self.edit_spin.setValue(max(-WEIGHT_RANGE, min(WEIGHT_RANGE, value)))

    def edit_selected(self, value: float) -> None:
        """Set the selected weight or bias: a recorded change of the ``weights`` extra (Undo takes it back)."""
        sel, net = self.selection, self.network
        if sel is None or net is None or self.selected_value() is None:
            return
        # the step's "before" must be these weights, not None: restoring a state never sets an extra to None
        self.edited = True
        self.sync_model()
        state = weights_state(net, edited=True)
        self.model.set_extra("weights", edit_weights(state, sel.layer, sel.j, float(value), sel.i))
        self.schedule_refresh()

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
            if was:
                self.schedule_refresh()  # the paused picture: antialiased edges, fresh thumbnails and scores
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

    def step_batch(self) -> None:
        """One mini-batch, its ∂E/∂w drawn on the edges."""
        if self.model["edges"] != "gradient":
            self._set("edges", "gradient")
        if self.network is not None:
            self.network.step()
            if not self.running:
                self.sync_model()
        self.schedule_refresh()

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
        if self.network is not None and (self.network.steps or self.edited):
            self._load(None)
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
        if net is not None:
            # what the output map and the thumbnails are drawn from: a control that changes none of it (the
            # learning rate, batch size or regularisation while paused) repaints nothing
            forward = self._forward_key()
            fresh = self._maps_key != self._picture_key(forward)
            if fresh and self.running and self._frame - self._maps_frame < MAPS_EVERY:
                fresh = False  # an epoch or more per frame: thumbnails and scores at a few per second
            if forward != self._map_drawn or fresh:
                self._map_drawn = forward
                self._map_error = ""
                try:
                    grids = net.neuron_grids(self.plots.grid_x, self.plots.grid_y)
                except (TrainingError, EvaluationError) as exc:
                    grids = None
                    self._map_error = f"cannot draw the output: {exc}"
                if grids is not None:
                    scale = self.scale or output_scale(net)
                    self.plots.draw_output(net, grids[-1], scale, self.model["discretize"] == "on")
                    if fresh:  # the thumbnails follow epochs while running, every change while paused
                        self.diagram.set_thumbnails(thumbnails(net, grids, scale))
            self.diagram.set_live(self.running)
            edges = (forward, self.model["edges"], id(net.last_grad_w))
            if edges != self._edges_drawn:
                self._edges_drawn = edges
                self.diagram.set_parameters(net.weights, net.biases, net.last_grad_w, net.last_grad_b,
                                            self.model["edges"])
            if fresh:
                self._maps_key = self._picture_key(forward)
                self._maps_frame = self._frame
                self._score()
            if not self.running or self._frame % MAPS_EVERY == 0:
                self.plots.draw_history(net)  # a new loss range re-renders the axes: not every frame
            if not self.edit_spin.hasFocus():
                self._show_editor()
        else:
            self._map_drawn = self._edges_drawn = None
            self._map_error = ""
        self.plots.show_test(self.model["show_test"] == "on")
        self._show_messages(self._map_error)

    def _forward_key(self) -> tuple:
        """Everything the output map is computed from: the network, its weights, functions' parameters, the scale."""
        net = self.network
        return (id(net), self._version, net.steps, self._weight_bytes(), tuple(sorted(net.activation_params.items())),
                tuple(sorted(net.output_params.items())), id(self.plots.grid_x), self.scale,
                self.model["discretize"])

    def _picture_key(self, forward: tuple) -> tuple:
        if self.running:
            return (id(self.network), int(self.network.epoch))
        return forward

    def _score(self) -> None:
        """Accuracy on train and test points and the confusion table, by the loss's own decision rule."""
        net, d = self.network, self.dataset
        self.scores = {}
        text = ""
        if d is not None and d.kind == "classification":
            try:
                train, m_train = net.confusion(test=False)
                test, m_test = net.confusion(test=True) if len(d.x_test) else (float("nan"), None)
            except (TrainingError, EvaluationError) as exc:
                self.confusion.setText(f"no accuracy: {exc}")
                return
            on_test = m_test is not None
            self.scores = {"train": train, "test": test, "matrix": m_test if on_test else m_train,
                           "on_test": on_test}
            text = confusion_html(self.scores["matrix"], d.class_labels, on_test)
        self.confusion.setText(text)
        self.confusion.setVisible(bool(text))
        accuracy = (self.scores["train"], self.scores["test"]) if self.scores else None
        self.summary.setText(summary(net, d, self.model.data_name(), accuracy))

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

