"""The GAN objectives: what D and G minimise, as functions of D's outputs.

Every objective splits D's loss into a term on real data and a term on
fakes, and gives G one term on fakes. With s = D's output on one sample and
m outputs in the batch (each loss a batch mean):

    objective     D's output       L_D: real term        + fake term            L_G
    bce           D in (0, 1)      -log D(x)             -log(1 - D(G(z)))      -log D(G(z))
    saturating    D in (0, 1)      -log D(x)             -log(1 - D(G(z)))      log(1 - D(G(z)))
    lsgan         score s          (s - 1)^2 / 2         s^2 / 2                (s - 1)^2 / 2
    hinge         score s          max(0, 1 - s)         max(0, 1 + s)          -s
    wgan-clip     score s          -s                    s                      -s     (weights clipped to [-c, c])
    wgan-gp       score s          -s                    s                      -s     (plus a gradient penalty)

Each term returns (loss, dloss/ds): the gradient that D's backward starts from.
docs/objectives.md derives them. bce is the article's objective, and nanogan's
default; the others are Goodfellow et al. (2014, the minimax form), Mao et al.
(2017), Lim & Ye / Miyato et al. (2017, 2018), Arjovsky et al. (2017) and
Gulrajani et al. (2017).
"""

from dataclasses import dataclass

from .backend import get_array_module
from .nn import BCELoss, BCEWithLogitsLoss, Sigmoid
from .nn.spectral_norm import SpectralNorm
from .penalties import make_penalties

LOSSES = ("bce", "saturating", "lsgan", "hinge", "wgan-clip", "wgan-gp")
CLIP_VALUE = 0.01  # WGAN's weight clipping bound c (Arjovsky et al., 2017)


def _labels(output, value):
    """Float labels shaped like D's output (the article's integer torch.full breaks BCELoss)."""
    return get_array_module(output).full(output.shape, value, dtype=output.dtype)


def _mean(values):
    return get_array_module(values).asarray(values.mean())


def _constant_gradient(output, value):
    """d(value * mean(s))/ds = value / m for every entry, in s's dtype."""
    return _labels(output, value / output.size)


class Objective:
    """D's loss on real and on fake outputs and G's loss on fake outputs, each as (loss, dloss/doutput)."""

    probabilities = False  # True: D ends in Sigmoid, its outputs are probabilities; False: real-valued scores
    formulas = ("", "")  # L_D and L_G as text, in D's outputs (the training curves' legend)

    def d_real(self, output):
        """D's loss term on real data, from D's outputs there: (the batch mean, its gradient in the outputs)."""
        raise NotImplementedError

    def d_fake(self, output):
        """D's loss term on fakes, from D's outputs on G(z): (the batch mean, its gradient in the outputs)."""
        raise NotImplementedError

    def g_fake(self, output):
        """G's loss, from D's outputs on G(z): (the batch mean, its gradient in the outputs)."""
        raise NotImplementedError

    def constrain(self, discriminator):
        """What to do to D after each of its updates: nothing, except WGAN's weight clipping."""

    def check_deferred(self):
        """Raise an input error that the loss found on a GPU backend without waiting for it (StepMetrics.to_host
        calls it): BCELoss's probabilities outside [0, 1]; nothing for the formulas written here."""

    def __repr__(self):
        return f"{type(self).__name__}()"


class BCE(Objective):
    """The article's: L_D = -log D(x) - log(1 - D(G(z))), L_G = -log D(G(z)) (non-saturating).

    criterion: BCELoss() for a D that ends in Sigmoid (the default), BCEWithLogitsLoss() for one
    that outputs the logit s, D = sigmoid(s) (what a gradient penalty needs).
    """

    formulas = ("-log D(x) - log(1 - D(G(z)))", "-log D(G(z))")

    def __init__(self, criterion=None):
        self.criterion = BCELoss() if criterion is None else criterion
        self.probabilities = not isinstance(self.criterion, BCEWithLogitsLoss)

    def _bce(self, output, label):
        loss = self.criterion(output, _labels(output, label))
        return loss, self.criterion.backward()

    def check_deferred(self):
        self.criterion.check_deferred()

    def d_real(self, output):
        return self._bce(output, 1.0)  # -log D(x)

    def d_fake(self, output):
        return self._bce(output, 0.0)  # -log(1 - D(G(z)))

    def g_fake(self, output):
        return self._bce(output, 1.0)  # -log D(G(z))

    def __repr__(self):
        return f"{type(self).__name__}({type(self.criterion).__name__}())"


