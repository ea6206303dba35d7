"""Type an activation as a formula in z; it is checked like any plugin's before it is added."""

from __future__ import annotations

from PySide6 import QtWidgets

from actviz.host.formulas import FUNCTIONS, FormulaError

HELP = ("Write f(z) with numbers, z, your parameters, + − * / **, and "
        + ", ".join(sorted(FUNCTIONS)) + ", where(a < b, x, y). One parameter per line: name default low high.")


def parse_params(text: str) -> dict[str, tuple[float, float, float]]:
    """``beta 1 0 5`` per line → {"beta": (1.0, 0.0, 5.0)}; FormulaError names the bad line."""
    params: dict[str, tuple[float, float, float]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 4:
            raise FormulaError(f"parameter line {number}: expected 'name default low high', got {line.strip()!r}")
        try:
            default, low, high = (float(p) for p in parts[1:])
        except ValueError:
            raise FormulaError(f"parameter line {number}: default, low and high must be numbers") from None
        params[parts[0]] = (default, low, high)
    return params


class FormulaDialog(QtWidgets.QDialog):
    def __init__(self, window) -> None:
        super().__init__(window)
        self.window_ = window
        self.setWindowTitle("New formula")
        self.name = QtWidgets.QLineEdit("my_swish")
        self.text = QtWidgets.QLineEdit("z * logistic(beta * z)")
        self.params = QtWidgets.QPlainTextEdit("beta 1 0 5")
        self.params.setFixedHeight(70)
        self.message = QtWidgets.QLabel(HELP)
        self.message.setWordWrap(True)
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
        form.addRow("f(z) =", self.text)
        form.addRow("Parameters", self.params)
        form.addRow(self.message)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.existing, 1)
        row.addWidget(remove)
        form.addRow("Your formulas", row)
        form.addRow(buttons)

    def add(self) -> None:
        try:
            params = parse_params(self.params.toPlainText())
            self.window_.add_formula(self.name.text().strip(), self.text.text(), params)
        except FormulaError as exc:
            self.message.setText(f"Not added: {exc}")
            self.message.setStyleSheet("color: #c0392b;")
            return
        self.accept()

    def remove(self) -> None:
        name = self.existing.currentText()
        if name:
            self.window_.remove_formula(name)
            self.existing.removeItem(self.existing.currentIndex())
