"""Controls built from specs: a slider plus a spin box per Param, a combo box per Choice.

The slider emits while dragged; values are clamped into range with a visible
note rather than rejected, and nothing here knows what the parameter means.
The mouse wheel changes a control only once the user has focused it, so
scrolling a column of controls never changes the one under the pointer.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from PySide6 import QtCore, QtGui, QtWidgets

from actviz.gui.theme import set_warning_style
from actviz.specs import Choice, Param

Control = Param | Choice

SLIDER_STEPS = 1000


def decimals_for(step: float) -> int:
    if step >= 1 and float(step).is_integer():
        return 0  # counts and seeds read as 51, not 51.0
    return max(0, min(6, -math.floor(math.log10(step)) + 1)) if step > 0 else 3


def parse_number(text: str, locale: QtCore.QLocale | None = None) -> float | None:
    """The number typed in ``text``, or None.

    The locale's own form first ("2,5" in German), then the C form with
    scientific notation ("1e-1", "-3.5E2"); a lone comma is a decimal comma in
    any locale ("2,5" is 2.5, never 25). Group separators are not accepted: a
    typed "1,000" is ambiguous.
    """
    text = text.strip().replace("\u2212", "-").replace(" ", "")
    if not text:
        return None
    locale = QtCore.QLocale(locale if locale is not None else QtCore.QLocale())
    locale.setNumberOptions(QtCore.QLocale.NumberOption.RejectGroupSeparator)
    value, ok = locale.toDouble(text)
    if ok:
        return value
    candidates = [text]
    if text.count(",") == 1 and "." not in text:
        if locale.groupSeparator() == "," and re.fullmatch(r"[-+]?\d{1,3},\d{3}", text):
            return None  # "1,000" here may mean a thousand: refuse rather than guess
        candidates.append(text.replace(",", "."))
    for candidate in candidates:
        try:
            value = float(candidate)
        except ValueError:
            continue
        return value if math.isfinite(value) else None
    return None


class NumberBox(QtWidgets.QDoubleSpinBox):
    """A spin box that reads numbers as :func:`parse_number` does; unreadable text emits ``unreadable(text)``.

    QDoubleSpinBox drops characters it does not expect, so "2,5" became 25
    and "1e-1" became 11.
    """

    unreadable = QtCore.Signal(str)

    def keyPressEvent(self, event: QtGui.QKeyEvent) -> None:  # noqa: N802 - Qt's name
        # the line edit's editingFinished never fires for text its validator finds incomplete
        if event.key() in (QtCore.Qt.Key.Key_Return, QtCore.Qt.Key.Key_Enter):
            self._check()
        super().keyPressEvent(event)

    def focusOutEvent(self, event: QtGui.QFocusEvent) -> None:  # noqa: N802 - Qt's name
        self._check()
        super().focusOutEvent(event)

    def validate(self, text: str, pos: int):  # noqa: D102 - Qt's contract
        value = parse_number(self._strip(text), self.locale())
        state = QtGui.QValidator.State.Acceptable if value is not None else QtGui.QValidator.State.Intermediate
        return state, text, pos

    def valueFromText(self, text: str) -> float:  # noqa: N802 - Qt's name
        value = parse_number(self._strip(text), self.locale())
        return self.value() if value is None else value

    def fixup(self, text: str) -> str:
        return text

    def _strip(self, text: str) -> str:
        return text.removeprefix(self.prefix()).removesuffix(self.suffix())

    def _check(self) -> None:
        text = self._strip(self.lineEdit().text())
        if parse_number(text, self.locale()) is None:
            self.lineEdit().setText(self.textFromValue(self.value()))  # show the value in use again
            self.unreadable.emit(text)


class ParamControl(QtWidgets.QWidget):
    """Slider + spin box + reset for one Param; ``valueChanged(float)`` on every move."""

    valueChanged = QtCore.Signal(float)

    def __init__(self, param: Param, value: float | None = None, parent=None) -> None:
        super().__init__(parent)
        self.param = param
        self._value = param.default if value is None else param.clamp(value)
        self.label = QtWidgets.QLabel(param.display)
        self.label.setWordWrap(True)  # a long name wraps instead of widening a narrow column
        self.slider = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal)
        self.slider.setRange(0, SLIDER_STEPS)
        self.spin = NumberBox()
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
        set_warning_style(self.note, "font-size: small;")
        self.note.setWordWrap(True)
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
        for w in (self.slider, self.spin):
            guard_wheel(w)
        self.slider.valueChanged.connect(self._from_slider)
        self.spin.valueChanged.connect(self._from_spin)
        self.spin.unreadable.connect(self._unreadable)
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
        p = self.param
        value = p.low + (p.high - p.low) * pos / SLIDER_STEPS
        if p.step:
            value = p.low + round((value - p.low) / p.step) * p.step
        self._apply(min(max(value, p.low), p.high))

    def _from_spin(self, value: float) -> None:
        self._apply(value)

    def _unreadable(self, text: str) -> None:
        self.note.setText(f"{text!r} is not a number; keeping {self._value:g}")
        self.note.show()

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
        with QtCore.QSignalBlocker(self.slider), QtCore.QSignalBlocker(self.spin):
            self.slider.setValue(self._to_slider(value))
            self.spin.setValue(value)


class ChoiceControl(QtWidgets.QWidget):
    """A combo box: options shown by their labels; free text when the Choice parses its own."""

    valueChanged = QtCore.Signal(str)

    def __init__(self, choice: Choice, value: str | None = None, parent=None) -> None:
        super().__init__(parent)
        self.choice = choice
        self.combo = QtWidgets.QComboBox()
        self.combo.setEditable(choice.parse is not None)
        for option in choice.options:
            self.combo.addItem(choice.option_label(option), option)
        self.combo.setToolTip(choice.help or choice.display)
        # the closed box elides a long label to the column's width; the open list shows every label whole
        self.combo.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(8)
        self.combo.setSizePolicy(QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Fixed)
        view = self.combo.view()
        view.setMinimumWidth(view.sizeHintForColumn(0) + 24)
        guard_wheel(self.combo)
        self.label = QtWidgets.QLabel(choice.display)
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.combo, 1)
        self.setValue(value if value is not None else choice.default)
        self.combo.activated.connect(lambda _i: self.valueChanged.emit(self.value()))
        if self.combo.isEditable():
            self.combo.lineEdit().editingFinished.connect(lambda: self.valueChanged.emit(self.value()))

    def value(self) -> str:
        if self.combo.isEditable():
            text = self.combo.currentText()
            i = self.combo.findText(text)
            return str(self.combo.itemData(i)) if i >= 0 and self.combo.itemData(i) is not None else text
        data = self.combo.currentData()
        return str(data) if data is not None else self.combo.currentText()

    def setValue(self, value: str) -> None:
        with QtCore.QSignalBlocker(self.combo):
            i = self.combo.findData(value)
            if i >= 0:
                self.combo.setCurrentIndex(i)
            elif self.combo.isEditable():
                self.combo.setEditText(str(value))


class _WheelGuard(QtCore.QObject):
    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QtCore.QEvent.Type.Wheel and not obj.hasFocus():
            event.ignore()  # let the scroll area scroll
            return True
        return False


_WHEEL_GUARD: _WheelGuard | None = None


def guard_wheel(widget: QtWidgets.QWidget) -> None:
    """The wheel changes ``widget`` only after a click or Tab has focused it."""
    global _WHEEL_GUARD
    if _WHEEL_GUARD is None:
        _WHEEL_GUARD = _WheelGuard()
    widget.setFocusPolicy(QtCore.Qt.FocusPolicy.StrongFocus)
    widget.installEventFilter(_WHEEL_GUARD)


class ControlPanel(QtWidgets.QWidget):
    """A column of controls built from specs, with a reset-all button and a line for rejected values.

    ``build`` takes specs, or ``(key, spec)`` pairs when the key differs from the
    spec's name (a chosen function's parameter ``loss.delta``). ``changed(key,
    value)`` on every move, ``released(key)`` when a slider drag ends,
    ``reset_requested()`` for the reset-all button. :func:`bind` wires a panel to
    a model; nothing here knows what a key means.
    """

    changed = QtCore.Signal(str, object)  # key, value
    released = QtCore.Signal(str)
    reset_requested = QtCore.Signal()

    def __init__(self, parent=None, spin_width: int | None = None) -> None:
        super().__init__(parent)
        self.spin_width = spin_width  # views with a narrow side column pass a smaller width
        self.widgets: dict[str, ParamControl | ChoiceControl] = {}
        self._layout = QtWidgets.QVBoxLayout(self)
        self._layout.setContentsMargins(4, 4, 4, 4)
        self.empty = QtWidgets.QLabel("No parameters.")
        self.note = QtWidgets.QLabel("")
        self.note.setWordWrap(True)
        set_warning_style(self.note)
        self.note.hide()
        self.reset_all = QtWidgets.QPushButton("Reset all")
        self.reset_all.clicked.connect(self.reset)
        self._layout.addWidget(self.empty)
        self._layout.addWidget(self.note)
        self._layout.addWidget(self.reset_all)
        self._layout.addStretch(1)

    def build(self, controls: Sequence[Control | tuple[str, Control]], values: dict | None = None) -> None:
        for w in self.widgets.values():
            self._layout.removeWidget(w)
            w.hide()  # deleteLater waits for the event loop; never show a stale control meanwhile
            w.setParent(None)
            w.deleteLater()
        self.widgets = {}
        values = values or {}
        for i, item in enumerate(controls):
            key, c = item if isinstance(item, tuple) else (item.name, item)
            if isinstance(c, Param):
                w: ParamControl | ChoiceControl = ParamControl(c, values.get(key))
                if self.spin_width:
                    w.spin.setMaximumWidth(self.spin_width)
                w.slider.sliderReleased.connect(lambda key=key: self.released.emit(key))
            else:
                w = ChoiceControl(c, values.get(key))
            w.valueChanged.connect(lambda v, key=key: self.changed.emit(key, v))
            self._layout.insertWidget(i, w)
            self.widgets[key] = w
        self.empty.setVisible(not controls)
        self.reset_all.setVisible(bool(controls))
        self.show_note("")

    def keys(self) -> list[str]:
        return list(self.widgets)

    def set_values(self, values: dict) -> None:
        """Show ``values`` without emitting ``changed``."""
        for key, value in values.items():
            w = self.widgets.get(key)
            if w is None:
                continue
            if w.value() == value:
                continue  # the model echoes what this control just sent: keep its clamping note
            with QtCore.QSignalBlocker(w):
                if isinstance(w, ParamControl):
                    w.setValue(float(value))
                    w.note.hide()
                else:
                    w.setValue(str(value))

    def show_note(self, text: str) -> None:
        self.note.setText(text)
        self.note.setVisible(bool(text))

    def reset(self) -> None:
        if self.receivers(QtCore.SIGNAL("reset_requested()")) > 0:
            self.reset_requested.emit()
            return
        for w in self.widgets.values():
            if isinstance(w, ParamControl):
                w.setValue(w.param.default)
            else:
                w.setValue(w.choice.default)

    def values(self) -> dict[str, object]:
        return {k: w.value() for k, w in self.widgets.items()}
