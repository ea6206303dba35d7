"""The function browser: every function grouped by plugin, filtered as you type."""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from actviz.gui.text_lines import wrap_lines
from actviz.host.registry import Registry

NAME_ROLE = QtCore.Qt.ItemDataRole.UserRole
LABEL_ROLE = QtCore.Qt.ItemDataRole.UserRole + 1  # the name as one line (the shown text may be wrapped)


class _NameTree(QtWidgets.QTreeWidget):
    """The list of functions: a long name takes a second line where the dock is narrow (a tour's panel beside
    it at 1024×640 left 124 px, and eleven names were cut to "…"). Qt's own word wrap in a tree keeps rows one
    line high, so the names are wrapped here, at spaces, whenever the width changes."""

    def __init__(self) -> None:
        super().__init__()
        self.setHeaderHidden(True)
        self.setTextElideMode(QtCore.Qt.TextElideMode.ElideRight)  # only a single word longer than the row
        self._wrapped_at = -1

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self.wrap_names()

    def wrap_names(self, force: bool = False) -> None:
        """Set each entry's text to its name (``LABEL_ROLE``) in lines that fit the row's width."""
        width = self.viewport().width()
        if width == self._wrapped_at and not force:
            return
        self._wrapped_at = width
        metrics = self.fontMetrics()
        room = width - 2 * self.indentation() - 8  # an entry's indentation (under its plugin) and the margins
        for i in range(self.topLevelItemCount()):
            head = self.topLevelItem(i)
            for j in range(head.childCount()):
                item = head.child(j)
                label = item.data(0, LABEL_ROLE)
                if label is not None:
                    text = "\n".join(wrap_lines(label, metrics, room))
                    if item.text(0) != text:
                        item.setText(0, text)


class FunctionBrowser(QtWidgets.QWidget):
    """Emits ``selected(name)`` when the user picks a function.

    ``defer=True`` leaves the list empty until :meth:`fill` (the main window
    calls it after its first paint) or until anything reads or searches the
    list; a function selected meanwhile is the current one once it is filled.
    """

    selected = QtCore.Signal(str)

    def __init__(self, registry: Registry, parent=None, defer: bool = False) -> None:
        super().__init__(parent)
        self._items: dict[str, QtWidgets.QTreeWidgetItem] = {}
        self._pending: Registry | None = None  # the registry the list waits to show (defer)
        self._wanted: str | None = None  # selected while the list waited
        self.search = QtWidgets.QLineEdit(placeholderText="Search functions (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.tree = _NameTree()
        # the dock may not squeeze the list to a sliver (it fell to ~68 px at 1024×640)
        self.setMinimumWidth(180)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.tree)
        self.search.textChanged.connect(self.filter)
        self.tree.currentItemChanged.connect(self._current_changed)
        if defer:
            self._pending = registry
        else:
            self.set_registry(registry)

    @property
    def items(self) -> dict[str, QtWidgets.QTreeWidgetItem]:
        """The list's entry of each function, by name (filled now if it waited)."""
        self.fill()
        return self._items

    def is_filled(self) -> bool:
        return self._pending is None

    def fill(self) -> None:
        """Fill the list now if it was left for later (``defer``); the function selected meanwhile is current."""
        if self._pending is None:
            return
        registry, self._pending = self._pending, None
        self.set_registry(registry)
        wanted, self._wanted = self._wanted, None
        if wanted is not None and self.current_name() is None:
            self.select(wanted, emit=False)

    def set_registry(self, registry: Registry) -> None:
        if self._pending is not None:  # still waiting: it will show this one
            self._pending = registry
            return
        current = self.current_name()
        self.tree.blockSignals(True)
        self.tree.clear()
        self._items = {}
        for plugin, specs in registry.by_plugin().items():
            for kind, title in (("activation", "activations"), ("loss", "losses")):
                group = [s for s in specs if s.kind == kind]
                if not group:
                    continue
                head = QtWidgets.QTreeWidgetItem([f"{plugin} — {title}"])
                head.setFlags(QtCore.Qt.ItemFlag.ItemIsEnabled)
                self.tree.addTopLevelItem(head)
                for spec in group:
                    item = QtWidgets.QTreeWidgetItem([spec.label])
                    item.setData(0, NAME_ROLE, spec.name)
                    item.setData(0, LABEL_ROLE, spec.label)
                    item.setToolTip(0, f"{spec.name} ({plugin})")
                    head.addChild(item)
                    self._items[spec.name] = item
        self.tree.expandAll()
        self.tree.wrap_names(force=True)
        self.tree.blockSignals(False)
        self.filter(self.search.text())
        if current in self._items:
            self.select(current, emit=False)

    def filter(self, text: str) -> None:
        if self._pending is not None:  # typing into the search box fills the list (which filters it)
            self.fill()
            return
        needle = text.strip().lower()
        for i in range(self.tree.topLevelItemCount()):
            head = self.tree.topLevelItem(i)
            visible = 0
            for j in range(head.childCount()):
                item = head.child(j)
                name = item.data(0, NAME_ROLE)
                hit = not needle or needle in item.data(0, LABEL_ROLE).lower() or needle in name.lower()
                item.setHidden(not hit)
                visible += hit
            head.setHidden(visible == 0)

    def visible_names(self) -> list[str]:
        return [n for n, item in self.items.items() if not item.isHidden() and not item.parent().isHidden()]

    def current_name(self) -> str | None:
        if self._pending is not None:
            return self._wanted
        item = self.tree.currentItem()
        return item.data(0, NAME_ROLE) if item is not None else None

    def select(self, name: str, emit: bool = True) -> None:
        if self._pending is not None and not emit:  # the list waits: this is its current function once filled
            self._wanted = name
            return
        item = self.items.get(name)
        if item is None:
            return
        if not emit:
            self.tree.blockSignals(True)
        self.tree.setCurrentItem(item)
        self.tree.blockSignals(False)

    def _current_changed(self, item, _previous) -> None:
        name = item.data(0, NAME_ROLE) if item is not None else None
        if name:
            self.selected.emit(name)
