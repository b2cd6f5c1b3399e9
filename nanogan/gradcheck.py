"""Finite-difference gradient checks for any Module or loss.

A backward pass is right when it agrees with the numerical derivative of the
forward pass, entry by entry, for the input and every parameter. With
y(θ) the output as one entry θ_k moves by h, the five-point stencil

    dL/dθ_k ≈ g · (8 (y(θ + h) - y(θ - h)) - (y(θ + 2h) - y(θ - 2h))) / (12 h)

has an error of order h^4 (the plain central difference (y(θ+h) - y(θ-h)) / 2h
has order h^2), so h can be larger and float64 roundoff matters less. Four
choices make the test strict:
- float64: with h = 1e-4 the numerical derivative is good to about 1e-10
  relative; float32 would leave errors near 1e-3 and hide real mistakes.
- a random upstream gradient g: the scalar checked is L = sum(g * y), whose
  gradient is exactly what backward(g) returns. With g all ones, a mistake
  in a term that vanishes whenever g is constant goes unseen: BatchNorm's
  input gradient is exactly zero then (sum(y) does not depend on x), so a
  wrong sign on its x_hat * mean(g * x_hat) term, or a wrong overall factor,
  passes. (A constant offset in dx does not hide: it shows entry by entry.)
- differences of outputs are taken before they are weighted and summed, so
  outputs that a nudge does not reach cancel exactly.
- the error per entry, |a - n| / max(1e-8, |a| + |n|), reported at its worst,
  so one wrong entry among thousands still shows.

    report = nanogan.gradcheck.check_module(layer, x)
    print(report)                 # worst relative error per input and parameter
    assert report.max_error < 1e-6

A random forward pass (Dropout in training mode) has no derivative to check:
the check first runs the forward twice on the same input and, when the two
outputs differ, raises NondeterministicForwardError saying how to hold the
random state fixed.

Correct layers score around 1e-10: over 1,500 random layer checks
(`python benchmarks/gradcheck_accuracy.py --cases 250`) the median per layer
family was 1e-12 to 1e-10 and the worst 4.4e-7, an entry whose gradient
happened to be tiny. A mistake scores 1e-3 or more. Keep inputs more than 2h from a kink (ReLU at 0),
where no derivative exists.
"""

import copy
from dataclasses import dataclass, field

import numpy as np

from .backend import backend_name, to_backend, to_numpy
from .nn.module import create_graph, no_grad

DEFAULT_EPS = 1e-4
DEFAULT_TOLERANCE = 1e-6


class NondeterministicForwardError(ValueError):
    """Two forward passes on the same input gave different outputs: there is no gradient to check."""


@dataclass
class GradcheckReport:
    """Worst relative error between analytic and numerical gradients, per checked array."""

    subject: str
    errors: dict = field(default_factory=dict)  # name -> (error, index, analytic value, numerical value)

    @property
    def max_error(self):
        """The worst relative error over every checked array."""
        return max((error for error, *_ in self.errors.values()), default=0.0)

    @property
    def worst(self):
        """Name of the array with the largest error."""
        return max(self.errors, key=lambda name: self.errors[name][0])

    def __str__(self):
        lines = [f"gradcheck of {self.subject}: worst relative error {self.max_error:.2e}"]
        for name, (error, index, analytic, numerical) in self.errors.items():
            lines.append(
                f"  {name:<12} {error:.2e} at {index}: analytic {analytic:.6g}, numerical {numerical:.6g}"
            )
        return "\n".join(lines)


def relative_error(analytic, numerical):
    """max over entries of |a - n| / max(1e-8, |a| + |n|), and the index where it occurs."""
    analytic, numerical = to_numpy(analytic), to_numpy(numerical)
    errors = np.abs(analytic - numerical) / np.maximum(1e-8, np.abs(analytic) + np.abs(numerical))
    if errors.size == 0:
        return 0.0, ()
    index = np.unravel_index(np.argmax(errors), errors.shape)
    return float(errors[index]), tuple(int(i) for i in index)


