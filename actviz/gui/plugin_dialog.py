"""The plugin dialog: every plugin, what it adds, its status, and its problems in full."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

COLUMNS = ("Plugin", "Status", "Distribution", "Location", "Adds")


class PluginDialog(QtWidgets.QDialog):
    def __init__(self, window) -> None:
        super().__init__(window)
        self.window_ = window
        self.setWindowTitle("Plugins")
        self.resize(900, 520)
        self.table = QtWidgets.QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.itemChanged.connect(self._toggled)
        self.details = QtWidgets.QPlainTextEdit(readOnly=True)
        copy = QtWidgets.QPushButton("Copy problems")
        copy.clicked.connect(lambda: QtWidgets.QApplication.clipboard().setText(self.details.toPlainText()))
        close = QtWidgets.QPushButton("Close")
        close.clicked.connect(self.accept)
        buttons = QtWidgets.QHBoxLayout()
        buttons.addWidget(QtWidgets.QLabel("Untick a plugin to disable it (applied at once, remembered)."))
        buttons.addStretch(1)
        buttons.addWidget(copy)
        buttons.addWidget(close)
        split = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.details)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(split)
        layout.addLayout(buttons)
        self.populate()

    def populate(self) -> None:
        reg = self.window_.registry
        self.table.blockSignals(True)
        self.table.setRowCount(len(reg.plugins))
        for row, info in enumerate(reg.plugins):
            dist = f"{info.distribution} {info.version}".strip() or "(in-process)"
            cells = (info.name, info.status, dist, info.location, ", ".join(info.adds))
            for col, text in enumerate(cells):
                item = QtWidgets.QTableWidgetItem(text)
                item.setFlags(item.flags() & ~QtCore.Qt.ItemFlag.ItemIsEditable)
                if col == 0:
                    item.setFlags(item.flags() | QtCore.Qt.ItemFlag.ItemIsUserCheckable)
                    item.setCheckState(QtCore.Qt.CheckState.Unchecked if info.status == "disabled"
                                       else QtCore.Qt.CheckState.Checked)
                self.table.setItem(row, col, item)
        self.table.resizeColumnsToContents()
        self.table.blockSignals(False)
        lines = []
        for p in reg.problems:
            lines.append(str(p))
            if p.traceback:
                lines.append(p.traceback.rstrip())
            lines.append("")
        self.details.setPlainText("\n".join(lines) if lines else "No problems.")

    def _toggled(self, item: QtWidgets.QTableWidgetItem) -> None:
        if item.column() != 0:
            return
        enabled = item.checkState() == QtCore.Qt.CheckState.Checked
        self.window_.set_plugin_enabled(item.text(), enabled)
        QtCore.QTimer.singleShot(0, self.populate)
