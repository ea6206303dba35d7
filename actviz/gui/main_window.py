"""The main window: function list, parameter dock, one tab per registered view, Edit → Undo, scenes.

Thin wiring: it knows views only through ``Registry.views``, their models and
the generic view API (``view_actions``, ``dock_panel``, ``sync_model``), and
functions only through their specs. Every view's model exists from the start
(models are cheap and Qt-free), so a scene restores views not yet opened;
the widgets are created when their tab is first shown.

Menus, dialogs and help are :mod:`actviz.gui.window_menus`; scenes, the last
session, user formulas and plugin switching :mod:`actviz.gui.window_scenes`;
lazy models and the after-first-paint hook :mod:`actviz.gui.window_lazy`.
"""

from __future__ import annotations

import traceback
from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from actviz.gui.binder import Binding, bind
from actviz.gui.browser import FunctionBrowser
from actviz.gui.controls import ControlPanel
from actviz.gui.headless import make_model
from actviz.gui.lean import drop_background_cache
from actviz.gui.settings import SettingsStore
from actviz.gui.theme import set_warning_style
from actviz.gui.viewbase import ViewContext, ViewWidget
from actviz.gui.watchdog import WATCHDOG
from actviz.gui.window_lazy import LazyModels, _AfterFirstPaint, drop_source_lines
from actviz.gui.window_menus import GUIDE, WindowMenus
from actviz.gui.window_scenes import FORMULA_PLUGIN, SCENE_FILTER, WindowScenes
from actviz.host.registry import Registry
from actviz.models import History, Key, ViewModel
from actviz.specs import FunctionChoice

__all__ = ["AUTOSAVE_MS", "FORMULA_PLUGIN", "GUIDE", "SCENE_FILTER", "LazyModels", "MainWindow", "drop_source_lines"]

AUTOSAVE_MS = 1500


