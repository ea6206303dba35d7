"""The mathematics views draw: numpy only, no Qt, tested without a display.

Public for view authors: ``backprop`` (δ of output and hidden units; the hidden stack
itself is ``depth``, the softmax Jacobian ``softmax_delta``), ``likelihood``
(noise models and maximum likelihood), ``coin`` (the coin-flip likelihood),
``learning`` (small networks trained through plugin functions), ``ranges`` (axis
ranges that hold still while a control is dragged), ``sampling``
(screen-resolution grids that hit every kink), ``noise_models`` (ready-made
noise models for losses), ``contrast`` (WCAG contrast: text colours that read on a background).
"""

__all__ = ["backprop", "coin", "contrast", "depth", "learning", "likelihood", "noise_models", "ranges", "sampling",
           "softmax_delta"]
