"""WCAG contrast of sRGB colours, with no Qt: which text colour reads on which background.

Curve colours make poor text colours (Okabe–Ito orange is 2.3:1 on white), yet a
title that names a curve reads best in the curve's hue. :func:`readable` keeps the
hue and moves the lightness just far enough for the text to reach
:data:`MIN_CONTRAST` (WCAG AA for body text); :func:`ink_on` picks black or white
text for a coloured cell. The layout audit checks with :func:`contrast`.
"""

from __future__ import annotations

import colorsys
from functools import lru_cache

MIN_CONTRAST = 4.5  # WCAG AA for body text

Rgb = tuple[float, float, float]


def parse(color: str) -> Rgb:
    """``"#rrggbb"`` (or ``"#rgb"``) as 0–1 channels."""
    h = color.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    if len(h) != 6:
        raise ValueError(f"colour {color!r}: use #rrggbb")
    return int(h[0:2], 16) / 255, int(h[2:4], 16) / 255, int(h[4:6], 16) / 255


def hex_of(rgb: Rgb) -> str:
    return "#" + "".join(f"{round(min(max(c, 0.0), 1.0) * 255):02x}" for c in rgb)


def luminance(color: str | Rgb) -> float:
    """WCAG relative luminance of ``"#rrggbb"`` or 0–1 channels."""
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = parse(color) if isinstance(color, str) else color
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(fg: str | Rgb, bg: str | Rgb) -> float:
    """WCAG contrast ratio of two opaque colours (1 to 21)."""
    hi, lo = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@lru_cache(maxsize=256)  # views ask for the same few colours on every frame
def readable(color: str, background: str, ratio: float = MIN_CONTRAST) -> str:
    """``color`` itself if it reads on ``background``, else the same hue darkened (on a light background) or
    lightened (on a dark one) just enough to reach ``ratio``."""
    if contrast(color, background) >= ratio:
        return color
    h, lightness, s = colorsys.rgb_to_hls(*parse(color))
    darker = luminance(background) > 0.18  # the far end from the background has the room
    lo, hi = (0.0, lightness) if darker else (lightness, 1.0)
    for _ in range(24):  # bisect the lightness: the first that reads, as close to the colour as possible
        mid = (lo + hi) / 2
        reads = contrast(hex_of(colorsys.hls_to_rgb(h, mid, s)), background) >= ratio
        if darker:
            lo, hi = (lo, mid) if not reads else (mid, hi)
        else:
            lo, hi = (mid, hi) if not reads else (lo, mid)
    found = hex_of(colorsys.hls_to_rgb(h, lo if darker else hi, s))
    if contrast(found, background) >= ratio:
        return found
    return ink_on(background)


def ink_on(background: str) -> str:
    """Black or white, whichever reads better on ``background``."""
    return "#000000" if contrast("#000000", background) >= contrast("#ffffff", background) else "#ffffff"
