"""Tours: a lecture walked stop by stop, each stop a scene of one view plus what to look at.

A :class:`Tour` is data, like every spec: a plugin returns it from the hook
``actviz_tours`` and a teacher can write one as a JSON or TOML file
(:func:`load_tour_file`). A :class:`TourStop` names a view, the settings that
make its scene (``model.state()`` of that view, or flat ``--set`` keys applied
with ``model.update``), the text in the lecture's terms, and optionally a
check that tells the student when they have found what the text asks for.
Where the lecture is wrong, a stop carries the lecture's claim and the correct
statement side by side. No Qt here: the GUI panel and ``actviz export --tour``
both read these.
"""

from __future__ import annotations

import copy
import json
import math
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from actviz.models.model import ModelError, ViewModel

try:  # the standard library from Python 3.11; on 3.10 the same parser as the package tomli
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    try:
        import tomli as tomllib  # type: ignore[no-redef]
    except ModuleNotFoundError:
        tomllib = None  # type: ignore[assignment]

Models = Mapping[str, ViewModel]
Check = Callable[[Models], bool]

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
OPS = ("<", "<=", ">", ">=", "==")
MAX_STOPS = 200
MAX_FILE_BYTES = 2_000_000
TEXT_LIMIT = 5000
STOP_FIELDS = ("title", "text", "view", "set", "check", "check_text", "lecture_claim", "correction")
TOUR_FIELDS = ("name", "title", "stops")


class TourError(ValueError):
    """A tour that cannot be used; the message names the file or plugin, the stop and the field."""


