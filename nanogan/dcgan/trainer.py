"""A DCGAN training run as one object that can be saved and resumed exactly.

It holds everything a step depends on: both networks, both optimizers, the
batch loader (epoch, position, shuffling generator), the noise generator and
the step count. `save` writes all of it to one checkpoint; `from_checkpoint`
rebuilds it, so that on the NumPy backend a run of 2N steps and a run of N
steps resumed for N more end with identical parameters.
"""

from dataclasses import asdict, dataclass, field, fields

import numpy as np

from ..backend import canonical_name, free_device_memory, to_backend
from ..data import BatchLoader
from ..io.checkpoint import CheckpointError, load_checkpoint, load_metadata, save_checkpoint
from ..io.formats import read_weights
from ..models import Discriminator, Generator
from ..models.dcgan import check_image_size, generator_architecture
from ..nn import no_grad
from ..objectives import LOSSES, GANOptions
from ..optim import Adam
from ..random import manual_seed
from ..training import sample_noise, train_step, train_step_n_critic

ARCHITECTURE = ("image_size", "nz", "ngf", "ndf", "nc")  # what a checkpoint's weights are shaped by
FIXED_NOISE_SIZE = 64  # the sample grids show G on the same 64 noise vectors all run long
# the settings added with the objectives: a checkpoint written before them lacks them and resumes with their defaults
OBJECTIVE_SETTINGS = ("loss", "r1", "spectral_norm", "pack", "minibatch_std", "n_critic", "lr_d", "lr_g")


def setting(default, help):
    """A DCGANConfig field: its default and what it means, which the command line shows as its help."""
    return field(default=default, metadata={"help": help})


@dataclass
class DCGANConfig:
    """The run's settings; the defaults are the PyTorch DCGAN tutorial's."""

    image_size: int = setting(64, "images are image_size x image_size: a power of two from 16, e.g. 32 or 64")
    nz: int = setting(100, "length of the noise vector z")
    ngf: int = setting(64, "generator width: channels of its last hidden layer")
    ndf: int = setting(64, "discriminator width: channels of its first layer")
    nc: int = setting(3, "image channels (RGB)")
    batch_size: int = setting(128, "images per step")
    lr: float = setting(2e-4, "Adam learning rate, both networks")
    beta1: float = setting(0.5, "Adam beta1 (beta2 stays 0.999), as in the DCGAN paper")
    seed: int = setting(0, "seed of the weights, the shuffling and the noise: all follow from it")
    backend: str = setting("numpy", "numpy (CPU) or cupy (NVIDIA GPU)")
    loss: str = setting("bce", f"the objective (docs/objectives.md), one of {', '.join(LOSSES)}; bce is the article's")
    r1: float = setting(0.0, "gamma of the R1 penalty gamma/2 |dD(x)/dx|^2 on real images; 0: none")
    spectral_norm: bool = setting(False, "spectral normalisation of D's convolutions")
    pack: int = setting(1, "PacGAN: D judges this many images at once (the batch size must be a multiple)")
    minibatch_std: bool = setting(False, "a minibatch standard deviation channel before D's last convolution")
    n_critic: int = setting(1, "D steps per G step, each on its own batch")
    lr_d: float = setting(None, "D's Adam learning rate (default: lr)")
    lr_g: float = setting(None, "G's Adam learning rate (default: lr)")

    def __post_init__(self):
        self.backend = canonical_name(self.backend)
        check_image_size(self.image_size)
        for name in ("nz", "ngf", "ndf", "nc", "batch_size"):
            if getattr(self, name) < 1:
                raise ValueError(f"DCGAN: {name} must be a positive integer, got {getattr(self, name)}")
        self.options().check(self.batch_size)

    def options(self):
        """The objective and regularisers of the run (nanogan/objectives.py)."""
        return GANOptions(self.loss, self.r1, self.spectral_norm, self.pack, self.minibatch_std, self.n_critic)