class SaturatingBCE(BCE):
    """The minimax game as first written: G minimises log(1 - D(G(z))), whose gradient vanishes
    where D rejects the fakes (docs/gan.md)."""

    formulas = ("-log D(x) - log(1 - D(G(z)))", "log(1 - D(G(z)))")

    def g_fake(self, output):
        loss, grad = self._bce(output, 0.0)  # BCE(D(G(z)), 0) = -log(1 - D(G(z)))
        return -loss, -grad  # L_G = log(1 - D(G(z))) = -BCE(D(G(z)), 0)


class LeastSquares(Objective):
    """Mao et al. (2017) with targets 1 for real and 0 for fake in D's loss, 1 in G's:
    L_D = mean (s_real - 1)^2 / 2 + mean s_fake^2 / 2, L_G = mean (s_fake - 1)^2 / 2."""

    formulas = ("(D(x) - 1)²/2 + D(G(z))²/2", "(D(G(z)) - 1)²/2")

    @staticmethod
    def _half_square(output, target):
        difference = output - target
        # loss = mean (s - t)^2 / 2, dloss/ds = (s - t) / m
        return _mean(0.5 * difference * difference), difference / output.size

    def d_real(self, output):
        return self._half_square(output, 1.0)

    def d_fake(self, output):
        return self._half_square(output, 0.0)

    def g_fake(self, output):
        return self._half_square(output, 1.0)


class Hinge(Objective):
    """The hinge loss of SN-GAN (Miyato et al., 2018): L_D = mean max(0, 1 - s_real) + mean max(0, 1 + s_fake),
    L_G = -mean s_fake."""

    formulas = ("max(0, 1 - D(x)) + max(0, 1 + D(G(z)))", "-D(G(z))")

    def d_real(self, output):
        xp = get_array_module(output)
        # dloss/ds = -[s < 1] / m
        return _mean(xp.maximum(1 - output, 0)), -(output < 1).astype(output.dtype) / output.size

    def d_fake(self, output):
        xp = get_array_module(output)
        # dloss/ds = [s > -1] / m
        return _mean(xp.maximum(1 + output, 0)), (output > -1).astype(output.dtype) / output.size

    def g_fake(self, output):
        return -_mean(output), _constant_gradient(output, -1.0)  # dloss/ds = -1 / m


class Wasserstein(Objective):
    """The Wasserstein critic (Arjovsky et al., 2017): L_D = mean s_fake - mean s_real, L_G = -mean s_fake.

    The critic must be kept near 1-Lipschitz: by a gradient penalty (wgan-gp, Gulrajani et al., 2017),
    or by clipping its weights (WassersteinClip)."""

    formulas = ("D(G(z)) - D(x)", "-D(G(z))")

    def d_real(self, output):
        return -_mean(output), _constant_gradient(output, -1.0)  # dloss/ds = -1 / m

    def d_fake(self, output):
        return _mean(output), _constant_gradient(output, 1.0)  # dloss/ds = 1 / m

    def g_fake(self, output):
        return -_mean(output), _constant_gradient(output, -1.0)


class WassersteinClip(Wasserstein):
    """Wasserstein with every weight of D clipped to [-clip_value, clip_value] after each D update."""

    def __init__(self, clip_value=CLIP_VALUE):
        self.clip_value = clip_value

    def constrain(self, discriminator):
        for parameter in discriminator.parameters():
            get_array_module(parameter.data).clip(parameter.data, -self.clip_value, self.clip_value,
                                                  out=parameter.data)

    def __repr__(self):
        return f"WassersteinClip(clip_value={self.clip_value:g})"


def make_objective(loss, logits=False, clip_value=CLIP_VALUE):
    """The objective called `loss` (one of LOSSES). logits: bce and saturating on D's logit
    (BCEWithLogitsLoss) instead of its probability, as a gradient penalty needs."""
    if loss in ("bce", "saturating"):
        return (BCE if loss == "bce" else SaturatingBCE)(BCEWithLogitsLoss() if logits else BCELoss())
    if loss == "wgan-clip":
        return WassersteinClip(clip_value)
    makers = {"lsgan": LeastSquares, "hinge": Hinge, "wgan-gp": Wasserstein}
    if loss not in makers:
        raise ValueError(f"unknown loss {loss!r}: expected one of {', '.join(LOSSES)}")
    return makers[loss]()


