"""The article's toy GAN (section 4.4): a linear generator on Gaussian noise, and
three discriminators of growing power to play against it.

    G(z) = W z + b                             z ~ N(0, I), so G(z) ~ N(b, W W^T)
    D(x) = sigmoid(theta^T x + c)              logistic: sees only the means
    D(x) = sigmoid(theta^T x + x^T A x + c)    quadratic: sees means and covariances
    D(x) = sigmoid(v^T LeakyReLU(U x + a) + c) one hidden layer

and, for the ring of Gaussians (a distribution no linear G can produce), an
MLP generator with two hidden ReLU layers.

With bias=False the generator is the article's G(z) = theta_G^T z, whose
output has mean 0 whatever theta_G is: it cannot reach data with another
mean. docs/toy-gan.md derives what each discriminator can teach it.

Every discriminator returns D(x) with shape (N,), like the DCGAN one, so
nanogan.training.train_step trains them all with nn.BCELoss().
"""

import numpy as np

from ..backend import get_array_module, to_numpy
from ..nn import LeakyReLU, Linear, MinibatchStdDev, Module, Pack, ReLU, Sequential, Sigmoid, SpectralNorm


class LinearGenerator(Module):
    """G(z) = W z + b: noise z (N, noise_dim) -> samples (N, dim).

    W is `linear.weight` (dim, noise_dim), b is `linear.bias` (dim,), absent
    with bias=False. noise_dim defaults to dim, enough for W W^T to be any
    covariance.
    """

    def __init__(self, dim, noise_dim=None, bias=True):
        super().__init__()
        self.dim = dim
        self.noise_dim = dim if noise_dim is None else noise_dim
        self.linear = Linear(self.noise_dim, dim, bias=bias)

    def forward(self, z):
        """z: (N, noise_dim) -> G(z) = W z + b: (N, dim)."""
        return self.linear(z)

    def backward(self, grad_output):
        """dL/dG(z) -> dL/dz; adds dL/dW and dL/db into .grad."""
        return self.linear.backward(grad_output)

    def distribution(self):
        """The exact distribution of G(z) for z ~ N(0, I): N(b, W W^T).

        Returns (mean (dim,), covariance (dim, dim)) as float64 NumPy arrays.
        """
        weight = to_numpy(self.linear.weight.data).astype(np.float64)
        if self.linear.bias is None:
            mean = np.zeros(self.dim)
        else:
            mean = to_numpy(self.linear.bias.data).astype(np.float64)
        return mean, weight @ weight.T

    def extra_repr(self):
        return f"dim={self.dim}, noise_dim={self.noise_dim}, bias={self.linear.bias is not None}"


class MLPGenerator(Module):
    """z (N, noise_dim) -> samples (N, dim) through two hidden ReLU layers of `hidden` units."""

    def __init__(self, dim, noise_dim, hidden=128):
        super().__init__()
        self.dim, self.noise_dim, self.hidden = dim, noise_dim, hidden
        self.main = Sequential(
            Linear(noise_dim, hidden), ReLU(), Linear(hidden, hidden), ReLU(), Linear(hidden, dim)
        )

    def forward(self, z):
        """z: (N, noise_dim) -> G(z): (N, dim)."""
        return self.main(z)

    def backward(self, grad_output):
        """dL/dG(z) -> dL/dz, through the stack."""
        return self.main.backward(grad_output)

    def extra_repr(self):
        return f"dim={self.dim}, noise_dim={self.noise_dim}, hidden={self.hidden}"


class QuadraticFeatures(Module):
    """phi(x) = [x_1 .. x_d, x_i x_j for all i <= j]: x (N, d) -> (N, d + d(d+1)/2).

    A linear function of phi(x) is any quadratic theta^T x + x^T A x (A upper
    triangular), which is exactly the form of the log-density ratio of two
    Gaussians.
    """

    def __init__(self, dim):
        super().__init__()
        self.dim = dim
        self.rows, self.cols = np.triu_indices(dim)  # the pairs (i, j), i <= j, row by row
        self.out_features = dim + len(self.rows)

    def forward(self, x):
        """x: (N, d) -> [x, x_i x_j for i <= j]: (N, d + d(d+1)/2)."""
        if x.ndim != 2 or x.shape[1] != self.dim:
            raise self._error(f"expected input of shape (N, {self.dim}), got {tuple(x.shape)}")
        xp = get_array_module(x)
        products = x[:, self.rows] * x[:, self.cols]  # (N, d(d+1)/2): x_i x_j
        y = xp.concatenate([x, products], axis=1)
        self.save_for_backward(x, output=y)
        return y

    def backward(self, grad_output):
        """dL/dy -> dL/dx: (N, d)."""
        (x,) = self.saved_tensors(grad_output)
        xp = get_array_module(x)
        n, d = x.shape
        grad_linear, grad_products = grad_output[:, :d], grad_output[:, d:]
        # U: (N, d, d), U_ij = dL/d(x_i x_j) for i <= j, 0 below the diagonal
        upper = xp.zeros((n, d, d), dtype=x.dtype)
        upper[:, self.rows, self.cols] = grad_products
        # d(x_i x_j)/dx_k = x_j [i = k] + x_i [j = k], so dx = g_linear + (U + U^T) x
        symmetric = upper + upper.transpose(0, 2, 1)
        return grad_linear + (symmetric @ x[:, :, None])[:, :, 0]

    def extra_repr(self):
        return f"dim={self.dim}"


