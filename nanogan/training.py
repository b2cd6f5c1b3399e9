"""One step of GAN training: the alternating algorithm of the article's section 3.6.

    1. D step: D on a real batch (label 1), D on a fake batch G(z) (label 0),
       with no gradient flowing into G; then update D.
    2. G step: D on the same fake batch (label 1: the non-saturating loss
       -log D(G(z))), backpropagated through D into G; then update G.

Both updates descend their loss (the article calls this "gradient ascent";
it is descent). The same step trains the toy Gaussian GAN and the DCGAN.
The labels and logs are the article's BCE objective; the other objectives
(nanogan/objectives.py) change what each step's losses and their gradients
are, the gradient penalties (nanogan/penalties.py) add to D's loss, and
train_step_n_critic takes several D steps per G step.
"""

from dataclasses import dataclass, field

from .backend import to_backend, to_numpy
from .nn import Module
from .objectives import BCE


@dataclass
class StepMetrics:
    """What one step measured, as 0-d arrays on the training backend (no host sync).

    Call `to_host()` when you want Python floats, e.g. every N steps for logging.
    """

    loss_d: object  # L_D, the sum of its real and fake terms (BCE: -log D(x) - log(1 - D(G(z)))), plus any penalties
    loss_g: object  # L_G after the D step (BCE: -log D(G(z)))
    d_real: object  # mean D(x): D's belief that real images are real (a score, for the score objectives)
    d_fake: object  # mean D(G(z)) before the D step
    d_fake_after: object  # mean D(G(z)) after the D step, seen by the G step
    # the loss's checks that a GPU backend defers to this read (BCELoss: inputs outside [0, 1]), or None
    deferred_check: object = field(default=None, repr=False, compare=False)

    def to_host(self):
        """The metrics as Python floats: waits for the device. First raises any error that the
        loss found on the device during the step (criterion.check_deferred())."""
        if self.deferred_check is not None:
            self.deferred_check()
        return {name: float(to_numpy(getattr(self, name))) for name in METRIC_NAMES}


METRIC_NAMES = ("loss_d", "loss_g", "d_real", "d_fake", "d_fake_after")  # StepMetrics' measurements


def _check_batch(name, batch, model):
    """The check of `model(batch)` (Module.check_input), raised before the step changes anything."""
    try:
        model.check_input(batch)
    except (TypeError, ValueError) as error:
        raise type(error)(f"train_step: the {name} batch: {error}") from None


def discriminator_step(discriminator, d_optimizer, objective, real, fake, penalties=()):
    """One D update on the real batch and a batch of fakes (from which no gradient flows into G).

    Returns (L_D with the penalties, D(x), D(G(z)))."""
    # minimise L_D = l_real(D(x)) + l_fake(D(G(z))) + penalties   (BCE: -log D(x) - log(1 - D(G(z))))
    d_optimizer.zero_grad()
    d_output_real = discriminator(real)
    loss_d_real, grad_real = objective.d_real(d_output_real)
    discriminator.backward(grad_real)
    d_output_fake = discriminator(fake)
    loss_d_fake, grad_fake = objective.d_fake(d_output_fake)
    discriminator.backward(grad_fake)  # the gradient into fake is dropped: G is not trained here
    penalty = sum(each(discriminator, real, fake) for each in penalties)  # each adds its dP/dθ_D into .grad
    d_optimizer.step()
    objective.constrain(discriminator)  # WGAN's weight clipping; nothing for the other objectives
    return loss_d_real + loss_d_fake + penalty, d_output_real, d_output_fake


def generator_step(generator, discriminator, g_optimizer, objective, fake):
    """One G update through D, whose own weights stay frozen. `fake` = G(z) from G's last forward,
    whose cache G still holds. Returns (L_G, D(G(z)))."""
    # minimise L_G = l_gen(D(G(z)))   (BCE: -log D(G(z)))
    g_optimizer.zero_grad()
    discriminator.requires_grad_(False)
    try:
        d_output = discriminator(fake)
        loss_g, grad = objective.g_fake(d_output)
        grad_fake = discriminator.backward(grad)
    finally:
        discriminator.requires_grad_(True)  # also when a bad batch raised: D is trainable again
    generator.backward(grad_fake)
    g_optimizer.step()
    return loss_g, d_output


def as_objective(objective):
    """An Objective as it is; a loss Module (BCELoss, BCEWithLogitsLoss) as the article's BCE objective with it."""
    return BCE(objective) if isinstance(objective, Module) else objective


def train_step(generator, discriminator, g_optimizer, d_optimizer, objective, real, noise, penalties=()):
    """One D update then one G update on the same fakes; returns StepMetrics.

    real: a batch of data on the models' backend and in their dtype, shaped as D's input
    noise: a batch of z, likewise, shaped as G's input
    objective: an Objective of nanogan/objectives.py, or a criterion for the article's BCE objective:
        BCELoss for a D that ends in Sigmoid (BCEWithLogitsLoss for one that outputs logits)
    penalties: gradient penalties added to D's loss (nanogan/penalties.py)
    """
    _check_batch("real", real, discriminator)
    _check_batch("noise", noise, generator)
    objective = as_objective(objective)
    fake = generator(noise)  # G keeps its cache for the G step
    # (1) D step: minimise L_D = -log D(x) - log(1 - D(G(z))) for BCE
    loss_d, d_output_real, d_output_fake = discriminator_step(discriminator, d_optimizer, objective, real, fake,
                                                              penalties)
    # (2) G step: minimise L_G = -log D(G(z)) for BCE, through the updated D
    loss_g, d_output_after = generator_step(generator, discriminator, g_optimizer, objective, fake)
    return StepMetrics(loss_d, loss_g, d_output_real.mean(), d_output_fake.mean(), d_output_after.mean(),
                       deferred_check=objective.check_deferred)


def train_step_n_critic(generator, discriminator, g_optimizer, d_optimizer, objective, batches, penalties=()):
    """len(batches) D updates, each on its own (real, noise) pair, then one G update on the last fakes
    (WGAN's n_critic); train_step is the case of one batch. Returns the last D step's and the G step's StepMetrics."""
    for real, noise in batches:
        _check_batch("real", real, discriminator)
        _check_batch("noise", noise, generator)
    objective = as_objective(objective)
    for real, noise in batches:
        fake = generator(noise)  # the last one's cache serves the G step
        loss_d, d_output_real, d_output_fake = discriminator_step(discriminator, d_optimizer, objective, real, fake,
                                                                  penalties)
    loss_g, d_output_after = generator_step(generator, discriminator, g_optimizer, objective, fake)
    return StepMetrics(loss_d, loss_g, d_output_real.mean(), d_output_fake.mean(), d_output_after.mean(),
                       deferred_check=objective.check_deferred)


def sample_noise(generator, shape, backend, dtype="float32"):
    """z ~ N(0, I) drawn on the host from a NumPy Generator, then moved to `backend`.

    Drawing on the host makes a seed give the same noise on NumPy and CuPy,
    and keeps the whole random state in one Generator that a checkpoint can save.
    """
    return to_backend(generator.standard_normal(shape, dtype="float32"), backend, dtype)

