"""Deprecated: moved to :mod:`actviz.cli_export`; this name stays importable for old code."""

from actviz._moved import alias

alias(__name__, "actviz.cli_export")
