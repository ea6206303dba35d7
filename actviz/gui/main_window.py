"""The main window: browser, parameter panel, one tab per registered view, status bar.

Thin wiring: it knows views only through ``Registry.views`` and functions
only through their specs. Views are created when their tab is first shown;
one that fails to create shows its error in its tab.
"""

from __future__ import annotations

import traceback
from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from actviz.gui.browser import FunctionBrowser
from actviz.gui.controls import ControlPanel
from actviz.gui.settings import SettingsStore
from actviz.gui.viewbase import Selection, ViewContext, ViewWidget, controls_of
from actviz.host.formulas import FormulaError, compile_formula, formula_plugin
from actviz.host.registry import Registry, check_spec, load_registry

GUIDE = """<h3>actviz</h3>
<p><b>Function</b>: f(z) above f′(z) for the function picked in the browser (a loss shows E(y; t)
and ∂E/∂y with the target t as a control). The thin dashed line is the numerical derivative; a red
warning names the worst z where it disagrees with the plugin's formula. Pin (Ctrl+P) to overlay.</p>
<p>Other tabs come from plugins: the backpropagated δ of output and hidden units, the
maximum-likelihood reading of each loss, the coin-flip demo, and more.</p>
<p>Ctrl+F search · Ctrl+P pin · Ctrl+E export · F1 this guide. Drag on a plot to pan, wheel to zoom;
the curve is re-sampled at screen resolution at any zoom.</p>"""


FORMULA_PLUGIN = "my_functions"