class MainWindow(WindowMenus, WindowScenes, QtWidgets.QMainWindow):
    def __init__(self, registry: Registry | None = None, disabled: tuple[str, ...] = (),
                 settings: SettingsStore | None = None) -> None:
        super().__init__()
        self.setWindowTitle("actviz")
        self.setAcceptDrops(True)
        self.disabled = set(disabled)
        self.formulas: dict[str, tuple[str, dict[str, tuple[float, float, float]]]] = {}
        self.registry = registry if registry is not None else self._load_registry()
        self.settings = settings or SettingsStore()
        self.history = History()
        self.models = LazyModels([], self._make_model)
        self._pending_states: dict[str, Any] = {}  # the last session's state of each model not made yet
        self._late_notes: list[str] | None = None  # what restoring them could not restore, while restore_state runs
        self.views: dict[str, ViewWidget] = {}
        self.view_errors: dict[str, str] = {}
        self.view_names: list[str] = []
        self.missing: list[str] = []
        self._binding: Binding | None = None
        self._view_actions: list[QtGui.QAction] = []
        self._autosave = QtCore.QTimer(self, singleShot=True, interval=AUTOSAVE_MS)
        self._autosave.timeout.connect(self.save_state)

        self._painted = False  # has the window painted once (see _after_first_paint)?
        self._starting = False  # restoring the last session or being shown, before the first paint
        self.browser = FunctionBrowser(self.registry, defer=True)  # filled after the first paint, or when read
        self.panel = ControlPanel()
        self.tabs = QtWidgets.QTabWidget()
        self.setCentralWidget(self.tabs)
        self.browser_dock = self._dock("Functions", self.browser, QtCore.Qt.DockWidgetArea.LeftDockWidgetArea)
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
        self.history.changed.append(self._history_changed)

        self.browser.selected.connect(self.select_function)
        self.tabs.currentChanged.connect(self._tab_changed)
        self._build_models()
        self._view_pending = False
        self._build_tabs(open_current=False)  # restore_state or show opens one: the saved tab's view, only
        self._update_problems(after_first_paint=True)
        _AfterFirstPaint(self, self._after_first_paint)
        self._fit_screen()
        self.resize(1200, 800)

    def _after_first_paint(self) -> None:
        """What the first picture does not need: the function list's entries, forgetting imported source lines."""
        self._painted = True
        self.browser.fill()
        drop_source_lines()

    # -- construction ---------------------------------------------------------------------------
    def _dock(self, title: str, widget: QtWidgets.QWidget, area) -> QtWidgets.QDockWidget:
        dock = QtWidgets.QDockWidget(title, self)
        dock.setObjectName(title)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _fit_screen(self) -> None:
        """Content never grows the window past the screen: a long label or formula shrinks or scrolls instead."""
        self.layout().setSizeConstraint(QtWidgets.QLayout.SizeConstraint.SetNoConstraint)
        screen = self.screen().availableGeometry().size() if self.screen() is not None else QtCore.QSize(1024, 640)
        self.setMinimumSize(QtCore.QSize(640, 420).boundedTo(screen))

    def _build_models(self) -> None:
        for model in self.models.made().values():
            self.history.forget(model)
        self._pending_states = {}
        self.models = LazyModels(list(self.registry.views), self._make_model)

    def _make_model(self, name: str) -> ViewModel | None:
        """View ``name``'s model with the last session's state, if any; None (the reason kept) if it fails."""
        spec = self.registry.views[name]
        try:
            model = make_model(self.registry, name, self.history)
        except Exception as exc:  # noqa: BLE001 - view plugins are third-party code
            self.view_errors[name] = (f"View {spec.label!r} from plugin {spec.plugin!r} has no usable model: "
                                      f"{type(exc).__name__}: {exc}")
            return None
        model.connect(lambda names, name=name: self._model_changed(name, names))
        state = self._pending_states.pop(name, None)
        if state is not None:
            notes = self._restore_model(name, model, state)
            if self._late_notes is not None:
                self._late_notes.extend(notes)
            elif notes:
                self.show_status("Last session: " + "; ".join(notes[:3]))
        return model

    @staticmethod
    def _restore_model(name: str, model: ViewModel, state: Any) -> list[str]:
        try:
            return [f"{name}: {m}" for m in model.restore(state)]
        except Exception as exc:  # noqa: BLE001 - models may come from plugins
            return [f"{name}: state not restored ({type(exc).__name__}: {exc})"]

    def _build_tabs(self, open_current: bool = True) -> None:
        self.tabs.blockSignals(True)
        old = [self.tabs.widget(i) for i in range(self.tabs.count())]
        self.tabs.clear()  # removes the pages but does not delete them: a reload would keep every old view alive
        for widget in old:
            widget.hide()
            widget.setParent(None)
            widget.deleteLater()
        self.views.clear()
        self.view_names = []
        for name, spec in self.registry.views.items():
            placeholder = QtWidgets.QLabel(f"{spec.label}: opens when shown")
            self.tabs.addTab(placeholder, spec.label)
            self.tabs.setTabToolTip(self.tabs.count() - 1, spec.description)
            self.view_names.append(name)
        if not self.view_names:
            note = QtWidgets.QLabel("No views are installed or enabled. Open Plugins → Plugins… and enable the "
                                    "'views' plugin (or start with --safe-mode) to get them back.")
            note.setWordWrap(True)
            note.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
            self.tabs.addTab(note, "No views")
        self.tabs.blockSignals(False)
        self._view_pending = bool(self.view_names) and not open_current
        if self.view_names and open_current:
            self._tab_changed(self.tabs.currentIndex())

    def _open_pending(self) -> None:
        """Open the current tab's view if construction left it for later (see ``__init__``)."""
        if self._view_pending:
            self._view_pending = False
            self._tab_changed(self.tabs.currentIndex())

    def showEvent(self, event: QtGui.QShowEvent) -> None:  # noqa: N802 - Qt API
        self._starting = not self._painted
        try:
            self._open_pending()  # before the first paint: the window is never shown without its view
        finally:
            self._starting = False
        super().showEvent(event)

    def ensure_view(self, name: str) -> ViewWidget | None:
        """Create view ``name`` if needed; a failure becomes a message in its tab."""
        if name in self.views:
            return self.views[name]
        if name not in self.registry.views or name not in self.view_names:
            return None
        spec = self.registry.views[name]
        index = self.view_names.index(name)
        model = self.models.get(name)
        if model is None or name in self.view_errors:
            self._show_error(index, spec.label, self.view_errors[name])
            return None
        context = ViewContext(self.registry, model, status=self.show_status, open_view=self.show_view,
                              history=self.history)
        try:
            with WATCHDOG.watch(f"view {spec.name!r} (plugin {spec.plugin}) opening", spec.create):
                view = spec.create(context)
            if not isinstance(view, ViewWidget):
                raise TypeError(f"create() returned {type(view).__name__}, not an actviz ViewWidget")
        except BaseException as exc:  # noqa: BLE001 - view plugins are third-party code
            if isinstance(exc, KeyboardInterrupt):
                raise
            message = f"View {spec.label!r} from plugin {spec.plugin!r} failed to open: {type(exc).__name__}: {exc}"
            self.view_errors[name] = message + "\n\n" + traceback.format_exc()
            self._show_error(index, spec.label, message)
            return None
        self.views[name] = view
        if self._painted or not self._starting:  # what opening it imported (at start-up the first paint's hook)
            drop_source_lines()
        drop_background_cache(view)
        self._replace_tab(index, view, spec.label)
        view.schedule_refresh()
        return view

    def _show_error(self, index: int, title: str, message: str) -> None:
        label = QtWidgets.QLabel(message.split("\n\n")[0])
        label.setWordWrap(True)
        set_warning_style(label)
        self._replace_tab(index, label, title)
        self.show_status(message.split("\n\n")[0])

    def _replace_tab(self, index: int, widget: QtWidgets.QWidget, label: str) -> None:
        self.tabs.blockSignals(True)
        old = self.tabs.widget(index)
        self.tabs.removeTab(index)
        self.tabs.insertTab(index, widget, label)
        self.tabs.setCurrentIndex(index)
        self.tabs.blockSignals(False)
        self._view_pending = False  # the tab on screen now has its view (or its error)
        if old is not None:
            old.deleteLater()
        self._follow_current()

    def _tab_changed(self, index: int) -> None:
        if 0 <= index < len(self.view_names):
            view = self.ensure_view(self.view_names[index])
            if view is not None:
                drop_background_cache(view)  # plots a view added while hidden
            self._follow_current()

    def _follow_current(self) -> None:
        """Docks, menu entries and the list's highlight for the view on screen."""
        view = self.current_view()
        model = view.model if view is not None else None
        browse = self._browse_fields(model)
        self.browser_dock.setVisible(bool(browse))
        if model is not None and browse:
            self.browser.select(model[browse[0].name], emit=False)
        if self._binding is not None:
            self._binding.unbind()
            self._binding = None
        docked = view is not None and view.dock_panel
        if docked:
            self._binding = bind(model, self.panel, include=lambda key, m=model: self._docked_key(m, key))
        self.params_dock.setVisible(docked)
        for action in self._view_actions:
            self.view_menu.removeAction(action)
            self.toolbar.removeAction(action)
        self._view_actions = view.view_actions() if view is not None else []
        for action in self._view_actions:
            self.view_menu.addAction(action)
            self.toolbar.addAction(action)

    @staticmethod
    def _docked_key(model: ViewModel, key: Key) -> bool:
        if model.is_function(key.name) and any(f.name == key.name and getattr(f, "browse", False)
                                               for f in model.fields):
            return False  # the function list already is this control
        return key.name not in (model.range_keys or ())

    @staticmethod
    def _browse_fields(model: ViewModel | None) -> list[FunctionChoice]:
        if model is None:
            return []
        return [f for f in model.fields if isinstance(f, FunctionChoice) and f.browse]

    def current_view(self) -> ViewWidget | None:
        self._open_pending()
        widget = self.tabs.currentWidget()
        return widget if isinstance(widget, ViewWidget) else None

    def current_view_name(self) -> str | None:
        index = self.tabs.currentIndex()
        return self.view_names[index] if 0 <= index < len(self.view_names) else None

    def show_view(self, name: str) -> ViewWidget | None:
        """Show (creating if needed) view ``name``; views open each other through their context."""
        if name not in self.view_names:
            return None
        self.tabs.setCurrentIndex(self.view_names.index(name))
        return self.ensure_view(name)

    # -- the function list ----------------------------------------------------------------------
    def select_function(self, name: str) -> bool:
        """Set the current view's function of that kind (its first browse field that accepts it)."""
        try:
            spec = self.registry.get(name)
        except KeyError:
            self.show_status(f"no function named {name!r}")
            return False
        view = self.current_view()
        model = view.model if view is not None else None
        for f in self._browse_fields(model):
            if name in model.options(f):
                model.set(f.name, name)
                return True
        label = self.registry.views[self.current_view_name()].label if self.current_view_name() else "this tab"
        self.show_status(f"{label} does not use {spec.kind}s; pick one in a tab that does (e.g. Function)")
        return False

    def _model_changed(self, view_name: str, names: frozenset[str]) -> None:
        self._autosave.start()
        if view_name == self.current_view_name():
            model = self.models[view_name]
            for f in self._browse_fields(model):
                if f.name in names:
                    self.browser.select(model[f.name], emit=False)
                    break

    # -- undo -----------------------------------------------------------------------------------
    def undo(self) -> None:
        step = self.history.undo()
        if step is not None:
            self._show_model_view(step.model)
            self.show_status(f"Undid {step.label}")

    def redo(self) -> None:
        step = self.history.redo()
        if step is not None:
            self._show_model_view(step.model)
            self.show_status(f"Redid {step.label}")

    def _show_model_view(self, model: ViewModel) -> None:
        for name, m in self.models.made().items():
            if m is model and name != self.current_view_name():
                self.show_view(name)

    def _history_changed(self) -> None:
        h = self.history
        self.undo_action.setEnabled(h.can_undo())
        self.redo_action.setEnabled(h.can_redo())
        self.undo_action.setText(f"&Undo {h.undo_steps[-1].label}" if h.can_undo() else "&Undo")
        self.redo_action.setText(f"&Redo {h.redo_steps[-1].label}" if h.can_redo() else "&Redo")
