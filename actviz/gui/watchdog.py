"""A watchdog for plugin code that must run on the GUI thread (a view's ``create`` and ``redraw``).

Such code cannot be moved to a worker or interrupted. The watchdog names it
instead: a daemon thread notices when the GUI thread has been inside one
watched section longer than the limit and reports it once, by view and
plugin, on stderr (the window itself is frozen then). The section is also
written to the crash breadcrumb, so if the user kills the frozen app the next
start names the plugin (:mod:`actviz.gui.crash`).
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from actviz.host import evaluation

DEFAULT_SECONDS = 5.0


def _stderr(message: str) -> None:
    print(f"actviz: {message}", file=sys.stderr, flush=True)


class Watchdog:
    """Report a watched section that outlives ``seconds``, once, by name."""

    def __init__(self, seconds: float = DEFAULT_SECONDS, report: Callable[[str], None] = _stderr) -> None:
        self.seconds = seconds
        self.report = report
        self.reports: list[str] = []
        self._section: tuple[str, float, int] | None = None  # what, since, serial
        self._serial = 0
        self._reported = -1
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._wake = threading.Event()

    def _run(self) -> None:
        # sleeps until a section starts, then until that section would be overdue: no polling, no missed section
        while True:
            with self._lock:
                section = self._section
            if section is None:
                self._wake.wait()
                self._wake.clear()
                continue
            what, since, serial = section
            remaining = since + self.seconds - time.monotonic()
            if remaining > 0:
                self._wake.wait(remaining)
                self._wake.clear()
                continue
            if serial != self._reported:
                self._reported = serial
                message = f"{what} has not returned for {self.seconds:g} s; the window is frozen until it does"
                self.reports.append(message)
                self.report(message)
            self._wake.wait()  # until the next section starts
            self._wake.clear()

    def _ensure_thread(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="actviz-watchdog", daemon=True)
            self._thread.start()

    @contextmanager
    def watch(self, what: str, code: Any = None) -> Iterator[None]:
        """Watch the enclosed section (``code``: the plugin callable, for the crash breadcrumb)."""
        self._ensure_thread()
        trail = evaluation.current_trail()
        with self._lock:
            self._serial += 1
            self._section = (what, time.monotonic(), self._serial)
        self._wake.set()
        if trail is not None and code is not None:
            trail.enter(code)
        try:
            yield
        finally:
            if trail is not None and code is not None:
                trail.leave()
            with self._lock:
                self._section = None


def _seconds_from_env() -> float:
    try:
        value = float(os.environ.get("ACTVIZ_WATCHDOG_SECONDS", DEFAULT_SECONDS))
    except ValueError:
        return DEFAULT_SECONDS
    return value if value > 0 else DEFAULT_SECONDS


WATCHDOG = Watchdog(_seconds_from_env())


def describe(view_or_class: Any, plugin: str = "") -> str:
    cls = view_or_class if isinstance(view_or_class, type) else type(view_or_class)
    origin = plugin or str(getattr(cls, "__module__", "")).split(".", 1)[0]
    return f"view {cls.__name__} (plugin {origin})"
