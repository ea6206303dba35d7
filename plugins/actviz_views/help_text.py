"""What F1 shows for each built-in view: for a student, what the picture says and what to try."""

HELP = {
    "function": """
<p><b>What you see.</b> Top: the function f(z) you picked in the list on the left. Bottom: its derivative
f′(z), the factor every error signal is multiplied by when it passes this unit backwards. For a loss, the top
is E(y; t) and the bottom ∂E/∂y, with the target t as a slider.</p>
<p><b>The dashed line</b> is the derivative measured numerically. If it parts from the solid one, the plugin's
formula is wrong, and a red line says where.</p>
<p><b>Try.</b> Pick <i>Logistic</i> and drag β: f′ peaks at β/4 and vanishes everywhere else, which is why
deep logistic networks learn slowly. Pin it (Ctrl+P), pick <i>Hyperbolic tangent</i>, and compare the peaks
(1/4 against 1). Pick <i>ReLU</i>: f′ is 0 for every z &lt; 0 — a unit stuck there never learns again.</p>
<p>Drag a plot to pan, use the wheel to zoom: the curves are recomputed at screen resolution at any zoom.</p>""",
    "delta": """
<p><b>What you see.</b> For an output unit: its output y = f(z), the loss gradient ∂E/∂y, the slope f′(z) and
their product δ = ∂E/∂y · f′(z), the error signal that changes the unit's weights (Δw = −ε δ x). Each colour
is one (activation, loss) pair.</p>
<p><b>The lesson.</b> The dot marks a <i>confidently wrong</i> unit: the target is t = 1 but y is 0.01.
With squared error, δ there is tiny, because f′ is tiny: the unit barely learns when it is most wrong.
With cross-entropy the 1/(y(1−y)) of the loss cancels f′ and δ = y − t: it learns fastest when most wrong.
The ratio is written under the plots.</p>
<p><b>Try.</b> Drag <i>wrong at y</i> towards 0.001 and watch the ratio grow. Choose the preset
<i>softmax:categorical_cross_entropy</i>: the dashed curve is the lecture's diagonal shortcut, which ignores
the off-diagonal terms of the softmax Jacobian; the solid one is the true δ₁ = y₁ − t₁.</p>""",
    "depth": """
<p><b>What you see.</b> The mean size |δ| of the error signal in each hidden layer of a deep network, from the
output (right) back to the first layer (left), on a log scale. Shaded bands: the 10th to 90th percentile.</p>
<p><b>The lesson.</b> Each layer multiplies δ by its weights and by f′. With the logistic function
(f′ ≤ 1/4) the signal shrinks layer after layer: the first layers of a deep logistic network hardly learn
(vanishing gradients). ReLU and a He initialisation keep it roughly constant; too large a weight scale makes
it explode.</p>
<p><b>Try.</b> Set 20 layers, tick logistic and ReLU, then drag the weight scale.</p>""",
    "likelihood": """
<p><b>What you see.</b> Every loss is a negative log-likelihood: E(y; t) = −c·ln p(t | y) + const for some
noise model p. Top left: the loss; top right: the noise model's density p(t | y); bottom: targets sampled
from it, and the best y found three ways — minimising the summed loss, maximising the summed log-likelihood,
and the closed form (the mean for squared error, the median for absolute error, the proportion for
cross-entropy). The three land on the same y.</p>
<p><b>Try.</b> Pick <i>Squared error</i>: the noise is Gaussian and the best y is the mean of the targets.
Pick <i>Absolute error</i>: Laplace noise, and the best y is the median. Change the number of targets and
the seed and watch the three markers move together.</p>""",
    "coin": """
<p><b>What you see.</b> Maximum likelihood for a coin: k heads in n flips. The likelihood θ^k (1−θ)^(n−k)
peaks at θ = k/n (8 heads in 10 puts it at 0.8); its logarithm is the negative cross-entropy times n, so
minimising cross-entropy <i>is</i> maximum likelihood.</p>
<p><b>Try.</b> Type k = 8, n = 10. Then switch to a simulated coin with p = 0.3 and flip 10 000 times:
the estimate settles near 0.3 and the 95% likelihood interval narrows like 1/√n. Turn the Beta prior on to
see the posterior and its MAP estimate.</p>""",
    "single_unit": """
<p><b>What you see.</b> Three single units learning the same 2-D points with the lecture's update rules:
the perceptron rule, the delta rule (linear unit, squared error) and a logistic unit with squared error or
cross-entropy. Left: the decision lines; right: the loss per step.</p>
<p><b>The lesson.</b> Started <i>confidently wrong</i>, the logistic unit with squared error barely moves
(its δ is tiny), while with cross-entropy it corrects itself at once.</p>
<p><b>Try.</b> Press Run, then change the start and the rules shown.</p>""",
    "playground": """
<p><b>What you see.</b> A small network learning to separate 2-D points, like TensorFlow Playground: the
network in the middle (each unit shows its own output over the plane; edges are blue for positive and
orange for negative weights, thicker for larger ones), the output map on the right, the training and test
loss and accuracy, and how large the error signal is in each layer.</p>
<p><b>Try.</b> Press Run on the spiral with three layers of eight tanh units. Then switch the hidden
activation to logistic and run again: it learns far more slowly (see the <i>Hidden δ</i> tab for why).
Click an edge to read or set its weight; use + and − to add or remove units.</p>""",
}
