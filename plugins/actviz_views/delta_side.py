"""The output-δ view's side column: the list of drawn pairs with its Add/Remove buttons, and the bound
controls of the selected pair and of the target, mark and range.

A mixin of :class:`~actviz_views.delta_view.DeltaView` (it reads the view's model, legend and formula labels).
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from actviz.gui import PALETTE, ControlPanel, bind
from actviz_views import delta_text as text
from actviz_views.delta_model import DeltaModel, rules_of
from actviz_views.delta_pairs import MAX_PAIRS

PAIR_KEYS = ("activation", "loss", "t")
RANGE_KEYS = ("ywrong", "zmin", "zmax")


class DeltaSide:
    """The pair list, its buttons and the two control panels, and what they show of the model."""

    model: DeltaModel

    def _build_side(self) -> QtWidgets.QVBoxLayout:
        """The column's widgets, as a layout for :func:`~actviz.gui.control_column`."""
        self.pair_list = QtWidgets.QListWidget()
        self.pair_list.setFixedHeight(104)
        self.pair_list.setWordWrap(True)
        self.pair_list.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.pair_list.currentRowChanged.connect(self._from_list)
        self.add_button = QtWidgets.QPushButton("Add pair")
        self.add_button.setToolTip("add a copy of the selected pair, then change its activation or loss below")
        self.remove_button = QtWidgets.QPushButton("Remove")
        self.remove_button.setToolTip("remove the selected pair")
        self.add_button.clicked.connect(lambda: self._status(self.model.add_pair()))
        self.remove_button.clicked.connect(lambda: self._status(self.model.remove_pair(self.model.selected)))
        self.pair_panel = ControlPanel(spin_width=84)
        self.range_panel = ControlPanel(spin_width=84)
        for panel in (self.pair_panel, self.range_panel):
            panel.layout().setContentsMargins(0, 0, 0, 0)
        self.pair_binding = bind(self.model, self.pair_panel,
                                 include=lambda key: key.name in PAIR_KEYS or key.owner in PAIR_KEYS)
        self.range_binding = bind(self.model, self.range_panel, include=lambda key: key.name in RANGE_KEYS)

        pairs_box = QtWidgets.QGroupBox("Pairs drawn")
        pairs_layout = QtWidgets.QVBoxLayout(pairs_box)
        pairs_layout.setContentsMargins(4, 4, 4, 4)
        pairs_layout.addWidget(self.pair_list)
        buttons = QtWidgets.QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        pairs_layout.addLayout(buttons)
        side = QtWidgets.QVBoxLayout()
        side.setContentsMargins(0, 0, 4, 0)
        side.addWidget(pairs_box)
        for title, panel in (("Selected pair", self.pair_panel), ("Target, mark and range", self.range_panel)):
            box = QtWidgets.QGroupBox(title)
            box_layout = QtWidgets.QVBoxLayout(box)
            box_layout.setContentsMargins(4, 4, 4, 4)
            box_layout.addWidget(panel)
            side.addWidget(box)
        side.addStretch(1)
        return side

    def _show_pairs(self) -> None:
        entries = self.model.entries()
        selected = self.model.selected
        with QtCore.QSignalBlocker(self.pair_list):
            if self.pair_list.count() != len(entries):  # a pair added or removed: rebuild list and legend
                self.pair_list.clear()
                for i in range(len(entries)):
                    item = QtWidgets.QListWidgetItem()
                    color = QtGui.QColor(PALETTE[i % len(PALETTE)])
                    # the curve's colour, made light (dark) enough for 4.5:1 on a dark (light) list
                    dark = self.pair_list.palette().color(QtGui.QPalette.ColorRole.Base).lightnessF() < 0.5
                    color = color.lighter(150) if dark else color.darker(170)
                    item.setForeground(QtGui.QBrush(color))
                    self.pair_list.addItem(item)
                self.legend.clear()
                for i, slot in enumerate(self.slots):
                    if i < len(entries):
                        self.legend.addItem(slot.curves[0], entries[i].legend_name)
                    else:
                        slot.clear()
            for i, entry in enumerate(entries):  # a dragged parameter only relabels
                item = self.pair_list.item(i)
                item.setText(f"{i + 1}. {entry.title}")
                item.setToolTip(entry.text)
                label = self.legend.getLabel(self.slots[i].curves[0])
                if label is not None and label.text != entry.legend_name:
                    label.setText(entry.legend_name)
            self.pair_list.setCurrentRow(selected)
        self.remove_button.setEnabled(len(entries) > 1)
        self.add_button.setEnabled(len(entries) < MAX_PAIRS)
        tex, short, note = text.formula(self.model.selected_entry(), rules_of(self.model.registry))
        self.formula.set_formula(tex, deferred=not self.context.headless)
        self.formula_caption.setText(f"δ of pair {selected + 1} ({short}):")
        self.formula_note.setText(f"Pair {selected + 1}: {note}")

    def _from_list(self, row: int) -> None:
        if 0 <= row and row != self.model.selected:
            self.model.select(row)

    def _status(self, why: str) -> None:
        if why:
            self.context.status(why)

    def _tidy_panels(self) -> None:
        """Narrow combo boxes for the side column; no reset-all buttons (the ↺ of each control stays)."""
        for panel in (self.pair_panel, self.range_panel):
            panel.reset_all.hide()
            for widget in panel.widgets.values():
                combo = getattr(widget, "combo", None)
                if combo is not None and combo.minimumContentsLength() != 10:
                    combo.setSizeAdjustPolicy(
                        QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
                    combo.setMinimumContentsLength(10)