class MainWindow(QtWidgets.QMainWindow):
    def __init__(self, registry: Registry | None = None, disabled: tuple[str, ...] = (),
                 settings: SettingsStore | None = None) -> None:
        super().__init__()
        self.setWindowTitle("actviz")
        self.disabled = set(disabled)
        self.formulas: dict[str, tuple[str, dict[str, tuple[float, float, float]]]] = {}
        self.registry = registry if registry is not None else self._load_registry()
        self.settings = settings or SettingsStore()
        self.selection = Selection()
        self.context = ViewContext(self.registry, self.selection, status=self.show_status)
        self.views: dict[str, ViewWidget] = {}
        self.view_errors: dict[str, str] = {}
        self._saved: dict[str, Any] = {}

        self.browser = FunctionBrowser(self.registry)
        self.panel = ControlPanel()
        self.tabs = QtWidgets.QTabWidget()
        self.setCentralWidget(self.tabs)
        self._dock("Functions", self.browser, QtCore.Qt.DockWidgetArea.LeftDockWidgetArea)
        scroll = QtWidgets.QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.panel)
        scroll.setMinimumWidth(270)
        self.params_dock = self._dock("Parameters", scroll, QtCore.Qt.DockWidgetArea.RightDockWidgetArea)
        self.problems_button = QtWidgets.QPushButton()
        self.problems_button.setFlat(True)
        self.problems_button.clicked.connect(self.show_problems)
        self.statusBar().addPermanentWidget(self.problems_button)
        self._actions()

        self.browser.selected.connect(self.select_function)
        self.panel.changed.connect(self._param_changed)
        self.selection.changed.connect(self._selection_changed)
        self.tabs.currentChanged.connect(self._tab_changed)
        self._build_tabs()
        self._update_problems()
        self.resize(1200, 800)

    # -- construction ---------------------------------------------------------------------------
    def _dock(self, title: str, widget: QtWidgets.QWidget, area) -> QtWidgets.QDockWidget:
        dock = QtWidgets.QDockWidget(title, self)
        dock.setObjectName(title)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

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
        self.export_action = self._action(file, "&Export view…", self.export_dialog, "Ctrl+E")
        file.addSeparator()
        self._action(file, "&Quit", self.close, QtGui.QKeySequence.StandardKey.Quit)
        view = bar.addMenu("&View")
        self.pin_action = self._action(view, "&Pin current function", self.pin_current, "Ctrl+P")
        self._action(view, "&Clear pins", self.clear_pins)
        self._action(view, "&Find function", self.focus_search, "Ctrl+F")
        view.addSeparator()
        self._action(view, "&New formula…", self.formula_dialog, "Ctrl+N")
        self.plugins_menu = bar.addMenu("&Plugins")
        self._action(self.plugins_menu, "Plugin &problems…", self.show_problems)
        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "&Guide", self.show_guide, "F1")
        self._action(help_menu, "&About actviz", self.show_about)
        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("main-toolbar")
        toolbar.addAction(self.pin_action)
        toolbar.addAction(self.export_action)

    def _build_tabs(self) -> None:
        self.tabs.blockSignals(True)
        old = [self.tabs.widget(i) for i in range(self.tabs.count())]
        self.tabs.clear()  # removes the pages but does not delete them: a reload would keep every old view alive
        for widget in old:
            widget.hide()
            widget.setParent(None)
            widget.deleteLater()
        self.views.clear()
        self.view_names: list[str] = []
        for name, spec in self.registry.views.items():
            placeholder = QtWidgets.QLabel(f"{spec.label}: opens when shown")
            self.tabs.addTab(placeholder, spec.label)
            self.tabs.setTabToolTip(self.tabs.count() - 1, spec.description)
            self.view_names.append(name)
        self.tabs.blockSignals(False)
        if self.view_names:
            self._tab_changed(self.tabs.currentIndex())

    def ensure_view(self, name: str) -> ViewWidget | None:
        """Create view ``name`` if needed; a failure becomes a message in its tab."""
        if name in self.views:
            return self.views[name]
        if name in self.view_errors or name not in self.registry.views:
            return None
        spec = self.registry.views[name]
        index = self.view_names.index(name)
        try:
            view = spec.create(self.context)
            if not isinstance(view, ViewWidget):
                raise TypeError(f"create() returned {type(view).__name__}, not an actviz ViewWidget")
        except Exception as exc:  # noqa: BLE001 - view plugins are third-party code
            message = f"View {spec.label!r} from plugin {spec.plugin!r} failed to open: {type(exc).__name__}: {exc}"
            self.view_errors[name] = message + "\n\n" + traceback.format_exc()
            label = QtWidgets.QLabel(message)
            label.setWordWrap(True)
            label.setStyleSheet("color: #c0392b;")
            self._replace_tab(index, label, spec.label)
            self.show_status(message)
            return None
        self._restore_view(name, view)
        self.views[name] = view
        self._replace_tab(index, view, spec.label)
        view.schedule_refresh()
        return view

    def _restore_view(self, name: str, view: ViewWidget) -> None:
        saved = self._saved.get("views", {}).get(name)
        if isinstance(saved, dict):
            try:
                view.restore(saved)
            except Exception as exc:  # noqa: BLE001 - view plugins are third-party code
                self.show_status(f"view {name}: saved state ignored ({exc})")

    def _replace_tab(self, index: int, widget: QtWidgets.QWidget, label: str) -> None:
        self.tabs.blockSignals(True)
        old = self.tabs.widget(index)
        self.tabs.removeTab(index)
        self.tabs.insertTab(index, widget, label)
        self.tabs.setCurrentIndex(index)
        self.tabs.blockSignals(False)
        if isinstance(widget, ViewWidget):
            self.params_dock.setVisible(type(widget).on_selection_changed is not ViewWidget.on_selection_changed)
        if old is not None:
            old.deleteLater()

    def _tab_changed(self, index: int) -> None:
        if 0 <= index < len(self.view_names):
            view = self.ensure_view(self.view_names[index])
            # the browser's parameters only matter to views that follow the selection
            follows = view is not None and type(view).on_selection_changed is not ViewWidget.on_selection_changed
            self.params_dock.setVisible(follows)

    def current_view(self) -> ViewWidget | None:
        widget = self.tabs.currentWidget()
        return widget if isinstance(widget, ViewWidget) else None

    def show_view(self, name: str) -> ViewWidget | None:
        if name not in self.view_names:
            return None
        self.tabs.setCurrentIndex(self.view_names.index(name))
        return self.ensure_view(name)

    # -- selection ------------------------------------------------------------------------------
    def select_function(self, name: str, values: dict[str, float] | None = None) -> None:
        try:
            spec = self.registry.get(name)
        except KeyError:
            self.show_status(f"no function named {name!r}")
            return
        remembered = self._saved.get("values", {}).get(name, {}) if values is None else values
        self.selection.select(spec, remembered if isinstance(remembered, dict) else {})
        self.browser.select(name, emit=False)

    def _selection_changed(self) -> None:
        spec = self.selection.spec
        if spec is None:
            return
        self.panel.build(controls_of(spec), self.selection.values)

    def _param_changed(self, name: str, value: object) -> None:
        self.selection.set_value(name, float(value))  # type: ignore[arg-type]

    # -- actions --------------------------------------------------------------------------------
    def function_view(self):
        view = self.show_view("function") if "function" in self.view_names else None
        return view if view is not None and hasattr(view, "pin") else None

    def pin_current(self) -> None:
        view = self.function_view()
        if view is not None:
            view.pin()

    def clear_pins(self) -> None:
        view = self.function_view()
        if view is not None:
            view.clear_pins()

    def focus_search(self) -> None:
        self.browser.search.setFocus()
        self.browser.search.selectAll()

    def export_dialog(self) -> None:
        view = self.current_view()
        if view is None:
            self.show_status("nothing to export in this tab")
            return
        path, _ = QtWidgets.QFileDialog.getSaveFileName(
            self, "Export view", "actviz.png", "PNG image (*.png);;SVG vector (*.svg);;CSV data (*.csv)")
        if path:
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

    def _update_problems(self) -> None:
        n = len(self.registry.problems)
        self.problems_button.setText(f"{n} plugin problem{'s' if n != 1 else ''}")
        self.problems_button.setStyleSheet("color: #c0392b;" if n else "")

    def show_problems(self) -> None:
        from actviz.gui.plugin_dialog import PluginDialog

        dialog = PluginDialog(self)
        dialog.exec() if not self.property("testing") else dialog.show()
        self._problems_dialog = dialog

    def show_guide(self) -> None:
        QtWidgets.QMessageBox.information(self, "actviz guide", GUIDE)

    def show_about(self) -> None:
        from actviz import __version__

        QtWidgets.QMessageBox.about(self, "About actviz",
                                    f"actviz {__version__}: activations, losses, δ and likelihoods.")

    # -- plugins on and off ---------------------------------------------------------------------
    def set_plugin_enabled(self, name: str, enabled: bool) -> None:
        """Reload the registry without ``name`` (or with it again), keeping everything else."""
        if enabled:
            self.disabled.discard(name)
        else:
            self.disabled.add(name)
        self.reload_registry()

    def reload_registry(self) -> None:
        self._saved = self.collect_state()
        current = self.selection.spec.name if self.selection.spec else None
        for view in self.views.values():
            view.close()
        self.registry = self._load_registry()
        self.context.registry = self.registry
        self.views.clear()
        self.view_errors.clear()
        self.browser.set_registry(self.registry)
        self._build_tabs()
        self._update_problems()
        names = [s.name for s in self.registry.functions()]
        if current in names:
            self.select_function(current, self.selection.values)
        elif names:
            self.select_function(names[0])

    # -- user formulas --------------------------------------------------------------------------
    def _load_registry(self) -> Registry:
        extra = [(FORMULA_PLUGIN, formula_plugin(self._compiled_formulas()))] if self.formulas else []
        return load_registry(disabled=self.disabled, extra=extra)

    def _compiled_formulas(self) -> list:
        compiled = []
        for name, (text, params) in list(self.formulas.items()):
            try:
                compiled.append(compile_formula(text, params, name=name))
            except FormulaError as exc:  # a saved formula that no longer compiles is dropped, with a note
                del self.formulas[name]
                self.show_status(f"your formula {name!r} was dropped: {exc}")
        return compiled

    def add_formula(self, name: str, text: str, params: dict[str, tuple[float, float, float]]) -> None:
        """Check a user formula like any plugin's function and add it under "my_functions".

        Raises FormulaError with the reason; nothing changes then.
        """
        spec = compile_formula(text, params, name=name)
        if name in self.registry.activations and self.registry.activations[name].plugin != FORMULA_PLUGIN:
            raise FormulaError(f"the name {name!r} is taken by plugin {self.registry.activations[name].plugin!r}")
        probe = check_spec(spec)
        fatal = [p for p in probe if p.stage == "probe"]
        if fatal:
            raise FormulaError(fatal[0].message)
        self.formulas[name] = (text, {k: tuple(map(float, v)) for k, v in params.items()})
        self.reload_registry()
        self.select_function(name)
        self.save_state()

    def remove_formula(self, name: str) -> None:
        if self.formulas.pop(name, None) is not None:
            self.reload_registry()
            self.save_state()

    def formula_dialog(self) -> None:
        from actviz.gui.formula_dialog import FormulaDialog

        dialog = FormulaDialog(self)
        self._formula_dialog = dialog
        dialog.exec() if not self.property("testing") else dialog.show()

    # -- persistence ----------------------------------------------------------------------------
    def collect_state(self) -> dict[str, Any]:
        values = dict(self._saved.get("values", {}))
        if self.selection.spec is not None:
            values[self.selection.spec.name] = dict(self.selection.values)
        views = dict(self._saved.get("views", {}))
        for name, view in self.views.items():
            try:
                views[name] = view.state()
            except Exception:  # noqa: BLE001
                pass
        return {
            "geometry": bytes(self.saveGeometry().toBase64()).decode("ascii"),
            "function": self.selection.spec.name if self.selection.spec else None,
            "values": values,
            "views": views,
            "tab": self.view_names[self.tabs.currentIndex()] if self.view_names else None,
            "disabled": sorted(self.disabled),
            "formulas": {name: [text, {k: list(v) for k, v in params.items()}]
                         for name, (text, params) in self.formulas.items()},
        }

    def restore_state(self) -> None:
        state = self.settings.load()
        if self.settings.message:
            self.show_status(self.settings.message)
        self._saved = state
        formulas = state.get("formulas")
        if isinstance(formulas, dict) and formulas:
            for name, entry in formulas.items():
                try:
                    text, params = entry
                    self.formulas[str(name)] = (str(text), {str(k): tuple(float(x) for x in v)
                                                            for k, v in dict(params).items()})
                except (TypeError, ValueError):
                    self.show_status(f"a saved formula {name!r} is malformed and was skipped")
            self.reload_registry()
        geometry = state.get("geometry")
        if isinstance(geometry, str):
            self.restoreGeometry(QtCore.QByteArray.fromBase64(geometry.encode("ascii")))
        names = [s.name for s in self.registry.functions()]
        function = state.get("function")
        if function in names:
            self.select_function(function)
        elif names:
            self.select_function(names[0])
        for name, view in self.views.items():  # views created before the state was read
            self._restore_view(name, view)
        tab = state.get("tab")
        if tab in self.view_names:
            self.show_view(tab)

    def save_state(self) -> bool:
        ok = self.settings.save(self.collect_state())
        if not ok:
            self.show_status(self.settings.message)
        return ok

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:
        self.save_state()
        super().closeEvent(event)
