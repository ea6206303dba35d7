"""A disk cache of rendered formula PNGs, so a warm start never imports matplotlib.

matplotlib (for mathtext) is the largest thing actviz loads: ~60 MiB and
~0.5 s. The same few dozen formulas are drawn at every start, so their PNGs
are kept in ``$ACTVIZ_FORMULA_CACHE`` (default ``$XDG_CACHE_HOME/actviz/formulas``,
else ``~/.cache/actviz/formulas``), one file per LaTeX source, colour, size
and matplotlib version. ``ACTVIZ_FORMULA_CACHE=off`` turns it off. A file
that cannot be read or written is simply a miss: the cache never makes a
formula fail.
"""

from __future__ import annotations

import functools
import hashlib
import os
import tempfile
from pathlib import Path

#: bump when the rendering changes in a way the key does not capture
VERSION = "2"  # 2: cut to the ink, not to mathtext's box (which lost the top of piecewise formulas)
#: every PNG starts with these bytes; anything else in the cache is ignored
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def directory() -> Path | None:
    """Where the PNGs live, or None when the cache is off."""
    env = os.environ.get("ACTVIZ_FORMULA_CACHE", "")
    if env.lower() in ("off", "0", "none"):
        return None
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "actviz" / "formulas"


@functools.lru_cache(maxsize=1)
def _renderer_version() -> str:
    """matplotlib's version from its metadata, without importing it ("" when it is not installed)."""
    from actviz.host.plugins import installed_version  # not importlib.metadata: it imports email (~20 ms)

    return installed_version("matplotlib") or ""


def path_for(tex: str, color: str, size: float) -> Path | None:
    folder = directory()
    if folder is None:
        return None
    key = "\0".join((VERSION, _renderer_version(), tex, color, repr(float(size))))
    return folder / (hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest() + ".png")


def load(tex: str, color: str, size: float = 13.0) -> bytes | None:
    """The cached PNG, or None."""
    path = path_for(tex, color, size)
    if path is None:
        return None
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return data if data.startswith(PNG_MAGIC) else None


def store(tex: str, color: str, size: float, png: bytes) -> None:
    """Keep ``png`` (written to a temporary file and renamed, so a reader never sees half of it)."""
    path = path_for(tex, color, size)
    if path is None or not png.startswith(PNG_MAGIC):
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(png)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        return
