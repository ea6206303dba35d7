"""The main window's menus, toolbar and dialogs: File/Edit/View/Plugins/Tours/Help, colour scheme, export, help.

A mixin of :class:`actviz.gui.main_window.MainWindow` (it uses the window's
registry, views, browser and status bar).
"""

from __future__ import annotations

import os

from PySide6 import QtCore, QtGui, QtWidgets

from actviz.gui.viewbase import ViewWidget
from actviz.gui.window_lazy import _AfterFirstPaint

GUIDE = """<p><b>Everywhere.</b> The function list on the left sets the function of the tab you are on.
Ctrl+Z / Ctrl+Shift+Z undo and redo any change. File → Save scene… keeps the exact picture (every tab, every
value, pins, ranges, trained weights) in a file a student can open; Tours → Lecture walks the whole lecture.</p>
<p>Ctrl+F search · Ctrl+E export · F1 help for this tab. Drag on a plot to pan, wheel to zoom.</p>"""


class WindowMenus:
    """Menus and actions of the main window (mixed into ``MainWindow``)."""

    def _action(self, menu: QtWidgets.QMenu, text: str, slot, shortcut=None) -> QtGui.QAction:
        action = QtGui.QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QtGui.QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _actions(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu("&File")
        self._action(file, "&Open scene…", self.open_scene_dialog, QtGui.QKeySequence.StandardKey.Open)
        self._action(file, "&Save scene…", self.save_scene_dialog, QtGui.QKeySequence.StandardKey.Save)
        file.addSeparator()
        self.export_action = self._action(file, "&Export view…", self.export_dialog, "Ctrl+E")
        file.addSeparator()
        self._action(file, "&Quit", self.close, QtGui.QKeySequence.StandardKey.Quit)
        edit = bar.addMenu("&Edit")
        self.undo_action = self._action(edit, "&Undo", self.undo, QtGui.QKeySequence.StandardKey.Undo)
        self.redo_action = self._action(edit, "&Redo", self.redo, "Ctrl+Shift+Z")
        self._history_changed()
        self.view_menu = bar.addMenu("&View")
        self._action(self.view_menu, "&Find function", self.focus_search, "Ctrl+F")
        self._action(self.view_menu, "&New formula…", self.formula_dialog, "Ctrl+N")
        self._scheme_menu()
        self._view_separator = self.view_menu.addSeparator()
        self.plugins_menu = bar.addMenu("&Plugins")
        self._action(self.plugins_menu, "&Plugins…", self.show_problems)
        self.tours_menu = bar.addMenu("&Tours")
        self.tours_menu.aboutToShow.connect(self._fill_tours_menu)
        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "&Guide", self.show_guide, "F1")
        self._action(help_menu, "&About actviz", self.show_about)
        self.toolbar = self.addToolBar("Main")
        self.toolbar.setObjectName("main-toolbar")
        self.toolbar.addAction(self.export_action)

    def _scheme_menu(self) -> None:
        """View → Colour scheme: follow the desktop (the default), light or dark; views are rebuilt in it."""
        from actviz.gui import theme

        app = QtWidgets.QApplication.instance()
        if not theme.scheme_applied():
            theme.apply_scheme(app, "auto")
        menu = self.view_menu.addMenu("Colour &scheme")
        group = QtGui.QActionGroup(self)
        self.scheme_actions: dict[str, QtGui.QAction] = {}
        for scheme, text in (("auto", "Follow the &desktop"), ("light", "&Light"), ("dark", "Dar&k")):
            action = QtGui.QAction(text, self, checkable=True)
            action.setChecked(scheme == theme.current_scheme())
            action.triggered.connect(lambda _checked=False, scheme=scheme: self.set_scheme(scheme))
            group.addAction(action)
            menu.addAction(action)
            self.scheme_actions[scheme] = action

    def _chosen_scheme(self) -> str:
        return next((name for name, action in self.scheme_actions.items() if action.isChecked()), "auto")

    def set_scheme(self, scheme: str) -> None:
        """Switch the palette and rebuild the open views so their plots take the new colours."""
        from actviz.gui import theme

        theme.apply_scheme(QtWidgets.QApplication.instance(), scheme)
        self.scheme_actions[scheme].setChecked(True)
        current = self.current_view_name()
        for view in self.views.values():
            view.close()
        self._build_tabs()
        if current is not None:
            self.show_view(current)

    # -- actions --------------------------------------------------------------------------------
    def focus_search(self) -> None:
        self.browser.search.setFocus()
        self.browser.search.selectAll()

    def export_dialog(self) -> None:
        view = self.current_view()
        if view is None:
            self.show_status("nothing to export in this tab")
            return
        path, chosen = QtWidgets.QFileDialog.getSaveFileName(
            self, "Export view", f"{self.current_view_name()}.png",
            "PNG image (*.png);;SVG vector (*.svg);;CSV data (*.csv)")
        if path:
            if not os.path.splitext(path)[1]:
                path += "." + chosen.split("*.")[-1].rstrip(")") if "*." in chosen else ".png"
            self.export_to(path)

    def export_to(self, path: str, view: ViewWidget | None = None) -> bool:
        from actviz.gui.export import ExportError, export_view

        view = view or self.current_view()
        if view is None:
            return False
        try:
            export_view(view, path)
        except ExportError as exc:
            self.show_status(f"Export failed: {exc}")
            return False
        self.show_status(f"Exported {path}")
        return True

    def show_status(self, message: str) -> None:
        self.statusBar().showMessage(message, 10000)

    def _update_problems(self, after_first_paint: bool = False) -> None:
        if after_first_paint and self.registry.unchecked:  # the derivative checks wait for the first picture
            self.problems_button.setText("checking plugins…")
            _AfterFirstPaint(self, self._update_problems)
            return
        n = len(self.registry.problems)
        self.problems_button.setText(f"{n} plugin problem{'s' if n != 1 else ''}")
        from actviz.gui.theme import set_warning_style

        set_warning_style(self.problems_button, on=bool(n))

    def show_problems(self) -> None:
        from actviz.gui.plugin_dialog import PluginDialog

        dialog = PluginDialog(self)
        dialog.exec() if not self.property("testing") else dialog.show()
        self._problems_dialog = dialog

    def guide_html(self) -> str:
        """F1's text: the help of the view on screen (written by its plugin), then the app's own keys."""
        name = self.current_view_name()
        spec = self.registry.views.get(name) if name else None
        if spec is None:
            return GUIDE
        import html  # F1 only (html.entities is ~3 ms of start-up)

        own = spec.help or f"<p>{html.escape(spec.description)}</p>"
        return f"<h3>{html.escape(spec.label)}</h3>{own}<hr>{GUIDE}"

    def show_guide(self) -> None:
        box = QtWidgets.QMessageBox(QtWidgets.QMessageBox.Icon.Information, "actviz guide", self.guide_html(),
                                    parent=self)
        box.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self._guide_box = box
        box.exec() if not self.property("testing") else box.show()

    def show_about(self) -> None:
        from actviz import __version__

        QtWidgets.QMessageBox.about(self, "About actviz",
                                    f"actviz {__version__}: activations, losses, δ and likelihoods.")

    # -- tours ----------------------------------------------------------------------------------
    def _fill_tours_menu(self) -> None:
        """The registry's tours (plugins' hook ``actviz_tours``), listed when the menu opens."""
        from actviz.host.tours import collect_tours

        self.tours_menu.clear()
        tours = collect_tours(self.registry)
        for tour in tours.values():
            self._action(self.tours_menu, tour.title.replace("&", "&&"), lambda _=False, t=tour: self.start_tour(t))
        if not tours:
            self.tours_menu.addAction("No tours installed").setEnabled(False)
        self.tours_menu.addSeparator()
        self._action(self.tours_menu, "&Open tour file…", self.open_tour_dialog)
        self._update_problems()

    def start_tour(self, tour):
        """Show the tour panel on ``tour`` (an ``actviz.Tour``) at its first stop; returns the panel."""
        from actviz.gui.tour_panel import TourPanel

        old = getattr(self, "tour_panel", None)
        if old is not None:
            old.close()
            self.removeDockWidget(old)
            old.deleteLater()
        self.tour_panel = TourPanel(self, tour)
        self.addDockWidget(QtCore.Qt.DockWidgetArea.RightDockWidgetArea, self.tour_panel)
        self.resizeDocks([self.params_dock, self.tour_panel], [self.height() * 2 // 5, self.height() * 3 // 5],
                         QtCore.Qt.Orientation.Vertical)  # pixels: the tour's text gets the larger share
        self.tour_panel.go(0)
        return self.tour_panel

    def open_tour_dialog(self) -> None:
        from actviz.host.tours import find_tour
        from actviz.models.tour import TourError

        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, "Open tour", "", "actviz tour (*.json *.toml)")
        if path:
            try:
                self.start_tour(find_tour(path, self.registry))
            except TourError as exc:
                self._tell(str(exc))