def _freeze(value: Any) -> Any:
    """A deep, read-only copy: a tour is shared by every window that shows it."""
    if isinstance(value, Mapping):
        return MappingProxyType({str(k): _freeze(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    return value


def plain(value: Any) -> Any:
    """A frozen settings value as plain dicts and lists again (what models and JSON take)."""
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [plain(v) for v in value]
    return copy.copy(value)


def is_state(settings: Mapping[str, Any]) -> bool:
    """Whether ``settings`` is a whole ``model.state()`` (a ``values`` mapping) rather than flat keys."""
    return isinstance(settings.get("values"), Mapping)


@dataclass(frozen=True)
class KeyCheck:
    """``view``'s key ``key`` compared with ``value`` by ``op``: the declarative check a tour file can hold.

    A function key compares by name (``"logistic"`` matches ``"lecture/logistic"``);
    ``==`` on numbers allows for the rounding of a slider. A key that does not
    apply now (``function.beta`` while tanh is shown) is simply not found.
    """

    view: str
    key: str
    op: str
    value: float | str

    def __post_init__(self) -> None:
        if self.op not in OPS:
            raise TourError(f"check op {self.op!r} is not one of {', '.join(OPS)}")
        if not isinstance(self.key, str) or not self.key:
            raise TourError("check key must be a non-empty string")
        if isinstance(self.value, bool) or not isinstance(self.value, (int, float, str)):
            raise TourError(f"check value must be a number or a string, not {type(self.value).__name__}")
        if isinstance(self.value, str) and self.op != "==":
            raise TourError(f"check op {self.op!r} needs a number, got the string {self.value!r}")

    def __call__(self, models: Models) -> bool:
        model = models.get(self.view)
        if model is None:
            return False
        current = model.get(self.key)
        if current is None:
            return False
        if isinstance(self.value, str):
            return str(current).rsplit("/", 1)[-1] == self.value.rsplit("/", 1)[-1]
        if isinstance(current, bool) or not isinstance(current, (int, float)):
            return False
        target = float(self.value)
        if self.op == "==":
            return math.isclose(current, target, rel_tol=1e-9, abs_tol=1e-9)
        if self.op == "<":
            return current < target
        if self.op == "<=":
            return current <= target + 1e-9 * max(1.0, abs(target))
        if self.op == ">":
            return current > target
        return current >= target - 1e-9 * max(1.0, abs(target))

    def describe(self) -> str:
        return f"{self.key} {self.op} {self.value}"


def _text(owner: str, name: str, value: Any, required: bool = False) -> None:
    if not isinstance(value, str):
        raise TourError(f"{owner}: {name} must be a string, not {type(value).__name__}")
    if required and not value.strip():
        raise TourError(f"{owner}: {name} must not be empty")
    if len(value) > TEXT_LIMIT:
        raise TourError(f"{owner}: {name} is longer than {TEXT_LIMIT} characters")


@dataclass(frozen=True)
class TourStop:
    """One stop: which view, the settings that make its scene, what to look at, and how to know it was found.

    ``settings`` is either that view's ``model.state()`` (``{"values": …,
    "extras": …}``) or flat keys as ``actviz export --set`` takes them
    (``{"function": "logistic", "function.beta": 2}``); either way the stop
    starts from the view's defaults. ``check(models)`` gets every view's model
    by name and says whether the student has found it; ``check_text`` says
    what to try. ``lecture_claim`` and ``correction`` show where the lecture
    is wrong: what it says, and what is right.
    """

    title: str
    text: str
    view: str
    settings: Mapping[str, object] = field(default_factory=dict)
    check: Check | None = None
    check_text: str = ""
    lecture_claim: str = ""
    correction: str = ""

    def __post_init__(self) -> None:
        owner = f"stop {self.title!r}" if isinstance(self.title, str) and self.title else "stop"
        _text(owner, "title", self.title, required=True)
        _text(owner, "text", self.text, required=True)
        _text(owner, "view", self.view, required=True)
        for name in ("check_text", "lecture_claim", "correction"):
            _text(owner, name, getattr(self, name))
        if not isinstance(self.settings, Mapping):
            raise TourError(f"{owner}: settings must be a mapping of key to value, not {type(self.settings).__name__}")
        if any(not isinstance(k, str) for k in self.settings):
            raise TourError(f"{owner}: settings keys must be strings")
        if self.check is not None and not callable(self.check):
            raise TourError(f"{owner}: check must be callable (models by view name -> bool)")
        if bool(self.lecture_claim) != bool(self.correction):
            raise TourError(f"{owner}: lecture_claim and correction go together (give both or neither)")
        object.__setattr__(self, "settings", _freeze(self.settings))

    def set_values(self) -> dict[str, Any]:
        """The settings as plain data (a state or flat keys), safe to hand to a model."""
        return plain(self.settings)


@dataclass(frozen=True)
class Tour:
    """A named sequence of stops; ``plugin`` is filled in when a plugin's tour is collected."""

    name: str
    title: str
    stops: tuple[TourStop, ...]
    plugin: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not NAME.match(self.name):
            raise TourError(f"tour name {self.name!r} must be 1-64 letters, digits, '_', '-' or '.'")
        _text(f"tour {self.name!r}", "title", self.title, required=True)
        if isinstance(self.stops, (str, bytes)) or not isinstance(self.stops, Iterable):
            raise TourError(f"tour {self.name!r}: stops must be a list of actviz.TourStop")
        stops = tuple(self.stops)
        if not stops:
            raise TourError(f"tour {self.name!r} has no stops")
        if len(stops) > MAX_STOPS:
            raise TourError(f"tour {self.name!r} has {len(stops)} stops; at most {MAX_STOPS}")
        for i, stop in enumerate(stops, 1):
            if not isinstance(stop, TourStop):
                raise TourError(f"tour {self.name!r}, stop {i}: expected actviz.TourStop, got {type(stop).__name__}")
        object.__setattr__(self, "stops", stops)
        if not isinstance(self.plugin, str):
            raise TourError(f"tour {self.name!r}: plugin must be a string")


# -- scenes of stops ------------------------------------------------------------------------------
def fresh_model(registry: Any, view: str) -> ViewModel:
    """A default model of ``view`` (no history): what every stop starts from."""
    factory = registry.views[view].model
    model = factory(registry) if factory is not None else ViewModel(registry)
    if not isinstance(model, ViewModel):
        raise TourError(f"view {view!r}: model() returned {type(model).__name__}, not an actviz ViewModel")
    return model


def stop_state(registry: Any, stop: TourStop) -> dict[str, Any]:
    """The whole ``model.state()`` the stop shows: the view's defaults, then the stop's settings.

    Raises TourError naming the view and the key that cannot be applied
    (a view that is not installed, an unknown key, a value out of range).
    """
    if stop.view not in getattr(registry, "views", {}):
        raise TourError(f"view {stop.view!r} is not installed")
    model = fresh_model(registry, stop.view)
    settings = stop.set_values()
    if is_state(settings):
        missing = model.restore(settings)
        if missing:
            raise TourError(f"view {stop.view!r}: {missing[0]}")
    elif settings:
        try:
            model.update(settings)
        except ModelError as exc:
            raise TourError(f"view {stop.view!r}: {exc}") from None
    return model.state()


def apply_stop(models: Models, registry: Any, stop: TourStop) -> list[str]:
    """Put the stop's scene into ``models[stop.view]`` as one undoable step; returns what went wrong."""
    model = models.get(stop.view)
    if model is None:
        return [f"view {stop.view!r} is not installed"]
    try:
        state = stop_state(registry, stop)
    except TourError as exc:
        return [str(exc)]
    now = model.state()
    if now.get("values") == state.get("values") and now.get("extras") == state.get("extras"):
        return []
    return model.restore(state, record=True)


def evaluate(stop: TourStop, models: Models) -> tuple[bool | None, str]:
    """Whether the stop's check holds: (True/False, "") or (None, why it could not be evaluated).

    ``None`` with "" means the stop has no check. A check is plugin code: any
    exception becomes the reason, never a crash.
    """
    if stop.check is None:
        return None, ""
    try:
        return bool(stop.check(models)), ""
    except Exception as exc:  # noqa: BLE001 - a tour's check is third-party code
        return None, f"the check raised {type(exc).__name__}: {exc}"


def check_tour(tour: Tour, registry: Any, where: str = "") -> list[str]:
    """Every stop's scene built on fresh models; one line per stop that cannot be shown."""
    where = where or (f"plugin {tour.plugin!r}, tour {tour.name!r}" if tour.plugin else f"tour {tour.name!r}")
    lines = []
    for i, stop in enumerate(tour.stops, 1):
        try:
            stop_state(registry, stop)
        except TourError as exc:
            lines.append(f"{where}, stop {i} ({stop.title}): {exc}")
        except Exception as exc:  # noqa: BLE001 - view models may come from plugins
            lines.append(f"{where}, stop {i} ({stop.title}): {type(exc).__name__}: {exc}")
    return lines


# -- tour files ----------------------------------------------------------------------------------
def parse_tour(data: Any, where: str) -> Tour:
    """A tour from plain data (a parsed JSON or TOML document); TourError names ``where``, the stop and the field."""
    if not isinstance(data, Mapping):
        raise TourError(f"{where}: a tour is a table/object with name, title and stops")
    unknown = sorted(set(data) - set(TOUR_FIELDS))
    if unknown:
        raise TourError(f"{where}: unknown field {unknown[0]!r} (fields: {', '.join(TOUR_FIELDS)})")
    for name in ("name", "title"):
        if not isinstance(data.get(name), str):
            raise TourError(f"{where}: field {name!r} must be a string")
    raw_stops = data.get("stops")
    if not isinstance(raw_stops, list) or not raw_stops:
        raise TourError(f"{where}: field 'stops' must be a non-empty list of stops")
    stops = [_parse_stop(raw, f"{where}, stop {i}") for i, raw in enumerate(raw_stops, 1)]
    try:
        return Tour(data["name"], data["title"], tuple(stops))
    except TourError as exc:
        raise TourError(f"{where}: {exc}") from None


def _parse_stop(raw: Any, where: str) -> TourStop:
    if not isinstance(raw, Mapping):
        raise TourError(f"{where}: a stop is a table/object with title, text and view")
    unknown = sorted(set(raw) - set(STOP_FIELDS))
    if unknown:
        raise TourError(f"{where}: unknown field {unknown[0]!r} (fields: {', '.join(STOP_FIELDS)})")
    for name in ("title", "text", "view"):
        if name not in raw:
            raise TourError(f"{where}: field {name!r} is missing")
    for name in ("title", "text", "view", "check_text", "lecture_claim", "correction"):
        if name in raw and not isinstance(raw[name], str):
            raise TourError(f"{where}: field {name!r} must be a string, not {type(raw[name]).__name__}")
    settings = raw.get("set", {})
    if not isinstance(settings, Mapping):
        raise TourError(f"{where}: field 'set' must be a table/object of key = value")
    for key, value in settings.items():
        if not isinstance(value, (str, int, float, Mapping, list)) or isinstance(value, bool):
            raise TourError(f"{where}: field 'set', key {key!r}: {value!r} is not a number or a string")
    check = None
    if "check" in raw:
        check = _parse_check(raw["check"], raw["view"], f"{where}: field 'check'")
    try:
        return TourStop(raw["title"], raw["text"], raw["view"], settings, check, raw.get("check_text", ""),
                        raw.get("lecture_claim", ""), raw.get("correction", ""))
    except TourError as exc:
        raise TourError(f"{where}: {str(exc).split(': ', 1)[-1]}") from None


def _parse_check(raw: Any, view: str, where: str) -> KeyCheck:
    if not isinstance(raw, Mapping) or set(raw) != {"key", "op", "value"}:
        raise TourError(f"{where} must be {{\"key\": K, \"op\": \"<\"|\">\"|\"==\", \"value\": V}}")
    try:
        return KeyCheck(view, raw["key"], raw["op"], raw["value"])
    except TourError as exc:
        raise TourError(f"{where}: {exc}") from None


def load_tour_file(path: str | os.PathLike) -> Tour:
    """Read a tour from a ``.json`` or ``.toml`` file (the suffix decides; anything else is tried as JSON)."""
    where = os.fspath(path)
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise TourError(f"cannot read tour {where}: {exc.strerror or exc}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise TourError(f"{where} is larger than {MAX_FILE_BYTES // 1_000_000} MB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise TourError(f"{where} is not a UTF-8 text file") from None
    if where.lower().endswith(".toml"):
        if tomllib is None:  # pragma: no cover - Python 3.10 without tomli
            raise TourError(f"{where}: reading TOML needs Python 3.11 or the package tomli; "
                            "or write the tour as JSON")
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise TourError(f"{where} is not valid TOML ({exc})") from None
    else:
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise TourError(f"{where} is not valid JSON ({exc})") from None
    return parse_tour(data, where)


def tour_to_data(tour: Tour) -> dict[str, Any]:
    """A tour as the plain data a file holds (checks only when declarative); the inverse of :func:`parse_tour`."""
    stops = []
    for stop in tour.stops:
        item: dict[str, Any] = {"title": stop.title, "text": stop.text, "view": stop.view}
        if stop.settings:
            item["set"] = stop.set_values()
        if isinstance(stop.check, KeyCheck):
            item["check"] = {"key": stop.check.key, "op": stop.check.op, "value": stop.check.value}
        for name in ("check_text", "lecture_claim", "correction"):
            if getattr(stop, name):
                item[name] = getattr(stop, name)
        stops.append(item)
    return {"name": tour.name, "title": tour.title, "stops": stops}
