"""Text colours that read: WCAG contrast with no Qt, and colours moved just far enough to reach it."""

from __future__ import annotations

import colorsys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from actviz.gui import PALETTE
from actviz.maths.contrast import MIN_CONTRAST, contrast, hex_of, ink_on, luminance, parse, readable

BACKGROUNDS = ("#ffffff", "#efefef", "#17181a", "#202124")
hex_colour = st.tuples(*[st.integers(0, 255)] * 3).map(lambda c: "#" + "".join(f"{v:02x}" for v in c))


def test_contrast_is_wcags():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast("#fff", "#ffffff") == pytest.approx(1.0)
    assert luminance((1.0, 1.0, 1.0)) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="#rrggbb"):
        parse("#12345")


@pytest.mark.parametrize("background", BACKGROUNDS)
@pytest.mark.parametrize("colour", PALETTE)
def test_every_curve_colour_becomes_text_that_reads_in_its_own_hue(colour, background):
    text = readable(colour, background)
    assert contrast(text, background) >= MIN_CONTRAST
    if contrast(colour, background) >= MIN_CONTRAST:
        assert text == colour  # what reads already is left alone
    else:
        h0, _, s0 = colorsys.rgb_to_hls(*parse(colour))
        h1, _, s1 = colorsys.rgb_to_hls(*parse(text))
        assert abs(h0 - h1) < 0.02 and abs(s0 - s1) < 0.05  # the same hue: only the lightness moved
        # just far enough: a step back towards the colour no longer reads
        lightness = colorsys.rgb_to_hls(*parse(text))[1]
        back = 0.02 if luminance(background) > 0.18 else -0.02
        assert contrast(hex_of(colorsys.hls_to_rgb(h0, lightness + back, s0)), background) < MIN_CONTRAST + 0.6


@given(hex_colour, hex_colour)
def test_readable_always_reads(colour, background):
    assert contrast(readable(colour, background), background) >= MIN_CONTRAST


@pytest.mark.parametrize(("background", "ink"), [("#f59322", "#000000"), ("#0072b2", "#ffffff"),
                                                  ("#ffffff", "#000000"), ("#000000", "#ffffff")])
def test_ink_on_a_cell_is_black_or_white_whichever_reads_better(background, ink):
    assert ink_on(background) == ink
