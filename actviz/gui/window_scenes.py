"""The main window's state: scenes (every tab, value and formula in one file), the last session, user formulas,
plugins switched on and off.

A mixin of :class:`actviz.gui.main_window.MainWindow`.
"""

from __future__ import annotations

import os
from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from actviz.host.registry import Registry, check_spec, load_registry
from actviz.models import SceneError, new_scene, read_scene, write_scene

FORMULA_PLUGIN = "my_functions"
SCENE_FILTER = "actviz scene (*.json)"


class WindowScenes:
    """Scenes, persistence, user formulas and plugin switching of the main window (mixed into ``MainWindow``)."""

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
