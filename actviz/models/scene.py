"""Scenes: the whole state of the window as one versioned, human-readable JSON file.

A scene is ``{format, version, view, views: {name: model.state()}, window: {...}}``;
functions are named ``plugin/name`` so that a scene needing a plugin that is not
installed opens everything else and says exactly what is missing. Settings at
relaunch are simply the last scene. Reading never raises: a newer, corrupt or
foreign file gives :class:`SceneError` with a clear message and changes nothing.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from typing import Any

FORMAT = "actviz-scene"
VERSION = 1
MAX_BYTES = 20_000_000
MAX_DEPTH = 64


class SceneError(ValueError):
    """A scene file that cannot be used; the message says which file and why."""


def new_scene(view: str | None, views: Mapping[str, Any], window: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return {"format": FORMAT, "version": VERSION, "view": view, "views": dict(views), "window": dict(window or {})}


def _depth(obj: Any, limit: int) -> int:
    """Nesting depth, iteratively (a 100,000-deep document must not blow the stack)."""
    deepest, stack = 0, [(obj, 1)]
    while stack:
        item, d = stack.pop()
        deepest = max(deepest, d)
        if d > limit:
            return d
        if isinstance(item, dict):
            stack.extend((v, d + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, d + 1) for v in item)
    return deepest


def parse_scene(text: str, where: str = "scene", lenient: bool = False) -> dict[str, Any]:
    """Read and check a scene document; SceneError says what is wrong.

    ``lenient`` (settings): a top-level field of the wrong type is dropped with a note in ``"_notes"``,
    the rest is kept; otherwise (a scene the user opens) it is refused whole.
    """
    if len(text) > MAX_BYTES:
        raise SceneError(f"{where} is larger than {MAX_BYTES // 1_000_000} MB")
    try:
        data = json.loads(text, parse_int=_bounded_int)
    except RecursionError:
        raise SceneError(f"{where} is nested too deeply") from None
    except (ValueError, TypeError) as exc:
        raise SceneError(f"{where} is not valid JSON ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise SceneError(f"{where} is not an actviz scene (no \"format\": \"{FORMAT}\")")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise SceneError(f"{where} has no version number")
    if version > VERSION:
        raise SceneError(f"{where} is scene format {version}, newer than this actviz reads ({VERSION}); "
                         "update actviz to open it")
    if _depth(data, MAX_DEPTH) > MAX_DEPTH:
        raise SceneError(f"{where} is nested more than {MAX_DEPTH} levels deep")
    shapes = (("views", dict, "a mapping of view name to state", {}), ("window", dict, "a mapping", {}),
              ("formulas", dict, "a mapping of name to formula", {}), ("view", str, "a view name", None))
    notes: list[str] = []
    for key, kind, what, empty in shapes:
        if key in data and data[key] is not None and not isinstance(data[key], kind):
            if not lenient:
                raise SceneError(f"{where}: \"{key}\" must be {what}")
            notes.append(f"{where}: \"{key}\" was not {what} and was dropped")
            data[key] = empty
    data["_notes"] = notes
    data.setdefault("views", {})
    data.setdefault("window", {})
    return data


def _bounded_int(text: str) -> int | float:
    if len(text.lstrip("-")) > 30:
        raise ValueError(f"the integer {text[:20]}… has {len(text)} digits")
    return int(text)


def read_scene(path: str | os.PathLike, lenient: bool = False) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise SceneError(f"cannot read scene {os.fspath(path)}: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SceneError(f"{os.fspath(path)} is not a text file") from None
    return parse_scene(text, os.fspath(path), lenient)


def dumps_scene(scene: Mapping[str, Any]) -> str:
    return json.dumps(scene, indent=2, sort_keys=False, allow_nan=False, default=_plain) + "\n"


def _plain(obj: Any) -> Any:
    if hasattr(obj, "tolist"):  # numpy arrays and scalars
        return obj.tolist()
    raise TypeError(f"{type(obj).__name__} is not JSON-able")


def write_scene(path: str | os.PathLike, scene: Mapping[str, Any]) -> None:
    """Write atomically (temp file + rename), so a crash never leaves half a scene."""
    text = dumps_scene(scene)
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".actviz-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
