"""The playground's control column: run/step/reset and Load CSV… buttons, the readouts under them, the
input-feature and hidden-layer boxes, the display check boxes and the model's bound controls.

A mixin of :class:`~actviz_views.playground_view.PlaygroundView` (it reads the view's model and network and
calls its training methods): the view keeps the drawing and the training loop.
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from actviz.gui import ControlPanel, bind
from actviz.maths.learning import FEATURES, MAX_HIDDEN_LAYERS, MAX_NEURONS
from actviz_views.playground_model import DISPLAY_KEYS, PlaygroundModel

OWN_WIDGETS = {"features", "csv", "epochs", *DISPLAY_KEYS}  # check boxes, the Load CSV… button, export only
#: the display check boxes: key -> (label, value when ticked, value when not)
TOGGLES = {"show_test": ("show test data", "on", "off"), "discretize": ("discretize output", "on", "off"),
           "edges": ("edges: ∂E/∂w of last batch", "gradient", "weights")}


class PlaygroundControls:
    """The control column's widgets and what they set in the model."""

    model: PlaygroundModel
    panel: ControlPanel

    def _build_controls(self) -> QtWidgets.QVBoxLayout:
        """The column's widgets, as a layout for :func:`~actviz.gui.control_column`."""
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

        self.panel = ControlPanel(spin_width=70)
        self.binding = bind(self.model, self.panel, include=lambda key: key.name not in OWN_WIDGETS)

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
        return side

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