def check_combination(objective, discriminator, penalties=()):
    """ValueError, saying what to change, when D, the objective and the penalties do not fit together."""
    ends_in_sigmoid = isinstance(list(discriminator.modules())[-1], Sigmoid)
    if objective.probabilities and not ends_in_sigmoid:
        raise ValueError(f"{objective!r} takes probabilities, but D does not end in Sigmoid; "
                         f"end D with Sigmoid, or use BCE(BCEWithLogitsLoss()) on its logit")
    if not objective.probabilities and ends_in_sigmoid:
        raise ValueError(f"{objective!r} takes D's raw output, but D ends in Sigmoid, which bounds it in (0, 1); "
                         f"drop the Sigmoid")
    if isinstance(objective, WassersteinClip) and any(isinstance(m, SpectralNorm) for m in discriminator.modules()):
        raise ValueError("weight clipping and spectral normalisation both bound D's Lipschitz constant and "
                         "fight each other; choose one (wgan-gp or hinge go with spectral normalisation)")
    if penalties and ends_in_sigmoid:
        raise ValueError("a gradient penalty is taken on D's logit, but D ends in Sigmoid; drop the Sigmoid and "
                         "use BCE(BCEWithLogitsLoss())")


@dataclass
class GANOptions:
    """A run's objective and regularisers, as the command lines take them; the defaults are the article's GAN."""

    loss: str = "bce"  # one of LOSSES
    r1: float = 0.0  # gamma of the R1 penalty on real data; 0: none
    spectral_norm: bool = False  # spectral normalisation of every weight layer of D
    pack: int = 1  # PacGAN: D judges this many samples at once
    minibatch_std: bool = False  # a minibatch standard deviation layer before D's last layer
    n_critic: int = 1  # D steps per G step

    def check(self, batch_size):
        """ValueError, saying what to change, for a setting or a combination that makes no sense."""
        if self.loss not in LOSSES:
            raise ValueError(f"unknown loss {self.loss!r}: expected one of {', '.join(LOSSES)}")
        if self.r1 < 0 or self.pack < 1 or self.n_critic < 1:
            raise ValueError(f"expected r1 >= 0, pack >= 1 and n_critic >= 1, got r1 {self.r1:g}, pack {self.pack} "
                             f"and n_critic {self.n_critic}")
        if self.loss == "wgan-clip" and self.spectral_norm:
            raise ValueError("weight clipping (--loss wgan-clip) and spectral normalisation both bound D's Lipschitz "
                             "constant and fight each other; choose one (hinge or wgan-gp go with --spectral-norm)")
        if batch_size % self.pack:
            raise ValueError(f"the batch size {batch_size} is not a multiple of the pack size {self.pack}; "
                             f"choose a batch size that is")
        if self.minibatch_std and batch_size // self.pack < 2:
            raise ValueError(f"the minibatch standard deviation needs at least 2 (packed) samples per batch, got "
                             f"{batch_size // self.pack}; use a larger batch")

    @property
    def penalised(self):
        """Whether D's loss has a gradient penalty (WGAN-GP's, R1)."""
        return self.loss == "wgan-gp" or self.r1 > 0

    @property
    def sigmoid(self):
        """Whether D ends in Sigmoid: for bce and saturating, unless a gradient penalty needs the logit."""
        return self.loss in ("bce", "saturating") and not self.penalised

    def discriminator_options(self):
        """The keyword arguments that build a D for these options (nanogan.models' discriminators)."""
        return {"sigmoid": self.sigmoid, "spectral_norm": self.spectral_norm, "pack": self.pack,
                "minibatch_std": self.minibatch_std}

    def objective(self):
        """The Objective of these options (on D's logit when a penalty needs it)."""
        return make_objective(self.loss, logits=not self.sigmoid)

    def penalties(self, rng):
        """The gradient penalties, drawing WGAN-GP's interpolation weights from `rng`."""
        return make_penalties(self.loss, self.r1, rng)

    def label(self):
        """A short name: "hinge + SN", "bce + pack 2", "wgan-gp, 5 D steps"."""
        parts = [self.loss] + [f"R1 {self.r1:g}"] * (self.r1 > 0) + ["SN"] * self.spectral_norm
        parts += [f"pack {self.pack}"] * (self.pack > 1) + ["mbstd"] * self.minibatch_std
        steps = f", {self.n_critic} D steps" if self.n_critic > 1 else ""
        return " + ".join(parts) + steps