class DCGANTrainer:
    """Generator, discriminator, their Adam optimizers and the data and noise streams."""

    def __init__(self, config, images):
        """images: uint8 (N, nc, image_size, image_size), e.g. nanogan.data.open_dataset(...).images"""
        expected = (config.nc, config.image_size, config.image_size)
        if images.ndim != 4 or tuple(images.shape[1:]) != expected:
            raise ValueError(f"expected images of shape (N, {', '.join(map(str, expected))}), "
                             f"got {tuple(images.shape)}")
        self.config = config
        self.images = images
        manual_seed(config.seed)
        options = config.options()
        self.generator = Generator(config.nz, config.ngf, config.nc, config.image_size).to(config.backend)
        self.discriminator = build_discriminator(config)
        betas = (config.beta1, 0.999)
        self.g_optimizer = Adam(self.generator.parameters(), lr=config.lr_g or config.lr, betas=betas)
        self.d_optimizer = Adam(self.discriminator.parameters(), lr=config.lr_d or config.lr, betas=betas)
        self.objective = options.objective()
        self.loader = BatchLoader(images, config.batch_size, seed=config.seed)
        if _fits_on_device(images, config.backend):
            self.loader.to(config.backend)  # uploaded once, as uint8: no host-to-device copy per step
        self.noise_generator = np.random.default_rng([config.seed, 1])
        self.penalties = options.penalties(self.noise_generator)  # WGAN-GP's weights e come from the noise stream
        self.fixed_noise = sample_noise(np.random.default_rng([config.seed, 2]),
                                        (FIXED_NOISE_SIZE, config.nz, 1, 1), config.backend)
        self.step = 0

    def _batch(self):
        real = self.loader.next_batch(self.config.backend)
        return real, sample_noise(self.noise_generator, (real.shape[0], self.config.nz, 1, 1), self.config.backend)

    def train_step(self):
        """n_critic D updates (one by default) and one G update on the next batches; returns StepMetrics (on the
        device)."""
        if self.config.n_critic == 1:
            real, noise = self._batch()
            metrics = train_step(self.generator, self.discriminator, self.g_optimizer, self.d_optimizer,
                                 self.objective, real, noise, self.penalties)
        else:
            metrics = train_step_n_critic(self.generator, self.discriminator, self.g_optimizer, self.d_optimizer,
                                          self.objective, [self._batch() for _ in range(self.config.n_critic)],
                                          self.penalties)
        self.step += 1
        return metrics

    def generate(self, noise):
        """G(noise) in eval mode, without touching training state (generate_images)."""
        return generate_images(self.generator, noise)

    def save(self, path):
        """Write the whole run (networks, optimizers, data position, random states, config) to `path`, atomically."""
        arrays = {
            "generator": self.generator.state_dict(),
            "discriminator": self.discriminator.state_dict(),
            "g_optimizer": self.g_optimizer.state_dict(),
            "d_optimizer": self.d_optimizer.state_dict(),
            "loader": self.loader.state_dict(),
            "fixed_noise": self.fixed_noise,
        }
        metadata = {"config": asdict(self.config), "step": self.step,
                    "noise_generator": self.noise_generator.bit_generator.state}
        return save_checkpoint(path, arrays, metadata)

    @classmethod
    def from_checkpoint(cls, path, images, backend=None):
        """Rebuild the run saved at `path`, on `backend` if given (else the one it was saved from).

        Raises CheckpointError when the file is not a DCGAN checkpoint or does not match `images`.
        """
        arrays, metadata = load_checkpoint(path)
        config = config_from_checkpoint(path, metadata)
        if backend is not None:
            config.backend = backend
        trainer = cls(config, images)
        try:
            trainer.generator.load_state_dict(arrays["generator"])
            trainer.discriminator.load_state_dict(arrays["discriminator"])
            trainer.g_optimizer.load_state_dict(arrays["g_optimizer"])
            trainer.d_optimizer.load_state_dict(arrays["d_optimizer"])
            trainer.loader.load_state_dict(arrays["loader"])
            trainer.fixed_noise = to_backend(arrays["fixed_noise"], config.backend, np.float32)
        except (KeyError, ValueError) as error:
            raise CheckpointError(f"checkpoint {path!r} does not fit a DCGAN of its own configuration: {error}") from None
        trainer.noise_generator.bit_generator.state = metadata["noise_generator"]
        trainer.step = int(metadata["step"])
        return trainer


def build_discriminator(config):
    """The run's D on its backend: the tutorial's, changed by the objective settings (docs/objectives.md).

    A gradient penalty is per sample, which BatchNorm is not (Gulrajani et al.): under one, D goes without it.
    Its outputs are probabilities only for bce and saturating without a penalty; otherwise scores.
    """
    options = config.options()
    return Discriminator(config.nc, config.ndf, config.image_size, batch_norm=not options.penalised,
                         **options.discriminator_options()).to(config.backend)


