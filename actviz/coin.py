"""Deprecated: moved to :mod:`actviz.maths.coin`; this name stays importable for old code."""

from actviz._moved import alias

alias(__name__, "actviz.maths.coin")
