"""The playground: a small network learning on 2-D data with any activation and loss in the registry.

Thin wiring over :class:`PlaygroundModel`: every control goes through the model; training runs
from a QTimer in slices of ~8 ms, so the window keeps drawing while it learns. Training epochs
are not undo steps, but the weights are the model's extra ``weights``: written when training
pauses and before every recorded change, loaded whenever a change brings other weights back.

The network diagram is the centre: a weight or bias edited there, and a layer made larger or
smaller with its + / − buttons, go through the model (recorded, so undoable). While training, the
edges follow every frame; the units' thumbnails, the accuracy and the confusion table only when an
epoch completes.

Here: the wiring, the training loop and the drawing; the control column is in :mod:`.playground_controls`,
the weight editor in :mod:`.playground_editor`, the exported columns in :mod:`.playground_export`.
"""

from __future__ import annotations

import html
import time

import numpy as np
from PySide6 import QtCore, QtWidgets

from actviz.evaluation import EvaluationError
from actviz.gui import ViewContext, ViewWidget, control_column, warning_label
from actviz.gui import themed_plot_colors as colors
from actviz.maths.learning import FEATURES, PlaygroundNetwork, TrainingError
from actviz_views.playground_controls import PlaygroundControls
from actviz_views.playground_diagram import Selection
from actviz_views.playground_editor import WeightEditor
from actviz_views.playground_export import export_columns
from actviz_views.playground_maps import OutputScale, output_scale, thumbnails
from actviz_views.playground_model import (
    DATA_KEYS,
    DISPLAY_KEYS,
    PlaygroundModel,
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
#: while running, thumbnails, scores and loss curves follow every this many frames (edges and the map every one)
MAPS_EVERY = 4


class PlaygroundView(PlaygroundControls, WeightEditor, ViewWidget):
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
        self.explanation.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.explanation.linkActivated.connect(self.context.open_view)
        self.warning = warning_label()
        side = self._build_controls()
        editor = self._build_editor()

        self.timer = QtCore.QTimer(self)
        self.timer.setTimerType(QtCore.Qt.TimerType.PreciseTimer)
        self.timer.setInterval(FRAME_MS)
        self.timer.timeout.connect(self._tick)

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

    # -- editing a weight or a bias in the diagram ----------------------------------------------
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
        return export_columns(self.plots, self.network, self.dataset)