class _ToyDiscriminator(Module):
    """A stack `main`: the layers of `body`, then one Linear unit and Sigmoid: x (N, dim) -> D(x) (N,).

    body(in_features) -> (layers, their output width). The options of docs/objectives.md, all off by
    default, change the stack around the body:
    sigmoid=False: output the last Linear's score (the logit, or a critic's score)
    pack=m: judge m samples at once (Pack first): x (N, dim) -> D(x) (N/m,)
    spectral_norm: every Linear with W / sigma(W) (SpectralNorm)
    minibatch_std: a MinibatchStdDev feature before the last Linear
    """

    DEFAULTS = {"sigmoid": True, "pack": 1, "spectral_norm": False, "minibatch_std": False}

    def __init__(self, dim, body, **options):
        super().__init__()
        self.dim = dim
        self.options = {**self.DEFAULTS, **options}
        pack, minibatch_std = self.options["pack"], self.options["minibatch_std"]
        layers, width = body(dim * pack)
        layers = [Pack(pack)] * (pack > 1) + layers + [MinibatchStdDev()] * minibatch_std
        layers.append(Linear(width + minibatch_std, 1))
        if self.options["spectral_norm"]:
            layers = [SpectralNorm(layer) if isinstance(layer, Linear) else layer for layer in layers]
        self.main = Sequential(*layers, *[Sigmoid()] * self.options["sigmoid"])

    def forward(self, x):
        """x: (N, dim) -> D(x): (N,), probabilities."""
        if x.ndim != 2 or x.shape[1] != self.dim:
            raise self._error(f"expected input of shape (N, {self.dim}), got {tuple(x.shape)}")
        return self.main(x).reshape(-1)  # (N, 1) -> (N,)

    def backward(self, grad_output):
        """dL/dD(x): (N,) -> dL/dx: (N, dim)."""
        return self.main.backward(grad_output.reshape(-1, 1))

    def double_backward(self, grad_grad_input):
        grad_grad_output, grad_input = self.main.double_backward(grad_grad_input)
        return grad_grad_output.reshape(-1), grad_input

    def extra_repr(self):
        return f"dim={self.dim}" + "".join(f", {name}={value}" for name, value in self.options.items()
                                           if value != self.DEFAULTS[name])


class LogisticDiscriminator(_ToyDiscriminator):
    """D(x) = sigmoid(theta^T x + c), the article's discriminator (with a bias c).

    theta is `main.0.weight` (1, dim), c is `main.0.bias` (1,).
    """

    def __init__(self, dim, **options):
        super().__init__(dim, lambda in_features: ([], in_features), **options)


class QuadraticDiscriminator(_ToyDiscriminator):
    """D(x) = sigmoid(w^T phi(x) + c) with phi = QuadraticFeatures: a logistic
    regression on x and the products x_i x_j."""

    def __init__(self, dim, **options):
        def body(in_features):
            features = QuadraticFeatures(in_features)
            return [features], features.out_features

        super().__init__(dim, body, **options)


class MLPDiscriminator(_ToyDiscriminator):
    """D(x) = sigmoid(v^T LeakyReLU(U x + a) + c), one hidden layer of `hidden` units."""

    def __init__(self, dim, hidden=32, negative_slope=0.2, **options):
        super().__init__(dim, lambda in_features: ([Linear(in_features, hidden), LeakyReLU(negative_slope)], hidden),
                         **options)
        self.hidden = hidden

    def extra_repr(self):
        return super().extra_repr().replace(f"dim={self.dim}", f"dim={self.dim}, hidden={self.hidden}")