def numerical_gradient(forward, array, grad_output, eps=DEFAULT_EPS):
    """d sum(grad_output * forward()) / d array by the five-point stencil, step `eps`.

    Nudges `array` in place one entry at a time and restores it.
    """
    grad_output = to_numpy(grad_output)
    gradient = np.zeros(array.shape, dtype=np.float64)
    for index in np.ndindex(*array.shape):
        original = array[index].copy()
        y = {}
        for step in (-2, -1, 1, 2):
            array[index] = original + step * eps
            y[step] = np.array(to_numpy(forward()))  # a copy: forward may return a view of `array`
        array[index] = original
        # dy ≈ (8 (y(+h) - y(-h)) - (y(+2h) - y(-2h))) / 12h
        dy = (8 * (y[1] - y[-1]) - (y[2] - y[-2])) / (12 * eps)
        gradient[index] = np.sum(grad_output * dy)
    return gradient


def _compare(subject, analytic, arrays, forward, grad_output, eps):
    def forward_without_cache():
        with no_grad():
            return forward()

    report = GradcheckReport(subject)
    for name, array in arrays.items():
        numerical = numerical_gradient(forward_without_cache, array, grad_output, eps)
        error, index = relative_error(analytic[name], numerical)
        report.errors[name] = (error, index, float(to_numpy(analytic[name])[index]), float(numerical[index]))
    return report


def _float64_copy(array):
    return to_backend(array, backend_name(array), np.float64).copy()


def check_deterministic(module, x):
    """Run module's forward twice on x; NondeterministicForwardError, saying how to fix it, when the outputs differ."""
    with no_grad():
        first = np.array(to_numpy(module(x)))
        second = np.array(to_numpy(module(x)))
    if first.shape == second.shape and np.array_equal(first, second, equal_nan=True):
        return
    difference = float(np.nanmax(np.abs(first - second))) if first.shape == second.shape else float("nan")
    raise NondeterministicForwardError(
        f"gradcheck of {module!r}: the forward pass is not deterministic: two forward passes on the same input "
        f"differ (by up to {difference:.2e}), so finite differences would measure the randomness, not the "
        f"gradient. Hold the random state fixed for the check: call model.eval() if the randomness is for "
        f"training only; call hold_mask() on each nanogan.nn.Dropout layer (every forward then reuses one mask); "
        f"a random layer of your own needs such a way to repeat its draws"
    )


def _analytic_gradients(module, x, seed):
    """float64 copies of module and x, the random upstream gradient, and backward's results."""
    module = copy.deepcopy(module).to(dtype=np.float64)
    x = _float64_copy(x)
    check_deterministic(module, x)
    y = module(x)
    grad_output = to_backend(np.random.default_rng(seed).standard_normal(y.shape), backend_name(y), np.float64)
    module.zero_grad()
    analytic = {"input": module.backward(grad_output)}
    arrays = {"input": x}
    for name, parameter in module.named_parameters():
        if parameter.requires_grad:
            analytic[name] = parameter.grad
            arrays[name] = parameter.data
    return module, x, grad_output, analytic, arrays


def check_module(module, x, eps=DEFAULT_EPS, seed=0):
    """Check `module.backward` entry by entry, for its input and every trainable parameter.

    Works on a float64 copy of the module and input (the originals are not
    touched), in the module's current mode (train or eval), on its backend.
    Costs four forward passes per entry: for small layers and models.
    """
    module, x, grad_output, analytic, arrays = _analytic_gradients(module, x, seed)
    return _compare(repr(module), analytic, arrays, lambda: module(x), grad_output, eps)


