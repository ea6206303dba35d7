"""The main window: function list, parameter dock, one tab per registered view, Edit → Undo, scenes.

Thin wiring: it knows views only through ``Registry.views``, their models and
the generic view API (``view_actions``, ``dock_panel``, ``sync_model``), and
functions only through their specs. Every view's model exists from the start
(models are cheap and Qt-free), so a scene restores views not yet opened;
the widgets are created when their tab is first shown.
"""

from __future__ import annotations

import linecache
import os
import traceback
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from actviz.gui.binder import Binding, bind
from actviz.gui.browser import FunctionBrowser
from actviz.gui.controls import ControlPanel
from actviz.gui.headless import make_model
from actviz.gui.lean import drop_background_cache
from actviz.gui.settings import SettingsStore
from actviz.gui.viewbase import ViewContext, ViewWidget
from actviz.gui.watchdog import WATCHDOG
from actviz.host.registry import Registry, check_spec, load_registry
from actviz.models import History, Key, SceneError, ViewModel, new_scene, read_scene, write_scene
from actviz.specs import FunctionChoice

GUIDE = """<p><b>Everywhere.</b> The function list on the left sets the function of the tab you are on.
Ctrl+Z / Ctrl+Shift+Z undo and redo any change. File → Save scene… keeps the exact picture (every tab, every
value, pins, ranges, trained weights) in a file a student can open; Tours → Lecture walks the whole lecture.</p>
<p>Ctrl+F search · Ctrl+E export · F1 help for this tab. Drag on a plot to pan, wheel to zoom.</p>"""

FORMULA_PLUGIN = "my_functions"
AUTOSAVE_MS = 1500
SCENE_FILTER = "actviz scene (*.json)"


