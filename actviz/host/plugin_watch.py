"""Watching plugin code as it runs: global changes undone and named, forks caught, exceptions contained.

Whatever a plugin raises but KeyboardInterrupt is recorded by the caller as a
:class:`~actviz.host.plugin_records.Problem`; a change to numpy's error state
or to the functions of numpy, math or builtins is undone (:mod:`guard`).
"""

from __future__ import annotations

import os
import traceback

from actviz.host import guard
from actviz.host.plugin_records import Problem

_forks = [0]  # os.fork() calls seen in this process (a plugin must not fork the host)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_parent=lambda: _forks.__setitem__(0, _forks[0] + 1))


class _Watch:
    """Around one run of plugin code: what it changed globally, and whether it forked.

    In a forked copy of the host the plugin's code returns to ours; that copy
    leaves at once (``os._exit``), and the original names the plugin.
    """

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.forks = _forks[0]
        self.state = guard.GlobalState()

    def finish(self, plugin: str, stage: str, where: str) -> list[Problem]:
        if os.getpid() != self.pid:
            os._exit(0)
        found = []
        changes = self.state.undo()
        if changes:
            found.append(Problem(plugin, "side-effect", guard.side_effect_message(changes, where)))
        if _forks[0] != self.forks:
            found.append(Problem(plugin, "side-effect", f"{where} forked the process (os.fork); "
                                 "a plugin must not fork the host"))
        return found


def _contained(exc: BaseException) -> None:
    """Re-raise a KeyboardInterrupt; everything else a plugin raises is recorded by the caller."""
    if isinstance(exc, KeyboardInterrupt):
        raise exc


def _format_tb(exc: BaseException) -> str:
    try:
        return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    except BaseException:  # noqa: BLE001 - a plugin's exception may break formatting
        return ""
