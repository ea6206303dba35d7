"""Controls built from specs: a slider plus a spin box per Param, a combo box per Choice.

The slider emits while dragged; values are clamped into range with a visible
note rather than rejected, and nothing here knows what the parameter means.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from PySide6 import QtCore, QtWidgets

from actviz.gui.viewbase import Choice, Control
from actviz.specs import Param

SLIDER_STEPS = 1000


def decimals_for(step: float) -> int:
    if step >= 1 and float(step).is_integer():
        return 0  # counts and seeds read as 51, not 51.0
    return max(0, min(6, -math.floor(math.log10(step)) + 1)) if step > 0 else 3


class ParamControl(QtWidgets.QWidget):
    """Slider + spin box + reset for one Param; ``valueChanged(float)`` on every move."""

    valueChanged = QtCore.Signal(float)

    def __init__(self, param: Param, value: float | None = None, parent=None) -> None:
        super().__init__(parent)
        self.param = param
        self._value = param.default if value is None else param.clamp(value)
        self._syncing = False
        self.label = QtWidgets.QLabel(param.display)
        self.slider = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal)
        self.slider.setRange(0, SLIDER_STEPS)
        self.spin = QtWidgets.QDoubleSpinBox()
        self.spin.setDecimals(decimals_for(param.resolution))
        # The spin box accepts values well outside the range; we clamp ourselves so the user sees a note.
        span = param.high - param.low
        self.spin.setRange(param.low - 100 * span, param.high + 100 * span)
        self.spin.setMaximumWidth(120)
        self.spin.setSingleStep(param.resolution)
        self.spin.setKeyboardTracking(False)
        self.reset = QtWidgets.QToolButton(text="↺")
        self.reset.setToolTip(f"Reset {param.display} to {param.default:g}")
        self.note = QtWidgets.QLabel("")
        self.note.setStyleSheet("color: #c0392b; font-size: small;")
        self.note.hide()
        tip = f"{param.display}: {param.help}\n" if param.help else f"{param.display}\n"
        tip += f"range [{param.low:g}, {param.high:g}], default {param.default:g}"
        for w in (self.label, self.slider, self.spin):
            w.setToolTip(tip)
        grid = QtWidgets.QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.label, 0, 0)
        grid.addWidget(self.spin, 0, 1)
        grid.addWidget(self.reset, 0, 2)
        grid.addWidget(self.slider, 1, 0, 1, 3)
        grid.addWidget(self.note, 2, 0, 1, 3)
        self.slider.valueChanged.connect(self._from_slider)
        self.spin.valueChanged.connect(self._from_spin)
        self.reset.clicked.connect(lambda: self.setValue(param.default))
        self._show(self._value)

    def value(self) -> float:
        return self._value

    def setValue(self, value: float) -> None:
        """Set programmatically (clamped); emits valueChanged when it changes."""
        self._apply(value)

    def _to_slider(self, value: float) -> int:
        p = self.param
        return round((value - p.low) / (p.high - p.low) * SLIDER_STEPS)

    def _from_slider(self, pos: int) -> None:
        if self._syncing:
            return
        p = self.param
        value = p.low + (p.high - p.low) * pos / SLIDER_STEPS
        if p.step:
            value = p.low + round((value - p.low) / p.step) * p.step
        self._apply(min(max(value, p.low), p.high))

    def _from_spin(self, value: float) -> None:
        if not self._syncing:
            self._apply(value)

    def _apply(self, value: float) -> None:
        p = self.param
        clamped = p.clamp(value)
        if clamped != value:
            self.note.setText(f"{value:g} is outside [{p.low:g}, {p.high:g}]; using {clamped:g}")
            self.note.show()
        else:
            self.note.hide()
        changed = clamped != self._value
        self._value = clamped
        self._show(clamped)
        if changed:
            self.valueChanged.emit(clamped)

    def _show(self, value: float) -> None:
        self._syncing = True
        try:
            self.slider.setValue(self._to_slider(value))
            self.spin.setValue(value)
        finally:
            self._syncing = False


class ChoiceControl(QtWidgets.QWidget):
    valueChanged = QtCore.Signal(str)

    def __init__(self, choice: Choice, value: str | None = None, parent=None) -> None:
        super().__init__(parent)
        self.choice = choice
        self.combo = QtWidgets.QComboBox()
        self.combo.addItems(list(choice.options))
        self.combo.setToolTip(choice.help or choice.display)
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QtWidgets.QLabel(choice.display))
        layout.addWidget(self.combo, 1)
        self.setValue(value or choice.default)
        self.combo.currentTextChanged.connect(self.valueChanged.emit)

    def value(self) -> str:
        return self.combo.currentText()

    def setValue(self, value: str) -> None:
        i = self.combo.findText(value)
        if i >= 0:
            self.combo.setCurrentIndex(i)


class ControlPanel(QtWidgets.QWidget):
    """A column of controls built from specs, with a reset-all button."""

    changed = QtCore.Signal(str, object)  # name, value

    def __init__(self, parent=None, spin_width: int | None = None) -> None:
        super().__init__(parent)
        self.spin_width = spin_width  # views with a narrow side column pass a smaller width
        self.widgets: dict[str, ParamControl | ChoiceControl] = {}
        self._layout = QtWidgets.QVBoxLayout(self)
        self._layout.setContentsMargins(4, 4, 4, 4)
        self.empty = QtWidgets.QLabel("No parameters.")
        self.reset_all = QtWidgets.QPushButton("Reset all")
        self.reset_all.clicked.connect(self.reset)
        self._layout.addWidget(self.empty)
        self._layout.addWidget(self.reset_all)
        self._layout.addStretch(1)

    def build(self, controls: Sequence[Control], values: dict | None = None,
              on_change: Callable[[str, object], None] | None = None) -> None:
        for w in self.widgets.values():
            self._layout.removeWidget(w)
            w.hide()  # deleteLater waits for the event loop; never show a stale control meanwhile
            w.setParent(None)
            w.deleteLater()
        self.widgets = {}
        values = values or {}
        for i, c in enumerate(controls):
            if isinstance(c, Param):
                w: ParamControl | ChoiceControl = ParamControl(c, values.get(c.name))
                if self.spin_width:
                    w.spin.setMaximumWidth(self.spin_width)
            else:
                w = ChoiceControl(c, values.get(c.name))
            w.valueChanged.connect(lambda v, name=c.name: self.changed.emit(name, v))
            self._layout.insertWidget(i, w)
            self.widgets[c.name] = w
        self.empty.setVisible(not controls)
        self.reset_all.setVisible(bool(controls))

    def reset(self) -> None:
        for w in self.widgets.values():
            if isinstance(w, ParamControl):
                w.setValue(w.param.default)
            else:
                w.setValue(w.choice.default)

    def values(self) -> dict[str, object]:
        return {k: w.value() for k, w in self.widgets.items()}
