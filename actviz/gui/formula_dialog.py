"""Type an activation f(z) or a loss E(y, t) as a formula; it is checked like any plugin's before it is added.

Parameters are found while you type (every free name is one) and listed
with editable ranges; an error points at its column under the text, and
the list of what is allowed stays on screen beside it.
"""

from __future__ import annotations

from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from actviz.gui.theme import set_warning_style
from actviz.host.formulas import CONSTANTS, FUNCTIONS, FormulaError, auto_params, gap_words, parse_formula

HELP = ("Write f(z) — or E(y, t) for a loss — with numbers, + − * / **, "
        + ", ".join(sorted(CONSTANTS)) + ", and " + ", ".join(sorted(FUNCTIONS))
        + " (where(a < b, x, y) picks x where a < b). Every other name, such as a or beta, is a parameter.")
KINDS = (("activation", "f(z) ="), ("loss", "E(y, t) ="))
COLUMNS = ("parameter", "default", "low", "high")


def caret(column: int | None) -> str:
    """A caret under the given 1-based column (the formula field uses the same monospace font)."""
    return " " * (column - 1) + "^" if column else ""


class FormulaDialog(QtWidgets.QDialog):
    def __init__(self, window) -> None:
        super().__init__(window)
        self.window_ = window
        self.setWindowTitle("New formula")
        mono = QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont)
        self.name = QtWidgets.QLineEdit("my_swish")
        self.label = QtWidgets.QLineEdit()
        self.label.setPlaceholderText("shown in lists and legends (default: the name)")
        self.kind = QtWidgets.QComboBox()
        self.kind.addItems(["activation f(z)", "loss E(y, t)"])
        self.text = QtWidgets.QLineEdit("a * z * logistic(b * z)")
        self.pointer = QtWidgets.QLabel("")
        for widget in (self.text, self.pointer):
            widget.setFont(mono)
        set_warning_style(self.pointer)
        self.params = QtWidgets.QTableWidget(0, len(COLUMNS))
        self.params.setHorizontalHeaderLabels(COLUMNS)
        self.params.verticalHeader().hide()
        self.params.setFixedHeight(110)
        self.domain = QtWidgets.QComboBox()
        self.domain.addItems(["real", "probability"])
        self.target = [QtWidgets.QDoubleSpinBox() for _ in range(3)]
        for box, value in zip(self.target, (1.0, -3.0, 3.0), strict=True):
            box.setRange(-1e6, 1e6)
            box.setDecimals(3)
            box.setValue(value)
        self.help = QtWidgets.QLabel(HELP)
        self.help.setWordWrap(True)
        self.message = QtWidgets.QLabel("")
        self.message.setWordWrap(True)
        set_warning_style(self.message)
        self.existing = QtWidgets.QComboBox()
        self.existing.addItems(sorted(window.formulas))
        remove = QtWidgets.QPushButton("Remove")
        remove.clicked.connect(self.remove)
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Ok
                                             | QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.add)
        buttons.rejected.connect(self.reject)

        form = QtWidgets.QFormLayout(self)
        form.addRow("Name", self.name)
        form.addRow("Label", self.label)
        form.addRow("Kind", self.kind)
        self.text_label = QtWidgets.QLabel(KINDS[0][1])
        form.addRow(self.text_label, self.text)
        form.addRow("", self.pointer)
        form.addRow(self.message)
        form.addRow("Parameters", self.params)
        self.loss_row = QtWidgets.QWidget()
        loss = QtWidgets.QHBoxLayout(self.loss_row)
        loss.setContentsMargins(0, 0, 0, 0)
        loss.addWidget(QtWidgets.QLabel("y in"))
        loss.addWidget(self.domain)
        loss.addWidget(QtWidgets.QLabel("target t: default, low, high"))
        for box in self.target:
            loss.addWidget(box)
        form.addRow(self.loss_row)
        form.addRow(self.help)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.existing, 1)
        row.addWidget(remove)
        form.addRow("Your formulas", row)
        form.addRow(buttons)
        self.text.textChanged.connect(self.refresh)
        self.kind.currentIndexChanged.connect(self.refresh)
        self.domain.currentIndexChanged.connect(self._domain_changed)
        self.refresh()

    # -- reading the form --------------------------------------------------------------------------
    def kind_name(self) -> str:
        return KINDS[self.kind.currentIndex()][0]

    def table_params(self) -> dict[str, tuple[float, float, float]]:
        """The parameter table as {name: (default, low, high)}; FormulaError names a cell that is not a number."""
        out = {}
        for row in range(self.params.rowCount()):
            name = self.params.item(row, 0).text()
            try:
                out[name] = tuple(float(self.params.item(row, c).text()) for c in (1, 2, 3))
            except ValueError:
                raise FormulaError(f"parameter {name}: default, low and high must be numbers") from None
        return out

    def options(self) -> dict[str, Any]:
        options: dict[str, Any] = {"kind": self.kind_name(), "label": self.label.text().strip() or None}
        if options["kind"] == "loss":
            options["domain"] = self.domain.currentText()
            options["target"] = tuple(box.value() for box in self.target)
        return options

    # -- live feedback ---------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-check the text as it is typed: the error and its column, and the parameters it uses."""
        kind = self.kind_name()
        self.text_label.setText(dict(KINDS)[kind])
        self.loss_row.setVisible(kind == "loss")
        try:
            found = auto_params(self.text.text(), kind)
            parse_formula(self.text.text(), found, {"activation": ("z",), "loss": ("y", "t")}[kind])
        except FormulaError as exc:
            self.show_error(exc)
            return
        self.show_error(None)
        try:
            kept = self.table_params()
        except FormulaError:
            kept = {}
        self.params.setRowCount(len(found))
        for row, (name, bounds) in enumerate(found.items()):
            values = kept.get(name, bounds)
            for column, value in enumerate((name, *values)):
                item = QtWidgets.QTableWidgetItem(value if column == 0 else f"{value:g}")
                if column == 0:
                    item.setFlags(item.flags() & ~QtCore.Qt.ItemFlag.ItemIsEditable)
                self.params.setItem(row, column, item)

    def show_error(self, exc: FormulaError | None, prefix: str = "") -> None:
        """The reason in red and a caret under its column; the help text stays where it is."""
        self.message.setText(f"{prefix}{exc}" if exc else "")
        self.pointer.setText(caret(exc.column) if exc else "")

    def _domain_changed(self) -> None:
        if self.domain.currentText() == "probability":
            for box, value in zip(self.target, (1.0, 0.0, 1.0), strict=True):
                box.setValue(value)

    # -- actions ---------------------------------------------------------------------------------
    def add(self) -> None:
        try:
            spec = self.window_.add_formula(self.name.text().strip(), self.text.text(), self.table_params(),
                                            **self.options())
        except FormulaError as exc:
            self.show_error(exc, "Not added: ")
            return
        words = gap_words(spec) if spec is not None else ""
        if words:
            self.window_.show_status(f"{spec.label}: {words} (left as a gap)")
        self.accept()

    def remove(self) -> None:
        name = self.existing.currentText()
        if name:
            self.window_.remove_formula(name)
            self.existing.removeItem(self.existing.currentIndex())