class _AfterFirstPaint(QtCore.QObject):
    """Calls ``then`` once ``widget`` has painted for the first time.

    A zero-delay timer set before ``show`` fires before the first paint, so
    work that should wait for the first picture waits for its paint event.
    """

    def __init__(self, widget: QtWidgets.QWidget, then: Callable[[], None]) -> None:
        super().__init__(widget)
        self._then = then
        widget.installEventFilter(self)

    def eventFilter(self, obj: QtCore.QObject, event: QtCore.QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() == QtCore.QEvent.Type.Paint:
            obj.removeEventFilter(self)
            QtCore.QTimer.singleShot(0, self._then)
        return False


def drop_source_lines() -> int:
    """Forget the source lines that importing read, as the file can give them again; returns how many files.

    PySide6 reads the whole source of every module imported after it (through
    ``linecache``, to see whether it names PySide6), and ``linecache`` keeps
    it: ~7 MiB of strings, ~200 000 lines, for pyqtgraph, actviz and its views.
    Entries without a file (code registered by hand, e.g. an interactive
    session's) are kept; a traceback reads the files again when it needs them.
    """
    dropped = [name for name, entry in list(linecache.cache.items()) if len(entry) == 4 and entry[1] is not None]
    for name in dropped:
        linecache.cache.pop(name, None)
    return len(dropped)


class LazyModels(Mapping[str, ViewModel]):
    """Every registered view's model, each made the first time it is asked for.

    A ``Mapping`` by view name: ``models[name]``, ``get``, ``in`` and iteration
    make what they touch (iterating makes them all), so scenes, tours and tests
    see every view's model; a model that cannot be made is absent, as before.
    The first paint makes only the shown view's model (the others' modules are
    not even imported until then: ~0.1–0.3 s of start-up for the built-ins).
    """

    def __init__(self, names: list[str], make: Callable[[str], ViewModel | None]) -> None:
        self._names = list(names)
        self._make = make
        self._made: dict[str, ViewModel] = {}
        self._failed: set[str] = set()

    def _model(self, name: str) -> ViewModel | None:
        model = self._made.get(name)
        if model is None and name in self._names and name not in self._failed:
            model = self._make(name)
            if model is None:
                self._failed.add(name)
            else:
                self._made[name] = model
        return model

    def __getitem__(self, name: str) -> ViewModel:
        model = self._model(name)
        if model is None:
            raise KeyError(name)
        return model

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._model(name) is not None

    def __iter__(self) -> Iterator[str]:
        return iter([name for name in self._names if self._model(name) is not None])

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def made(self) -> dict[str, ViewModel]:
        """The models made so far (nothing new is made)."""
        return dict(self._made)

    def is_made(self, name: str) -> bool:
        return name in self._made


class MainWindow(QtWidgets.QMainWindow):
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
        label.setStyleSheet("color: #c0392b;")
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
        self.problems_button.setStyleSheet("color: #c0392b;" if n else "")

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

    # -- plugins on and off ---------------------------------------------------------------------
    def set_plugin_enabled(self, name: str, enabled: bool) -> None:
        """Reload the registry without ``name`` (or with it again), keeping everything else."""
        if enabled:
            self.disabled.discard(name)
        else:
            self.disabled.add(name)
        self.reload_registry()

    def reload_registry(self) -> None:
        scene = self.collect_state()
        for view in self.views.values():
            view.close()
        self.registry = self._load_registry()
        self.view_errors.clear()
        self.browser.set_registry(self.registry)
        self._build_models()
        self._build_tabs()
        self._update_problems()
        self.apply_scene(scene, geometry=False, lazy=True)  # what it could not restore is not reported here either

    # -- user formulas --------------------------------------------------------------------------
    def _load_registry(self) -> Registry:
        if not self.formulas:  # the formula compiler is imported only when there are formulas (~5 ms of start-up)
            return load_registry(disabled=self.disabled, extra=[])
        from actviz.host.formulas import formula_plugin

        extra = [(FORMULA_PLUGIN, formula_plugin(self._compiled_formulas()))]
        return load_registry(disabled=self.disabled, extra=extra)

    def _compiled_formulas(self) -> list:
        """Every stored formula compiled; (text, params) from older scenes get their derivative here."""
        from actviz.host.formulas import FormulaError, compile_formula

        compiled = []
        for name, (text, params, *rest) in list(self.formulas.items()):
            options = dict(rest[0]) if rest else {}
            try:
                compiled.append(compile_formula(text, params, name=name, **options))
            except (FormulaError, TypeError) as exc:  # a saved formula that no longer compiles is dropped
                del self.formulas[name]
                self.show_status(f"your formula {name!r} was dropped: {exc}")
        return compiled

    def add_formula(self, name: str, text: str, params: dict[str, tuple[float, float, float]] | None = None,
                    **options: Any) -> Any:
        """Check a user formula like any plugin's function and add it under "my_functions".

        ``params`` may leave parameters out (they get automatic ranges);
        ``options`` are :func:`compile_formula`'s (label, kind, domain, target).
        The exact derivative is derived once here and stored with the formula,
        so loading it again never needs SymPy. Raises FormulaError with the
        reason; nothing changes then. Returns the spec as loaded.
        """
        from actviz.host.formulas import FormulaError, compile_formula, derive

        kind = options.get("kind", "activation")
        if "derivative" not in options:
            options["derivative"] = derive(text, kind)[0]
        spec = compile_formula(text, params, name=name, **options)
        try:
            taken = self.registry.get(name).plugin
        except KeyError:
            taken = FORMULA_PLUGIN
        if taken != FORMULA_PLUGIN:
            raise FormulaError(f"the name {name!r} is taken by plugin {taken!r}")
        probe = check_spec(spec)
        fatal = [p for p in probe if p.stage == "probe"]
        if fatal:
            raise FormulaError(fatal[0].message)
        stored = {"label": spec.label, "kind": kind, "derivative": options["derivative"]}
        if kind == "loss":
            stored.update(domain=spec.domain, target=[spec.target.default, spec.target.low, spec.target.high])
        self.formulas[name] = (text, {p.name: (p.default, p.low, p.high) for p in spec.params}, stored)
        self.reload_registry()
        if not self.select_function(name):  # show it in the first view whose function list takes any function
            for view_name, model in self.models.items():
                if any(f.kind == "any" for f in self._browse_fields(model)):
                    self.show_view(view_name)
                    self.select_function(name)
                    break
        self.save_state()
        return self.registry.get(name)

    def remove_formula(self, name: str) -> None:
        if self.formulas.pop(name, None) is not None:
            self.reload_registry()
            self.save_state()

    def formula_dialog(self) -> None:
        from actviz.gui.formula_dialog import FormulaDialog

        dialog = FormulaDialog(self)
        self._formula_dialog = dialog
        dialog.exec() if not self.property("testing") else dialog.show()

    # -- scenes ---------------------------------------------------------------------------------
    def collect_state(self) -> dict[str, Any]:
        """The whole window as a scene: every model, the current tab, formulas, window geometry."""
        for view in self.views.values():
            try:
                view.sync_model()
            except Exception as exc:  # noqa: BLE001 - view plugins are third-party code
                self.show_status(f"view {type(view).__name__} could not save its state: {exc}")
        views = {}
        for name in self.view_names:
            if not self.models.is_made(name) and name in self._pending_states:
                views[name] = self._pending_states[name]  # the last session's, unchanged: not made just to save it
                continue
            model = self.models.get(name)
            if model is None:
                continue
            try:
                views[name] = model.state()
            except Exception as exc:  # noqa: BLE001
                self.show_status(f"view {name}: state not saved ({exc})")
        window = {"geometry": bytes(self.saveGeometry().toBase64()).decode("ascii"),
                  "disabled": sorted(self.disabled), "scheme": self._chosen_scheme()}
        scene = new_scene(self.current_view_name(), views, window)
        scene["formulas"] = {name: [text, {k: list(v) for k, v in params.items()}, *rest]
                             for name, (text, params, *rest) in self.formulas.items()}
        return scene

    def apply_scene(self, scene: dict[str, Any], geometry: bool = True, lazy: bool = False) -> list[str]:
        """Open a (checked) scene: formulas, every model, the current tab. Returns what was missing.

        ``lazy`` (the last session, at start-up): a model not made yet keeps its
        state until it is first asked for, so only the shown view's model is
        made before the first paint; what it could not restore goes to the status line then.
        """
        missing: list[str] = [str(n) for n in scene.get("_notes", [])]
        formulas = scene.get("formulas")
        if isinstance(formulas, dict) and formulas:
            added = False
            for name, entry in formulas.items():
                try:
                    text, params, *rest = entry  # (text, params) from older scenes; + options since
                    compiled = (str(text), {str(k): tuple(float(x) for x in v) for k, v in dict(params).items()},
                                *(dict(r) for r in rest[:1]))
                except (TypeError, ValueError, AttributeError):
                    missing.append(f"formula {name!r} is malformed and was skipped")
                    continue
                if self.formulas.get(str(name)) != compiled:
                    self.formulas[str(name)] = compiled
                    added = True
            if added:
                self.reload_registry()
        window = scene.get("window", {})
        if geometry and isinstance(window.get("geometry"), str):
            self.restoreGeometry(QtCore.QByteArray.fromBase64(window["geometry"].encode("ascii")))
        if geometry and window.get("scheme") in ("light", "dark") and window["scheme"] != self._chosen_scheme():
            self.set_scheme(window["scheme"])  # the user's choice from the View menu, kept across relaunches
        for name, state in scene.get("views", {}).items():
            if lazy and name in self.registry.views and not self.models.is_made(name):
                self._pending_states[name] = state
                continue
            if name not in self.models:
                missing.append(f"view {name!r} is not installed")
                continue
            missing.extend(self._restore_model(name, self.models[name], state))
        view = scene.get("view")
        if isinstance(view, str) and view in self.view_names:
            self.show_view(view)
        self.missing = missing
        return missing

    def open_scene(self, path: str) -> bool:
        try:
            scene = read_scene(path)
        except SceneError as exc:
            self._tell(str(exc))
            return False
        missing = self.apply_scene(scene, geometry=False)
        if missing:
            self._tell(f"Opened {os.path.basename(path)}, except:\n" + "\n".join(missing))
        else:
            self.show_status(f"Opened scene {path}")
        return True

    def save_scene(self, path: str) -> bool:
        try:
            write_scene(path, self.collect_state())
        except (OSError, TypeError, ValueError) as exc:
            self._tell(f"Could not save the scene to {path}: {getattr(exc, 'strerror', None) or exc}")
            return False
        self.show_status(f"Saved scene {path}")
        return True

    def open_scene_dialog(self) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, "Open scene", "", SCENE_FILTER)
        if path:
            self.open_scene(path)

    def save_scene_dialog(self) -> None:
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self, "Save scene", "scene.json", SCENE_FILTER)
        if path:
            self.save_scene(path if path.endswith(".json") else path + ".json")

    def _tell(self, message: str) -> None:
        self.show_status(message.split("\n")[0])
        if not self.property("testing"):
            QtWidgets.QMessageBox.information(self, "actviz", message)

    def dragEnterEvent(self, event: QtGui.QDragEnterEvent) -> None:
        if any(u.toLocalFile().endswith(".json") for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QtGui.QDropEvent) -> None:
        for url in event.mimeData().urls():
            if url.toLocalFile().endswith(".json"):
                self.open_scene(url.toLocalFile())
                event.acceptProposedAction()
                return

    # -- persistence: settings are the last scene -----------------------------------------------
    def restore_state(self) -> None:
        scene = self.settings.load()
        if self.settings.message:
            self.show_status(self.settings.message)
        self._late_notes = []
        self._starting = not self._painted
        try:
            missing = self.apply_scene(scene, lazy=True)
            self._open_pending()  # the last session named no tab (or one not installed): the first
        finally:
            self._starting = False
            notes, self._late_notes = self._late_notes, None
        self.missing = missing = missing + notes
        if missing:
            self.show_status("Last session: " + "; ".join(missing[:3]))
        self.history.clear()

    def save_state(self) -> bool:
        self._autosave.stop()
        ok = self.settings.save(self.collect_state())
        if not ok:
            self.show_status(self.settings.message)
        return ok

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:
        self.save_state()
        super().closeEvent(event)