def _fits_on_device(images, backend):
    """Whether to keep the dataset on the device: on a GPU backend, when it takes at most a
    quarter of the free device memory (CelebA at 64x64 is 2.5 GB as uint8)."""
    if backend == "numpy":
        return False
    free_bytes = free_device_memory(backend)
    return free_bytes is None or images.nbytes <= free_bytes // 4


def generate_images(generator, noise):
    """G(noise) in eval mode: BatchNorm uses its running statistics and leaves them alone,
    so sampling never changes what training would do next."""
    was_training = generator.training
    generator.eval()
    try:
        with no_grad():
            return generator(noise)
    finally:
        generator.train(was_training)


def load_generator(path, backend=None):
    """The DCGAN generator saved at `path`, and a DCGANConfig with its architecture; for sampling without the data.

    path: a DCGAN training checkpoint (DCGANTrainer.save, the command line's checkpoint.npz), or a file
    from one's own loop, written by nanogan.io.save_checkpoint or nanogan.save, that holds the generator's
    state dict under "generator" (or is that state dict), with its architecture under "architecture"
    ({"nz": 100, "ngf": 64, "nc": 3, "image_size": 64}) or without it: then it is read from the weights'
    shapes. The config's other settings (batch size, lr, ...) are then the defaults.
    """
    state, metadata = read_weights(path)
    if _is_dcgan_run(metadata):
        config = config_from_checkpoint(path, metadata)
    else:
        config = _generator_config(path, state)
    if backend is not None:
        config.backend = canonical_name(backend)
    generator = Generator(config.nz, config.ngf, config.nc, config.image_size).to(config.backend)
    try:
        generator.load_state_dict(_generator_state(state))
    except (KeyError, ValueError) as error:
        raise CheckpointError(f"{path!r} does not fit a DCGAN generator of its own architecture: {error}") from None
    return generator, config


def load_models(path, backend=None):
    """The generator and the discriminator of a DCGAN checkpoint, and the run's config."""
    arrays, metadata = load_checkpoint(path)
    config = config_from_checkpoint(path, metadata)
    if backend is not None:
        config.backend = canonical_name(backend)
    generator = Generator(config.nz, config.ngf, config.nc, config.image_size).to(config.backend)
    discriminator = build_discriminator(config)
    try:
        generator.load_state_dict(arrays["generator"])
        discriminator.load_state_dict(arrays["discriminator"])
    except (KeyError, ValueError) as error:
        raise CheckpointError(f"checkpoint {path!r} does not fit a DCGAN of its own configuration: {error}") from None
    return generator, discriminator, config


def _is_dcgan_run(metadata):
    """Whether a checkpoint's metadata holds a DCGANConfig: every setting, or every one but the objective
    settings, which a checkpoint from before them lacks."""
    stored = metadata.get("config")
    names = {field.name for field in fields(DCGANConfig)}
    return isinstance(stored, dict) and set(stored) <= names and names - set(OBJECTIVE_SETTINGS) <= set(stored)


def _generator_state(state):
    """The generator's state dict in a file's state: under "generator", or the whole state."""
    return state["generator"] if isinstance(state.get("generator"), dict) else state


def _generator_config(path, state):
    """A DCGANConfig with the architecture stored beside the generator's weights, or read from their shapes."""
    try:
        architecture = state.get("architecture") or generator_architecture(_generator_state(state))
        return DCGANConfig(**{name: int(value) for name, value in architecture.items()})
    except (TypeError, ValueError) as error:
        raise CheckpointError(f"{path!r} holds no DCGAN generator: {error}") from None


def read_config(path):
    """The DCGANConfig of the run saved at `path`, without reading its arrays."""
    return config_from_checkpoint(path, load_metadata(path))


def config_from_checkpoint(path, metadata):
    """The DCGANConfig stored in a checkpoint's metadata, or CheckpointError."""
    if not _is_dcgan_run(metadata):
        raise CheckpointError(f"{path!r} is a nanogan checkpoint but not of a DCGAN training run")
    return DCGANConfig(**metadata["config"])  # a checkpoint from before the objectives: their defaults