def check_directional(module, x, eps=1e-6, seed=0):
    """Check a whole model along one random direction v of its input and all its parameters at once.

    Compares the analytic directional derivative sum_k <dL/dθ_k, v_k> with the
    five-point difference quotient of L(θ + t v) in t. Costs four forward
    passes whatever the model's size, so it suits networks too large for
    `check_module`; it cannot say which entry is wrong. The small step
    (1e-6) makes it unlikely that any ReLU input crosses 0 on the way.
    """
    module, x, grad_output, analytic, arrays = _analytic_gradients(module, x, seed)
    rng = np.random.default_rng(seed + 1)
    directions = {name: to_backend(rng.standard_normal(array.shape), backend_name(array), np.float64)
                  for name, array in arrays.items()}
    originals = {name: array.copy() for name, array in arrays.items()}
    analytic_derivative = sum(float((analytic[name] * directions[name]).sum()) for name in arrays)

    def loss_at(t):
        for name, array in arrays.items():
            array[...] = originals[name] + t * directions[name]
        with no_grad():
            return float((to_numpy(module(x)) * to_numpy(grad_output)).sum())

    loss = {step: loss_at(step * eps) for step in (-2, -1, 1, 2)}
    loss_at(0.0)
    numerical_derivative = (8 * (loss[1] - loss[-1]) - (loss[2] - loss[-2])) / (12 * eps)
    error, _ = relative_error(np.array(analytic_derivative), np.array(numerical_derivative))
    report = GradcheckReport(repr(module))
    report.errors["direction"] = (error, (), analytic_derivative, numerical_derivative)
    return report


def check_loss(criterion, input, target, eps=DEFAULT_EPS, seed=0):
    """Check `criterion.backward` with respect to the input, with a random upstream scalar."""
    input = _float64_copy(input)
    if np.issubdtype(target.dtype, np.floating):  # class indices stay integers
        target = _float64_copy(target)
    upstream = float(np.random.default_rng(seed).standard_normal())
    criterion(input, target)
    analytic = {"input": criterion.backward(upstream)}
    return _compare(repr(criterion), analytic, {"input": input}, lambda: criterion(input, target), upstream, eps)


def check_double_backward(module, x, eps=DEFAULT_EPS, seed=0):
    """Check `module.double_backward` (docs/double-backward.md) entry by entry.

    With a random upstream gradient g and a random r, the scalar P = sum(r * dx), where
    dx = backward(g) is the input gradient, is differentiated numerically with respect to
    the input, every trainable parameter and g, and compared with what double_backward(r)
    returns (dP/dx, dP/dg) and adds into .grad (dP/dparam). Works on float64 copies, in the
    module's current mode; a module whose forward changes state (spectral normalisation's
    power iteration in training mode) is checked in eval mode.
    """
    module = copy.deepcopy(module).to(dtype=np.float64)
    x = _float64_copy(x)
    rng = np.random.default_rng(seed)
    y = module(x)
    grad_output = to_backend(rng.standard_normal(y.shape), backend_name(y), np.float64)
    r = to_backend(rng.standard_normal(x.shape), backend_name(x), np.float64)
    trainable = {name: parameter for name, parameter in module.named_parameters() if parameter.requires_grad}
    module.requires_grad_(False)
    with create_graph():
        module.backward(grad_output)
    for parameter in trainable.values():
        parameter.requires_grad = True
    module.zero_grad()
    grad_grad_output, grad_input = module.double_backward(r)
    analytic = {"input": 0 * x if grad_input is None else grad_input, "grad_output": grad_grad_output,
                **{name: parameter.grad.copy() for name, parameter in trainable.items()}}
    arrays = {"input": x, "grad_output": grad_output, **{name: parameter.data for name, parameter in trainable.items()}}
    module.requires_grad_(False)  # the numerical passes below need no parameter gradients

    def input_gradient():
        module(x)
        return module.backward(grad_output)

    report = GradcheckReport(f"double backward of {module!r}")
    for name, array in arrays.items():
        numerical = numerical_gradient(input_gradient, array, r, eps)
        error, index = relative_error(analytic[name], numerical)
        report.errors[name] = (error, index, float(to_numpy(analytic[name])[index]), float(numerical[index]))
    return report
