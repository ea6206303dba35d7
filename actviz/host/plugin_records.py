"""What the host records about plugins: :class:`Problem` (what went wrong) and :class:`PluginInfo` (what loaded)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing that went wrong with a plugin: who, at which stage, and why."""

    plugin: str
    stage: str
    message: str
    traceback: str = ""
    spec: str = ""

    def __str__(self) -> str:
        where = f"{self.plugin}" + (f" / {self.spec}" if self.spec else "")
        return f"[{where}] {self.stage}: {self.message}"


@dataclass
class PluginInfo:
    """What the plugin dialog and ``actviz plugins`` show about one plugin."""

    name: str
    distribution: str = ""
    version: str = ""
    location: str = ""
    builtin: bool = False
    status: str = "active"  # active | disabled | failed
    adds: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in
                ("name", "distribution", "version", "location", "builtin", "status", "adds")}
