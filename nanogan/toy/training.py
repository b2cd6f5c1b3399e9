"""What the toy GANs' runs share: the two players, the training loop, and when to record.

    ToyGAN             generator, discriminator, their optimizers, the objective and its penalties
    build_gan          ToyGAN with seeded initial weights
    training_steps     train for n steps, yielding each step's metrics
    due                whether a step is one to record (or log) at
    progress_line      one line of progress

Training is nanogan.training.train_step, as for the DCGAN: a D step, then a
G step on the non-saturating loss -log D(G(z)); or, with other GANOptions
(nanogan/objectives.py), another objective, penalties and n_critic D steps.
"""

from dataclasses import dataclass, field

import numpy as np

from ..backend import to_backend
from ..nn import Module
from ..objectives import GANOptions, Objective
from ..optim import SGD, Adam, Optimizer
from ..random import manual_seed
from ..training import sample_noise, train_step, train_step_n_critic

ADAM_BETAS = (0.5, 0.999)  # beta1 = 0.5 as in DCGAN: less momentum, since the opponent keeps moving
PLOT_SAMPLES = 1000  # samples drawn in each panel of samples.png
RECORDS = 300  # about this many points in each curve


def make_optimizer(name, parameters, lr, betas=ADAM_BETAS):
    """Adam(lr, betas) or plain SGD(lr), the article's theta -= lr * grad."""
    if name == "adam":
        return Adam(parameters, lr=lr, betas=betas)
    return SGD(parameters, lr=lr)


@dataclass
class ToyGAN:
    """The two players of a toy run and what trains them."""

    generator: Module
    discriminator: Module
    g_optimizer: Optimizer
    d_optimizer: Optimizer
    objective: Objective  # or a loss module, as the article's BCE objective with it (train_step's rule)
    penalties: list = field(default_factory=list)
    n_critic: int = 1


def build_gan(make_generator, make_discriminator, optimizer, lr, seed, backend, options=None, rng=None, lr_d=None,
              lr_g=None, betas=ADAM_BETAS):
    """A ToyGAN whose initial weights follow from `seed`; optimizer: "adam" | "sgd", for both players.

    make_discriminator(**options.discriminator_options()) builds D for the GANOptions `options`
    (default: the article's GAN); `rng` draws the gradient penalty's interpolation weights;
    lr_d and lr_g (None: lr) are the players' own learning rates (TTUR); betas: Adam's."""
    options = options or GANOptions()
    manual_seed(seed)
    generator = make_generator().to(backend)
    discriminator = make_discriminator(**options.discriminator_options()).to(backend)
    return ToyGAN(generator, discriminator, make_optimizer(optimizer, generator.parameters(), lr_g or lr, betas),
                  make_optimizer(optimizer, discriminator.parameters(), lr_d or lr, betas), options.objective(),
                  options.penalties(rng), options.n_critic)


def training_steps(gan, sample_real, noise_dim, batch_size, steps, rng, backend):
    """Train `gan` for `steps` G steps; after each, yield (step, StepMetrics), step counting from 1.

    Each D step draws a real batch sample_real(rng, batch_size), then noise z ~ N(0, I) of noise_dim,
    both from `rng`; there are gan.n_critic D steps per G step."""

    def batch():
        return to_backend(sample_real(rng, batch_size), backend, np.float32), sample_noise(rng, (batch_size, noise_dim),
                                                                                           backend)

    for step in range(1, steps + 1):
        if gan.n_critic == 1:
            real, noise = batch()
            yield step, train_step(gan.generator, gan.discriminator, gan.g_optimizer, gan.d_optimizer, gan.objective,
                                   real, noise, gan.penalties)
        else:
            yield step, train_step_n_critic(gan.generator, gan.discriminator, gan.g_optimizer, gan.d_optimizer,
                                            gan.objective, [batch() for _ in range(gan.n_critic)], gan.penalties)


def due(step, every, steps):
    """Whether `step` is one to record at: every `every` steps, and the last one."""
    return step % every == 0 or step == steps


def progress_line(step, steps, metrics, extra):
    """One line of progress: the step, the losses and D's outputs from `metrics`, then `extra`."""
    return (f"step {step:>{len(str(steps))}}/{steps}  L_D {metrics['loss_d']:.3f}  L_G {metrics['loss_g']:.3f}  "
            f"D(x) {metrics['d_real']:.3f}  D(G(z)) {metrics['d_fake']:.3f}  {extra}")
