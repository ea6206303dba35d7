"""Collect every plugin's tours through the hook ``actviz_tours``, each hook call guarded.

Like :func:`actviz.maths.pairs.collect_output_delta_rules`: a raising hook, a
returned object that is not an ``actviz.Tour``, a tour whose stop names a view
or key that is not there, or a name already taken are recorded
:class:`~actviz.host.plugins.Problem` s against the plugin, and every other
tour is still offered.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any

from actviz.host.plugins import Problem, call_each
from actviz.maths.pairs import collect_once
from actviz.models.tour import Tour, TourError, check_tour, load_tour_file

HOOK = "actviz_tours"


def tours_from_plugin_manager(pm: Any, registry: Any) -> tuple[dict[str, Tour], list[Problem]]:
    """Call ``actviz_tours`` plugin by plugin (registration order: built-ins first); (tours by name, problems)."""
    tours: dict[str, Tour] = {}
    problems: list[Problem] = []
    if not hasattr(pm.hook, HOOK):
        return tours, problems
    for plugin, items, problem in call_each(pm, HOOK):
        if problem is not None:
            problems.append(problem)
            continue
        for item in items:
            if not isinstance(item, Tour):
                problems.append(Problem(plugin, "validate", f"{HOOK}() returned {type(item).__name__}, "
                                                            "not an actviz.Tour"))
                continue
            if item.name in tours:
                problems.append(Problem(plugin, "validate", f"tour {item.name!r} is already given by plugin "
                                                            f"{tours[item.name].plugin!r}"))
                continue
            tour = dataclasses.replace(item, plugin=plugin)
            broken = check_tour(tour, registry, where=f"tour {tour.name!r}")
            if broken:
                problems.extend(Problem(plugin, "validate", line) for line in broken)
                continue
            tours[tour.name] = tour
    return tours, problems


def collect_tours(registry: Any, plugin_manager: Any = None) -> dict[str, Tour]:
    """Every usable tour of the plugins active in ``registry``, by name (cached on the registry).

    Uses ``plugin_manager`` when given, else the registry's plugins registered
    again (as the δ rules are collected). Problems are appended to
    ``registry.problems`` once.
    """
    return collect_once(registry, "_tours", plugin_manager, lambda pm: tours_from_plugin_manager(pm, registry))


def find_tour(name_or_path: str, registry: Any) -> Tour:
    """A tour by name among the plugins' tours, else from a ``.json``/``.toml`` file; TourError says why not."""
    tours = collect_tours(registry)
    if name_or_path in tours:
        return tours[name_or_path]
    if os.path.exists(name_or_path) or name_or_path.lower().endswith((".json", ".toml")):
        tour = load_tour_file(name_or_path)
        broken = check_tour(tour, registry, where=name_or_path)
        if broken:
            raise TourError(broken[0])
        return tour
    raise TourError(f"no tour named {name_or_path!r} (tours: {', '.join(tours) or 'none'}) and no such file")
