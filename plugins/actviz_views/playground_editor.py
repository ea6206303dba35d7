"""The playground's weight editor: the weight or bias clicked in the network diagram, and its value.

A mixin of :class:`~actviz_views.playground_view.PlaygroundView`: an edit is a recorded change of the model's
``weights`` extra, so Undo takes it back.
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from actviz.maths.learning import PlaygroundNetwork
from actviz_views.playground_diagram import NetworkDiagram, Selection
from actviz_views.playground_model import PlaygroundModel, edit_weights, weights_state

WEIGHT_RANGE = 100.0  # what the weight editor accepts


class WeightEditor:
    """A spin box for the selected weight or bias; a hint when nothing is selected."""

    model: PlaygroundModel
    network: PlaygroundNetwork | None
    diagram: NetworkDiagram
    selection: Selection | None
    edited: bool

    def _build_editor(self) -> QtWidgets.QHBoxLayout:
        """The editor's row, under the pictures."""
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
        return editor

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
