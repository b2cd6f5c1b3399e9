"""One step of GAN training: the alternating algorithm of the article's section 3.6.

    1. D step: D on a real batch (label 1), D on a fake batch G(z) (label 0),
       with no gradient flowing into G; then update D.
    2. G step: D on the same fake batch (label 1: the non-saturating loss
       -log D(G(z))), backpropagated through D into G; then update G.

Both updates descend their loss (the article calls this "gradient ascent";
it is descent). The same step trains the toy Gaussian GAN and the DCGAN.
"""

from dataclasses import dataclass, field

from .backend import get_array_module, to_backend, to_numpy


@dataclass
class StepMetrics:
    """What one step measured, as 0-d arrays on the training backend (no host sync).

    Call `to_host()` when you want Python floats, e.g. every N steps for logging.
    """

    loss_d: object  # L_D = -log D(x) - log(1 - D(G(z))), the sum of the two BCE terms
    loss_g: object  # L_G = -log D(G(z)), after the D step
    d_real: object  # mean D(x): D's belief that real images are real
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


def _labels(output, value):
    """Float labels shaped like D's output (the article's integer torch.full breaks BCELoss)."""
    return get_array_module(output).full(output.shape, value, dtype=output.dtype)


def _check_batch(name, batch, model):
    """The check of `model(batch)` (Module.check_input), raised before the step changes anything."""
    try:
        model.check_input(batch)
    except (TypeError, ValueError) as error:
        raise type(error)(f"train_step: the {name} batch: {error}") from None


def train_step(generator, discriminator, g_optimizer, d_optimizer, criterion, real, noise):
    """One D update then one G update; returns StepMetrics.

    real: a batch of data on the models' backend and in their dtype, shaped as D's input
    noise: a batch of z, likewise, shaped as G's input
    criterion: BCELoss for a D that ends in Sigmoid (BCEWithLogitsLoss for one that outputs logits)
    """
    _check_batch("real", real, discriminator)
    _check_batch("noise", noise, generator)
    # (1) D step: minimise L_D = -log D(x) - log(1 - D(G(z)))
    d_optimizer.zero_grad()
    d_output_real = discriminator(real)
    loss_d_real = criterion(d_output_real, _labels(d_output_real, 1.0))
    discriminator.backward(criterion.backward())

    fake = generator(noise)  # G keeps its cache for the G step below
    d_output_fake = discriminator(fake)
    loss_d_fake = criterion(d_output_fake, _labels(d_output_fake, 0.0))
    discriminator.backward(criterion.backward())  # the gradient into fake is dropped: G is not trained here
    d_optimizer.step()

    # (2) G step: minimise L_G = -log D(G(z)) through the updated D, whose own weights stay frozen
    g_optimizer.zero_grad()
    discriminator.requires_grad_(False)
    try:
        d_output_after = discriminator(fake)
        loss_g = criterion(d_output_after, _labels(d_output_after, 1.0))
        grad_fake = discriminator.backward(criterion.backward())
    finally:
        discriminator.requires_grad_(True)  # also when a bad batch raised: D is trainable again
    generator.backward(grad_fake)
    g_optimizer.step()

    return StepMetrics(
        loss_d=loss_d_real + loss_d_fake,
        loss_g=loss_g,
        d_real=d_output_real.mean(),
        d_fake=d_output_fake.mean(),
        d_fake_after=d_output_after.mean(),
        deferred_check=getattr(criterion, "check_deferred", None),
    )


def sample_noise(generator, shape, backend, dtype="float32"):
    """z ~ N(0, I) drawn on the host from a NumPy Generator, then moved to `backend`.

    Drawing on the host makes a seed give the same noise on NumPy and CuPy,
    and keeps the whole random state in one Generator that a checkpoint can save.
    """
    return to_backend(generator.standard_normal(shape, dtype="float32"), backend, dtype)

