"""Deprecated: moved to :mod:`actviz.host.evaluation`; this name stays importable for old code."""

from actviz._moved import alias

alias(__name__, "actviz.host.evaluation")
