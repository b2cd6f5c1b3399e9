"""DCGAN (Radford, Metz & Chintala, 2015): the generator and discriminator of the
PyTorch DCGAN tutorial, with the same layer stacks, parameter names ("main.0.weight")
and shapes, so weights move between the two.

For image_size 64 (the tutorial's CelebA model), with ngf = ndf = 64:

    G: z (N, nz, 1, 1) -> 4x4x512 -> 8x8x256 -> 16x16x128 -> 32x32x64 -> 64x64x3
       each step a 4/2/1 transposed convolution, BatchNorm and ReLU (the first
       a 4/1/0 one), the last one Tanh, giving images in [-1, 1].
    D: image (N, 3, 64, 64) -> 32x32x64 -> 16x16x128 -> 8x8x256 -> 4x4x512 -> 1
       each step a 4/2/1 convolution and LeakyReLU(0.2), with BatchNorm from the
       second on, then a 4/1/0 convolution to one logit and Sigmoid: D(x), shape (N,).

image_size 32 drops one step from each (the article's generator); every
power of two from 16 up works the same way. No layer has a bias: each is
followed by BatchNorm, whose beta does the same job.
"""

from ..nn import (BatchNorm2d, Conv2d, ConvTranspose2d, LeakyReLU, MinibatchStdDev, Module, Pack, ReLU, Sequential,
                  Sigmoid, SpectralNorm, Tanh, init)
from ..nn.batchnorm import _BatchNorm
from ..nn.conv import _ConvNd
from .summary import summary


def check_image_size(image_size):
    """How many stride-2 layers a DCGAN needs for image_size, or ValueError if it cannot be built."""
    if image_size < 16 or image_size & (image_size - 1):
        raise ValueError(f"DCGAN: image_size must be a power of two, at least 16 (e.g. 32 or 64), got {image_size}")
    return image_size.bit_length() - 3  # stride-2 layers between 4x4 and image_size: 64 -> 4


def dcgan_init_(module, generator=None):
    """The DCGAN paper's initialisation (Radford et al., 2015), applied to every submodule:
    convolution weights N(0, 0.02^2), BatchNorm weights N(1, 0.02^2), all biases 0."""

    def initialise(layer):
        if isinstance(layer, _ConvNd):
            init.normal_(layer.weight, 0.0, 0.02, generator)
            if layer.bias is not None:
                init.zeros_(layer.bias)
        elif isinstance(layer, _BatchNorm) and layer.affine:
            init.normal_(layer.weight, 1.0, 0.02, generator)
            init.zeros_(layer.bias)

    return module.apply(initialise)


def generator_architecture(state_dict):
    """{"nz", "ngf", "nc", "image_size"} of the Generator whose state dict this is, read from the shapes of
    its transposed-convolution weights: the first is (nz, ngf * 2^(k-1), 4, 4), the last (ngf, nc, 4, 4),
    and k + 1 of them make image_size = 4 * 2^k. ValueError for anything else."""
    weights = {}
    for key, value in state_dict.items():
        parts = str(key).split(".")
        if len(parts) == 3 and parts[0] == "main" and parts[1].isdigit() and parts[2] == "weight" \
                and len(getattr(value, "shape", ())) == 4:
            weights[int(parts[1])] = tuple(value.shape)
    if len(weights) < 3:
        raise ValueError("not the state dict of a DCGAN Generator: expected transposed-convolution weights "
                         f"'main.0.weight', ... of shape (in, out, 4, 4), found {len(weights)}")
    shapes = [weights[index] for index in sorted(weights)]
    return {"nz": shapes[0][0], "ngf": shapes[-1][0], "nc": shapes[-1][1], "image_size": 4 * 2 ** (len(shapes) - 1)}


class Generator(Module):
    """z: (N, nz, 1, 1) -> images: (N, nc, image_size, image_size) in [-1, 1]."""

    def __init__(self, nz=100, ngf=64, nc=3, image_size=64):
        super().__init__()
        doublings = check_image_size(image_size)
        self.nz, self.ngf, self.nc, self.image_size = nz, ngf, nc, image_size
        channels = [ngf * 2 ** (doublings - 1 - i) for i in range(doublings)]  # 64: [512, 256, 128, 64]
        layers = [ConvTranspose2d(nz, channels[0], 4, 1, 0, bias=False), BatchNorm2d(channels[0]), ReLU()]
        for in_channels, out_channels in zip(channels, channels[1:]):
            layers += [ConvTranspose2d(in_channels, out_channels, 4, 2, 1, bias=False), BatchNorm2d(out_channels), ReLU()]
        layers += [ConvTranspose2d(channels[-1], nc, 4, 2, 1, bias=False), Tanh()]
        self.main = Sequential(*layers)
        dcgan_init_(self)

    def forward(self, z):
        """z: (N, nz, 1, 1) -> images: (N, nc, image_size, image_size) in [-1, 1]."""
        return self.main(z)

    def backward(self, grad_output):
        """dL/dimages -> dL/dz, through the whole stack; adds into every parameter's .grad."""
        return self.main.backward(grad_output)

    def summary(self, batch_size=1):
        """One line per layer with its output shape and parameter count."""
        return summary(self, (batch_size, self.nz, 1, 1))

    def extra_repr(self):
        return f"nz={self.nz}, ngf={self.ngf}, nc={self.nc}, image_size={self.image_size}"


class Discriminator(Module):
    """images: (N, nc, image_size, image_size) -> D(x): (N,), the probability that each is real.

    The options of docs/objectives.md change the tutorial's D; the defaults keep it:
    batch_norm=False: no BatchNorm, as a gradient penalty needs (it is per sample; Gulrajani et al.)
    sigmoid=False: output the last convolution's score (the logit, or a critic's score)
    pack=m: judge m images at once, stacked along the channels (Pack): D(x) has shape (N/m,)
    spectral_norm: every convolution with W / sigma(W) (SpectralNorm)
    minibatch_std: a MinibatchStdDev channel before the last convolution
    """

    def __init__(self, nc=3, ndf=64, image_size=64, batch_norm=True, sigmoid=True, pack=1, spectral_norm=False,
                 minibatch_std=False):
        super().__init__()
        doublings = check_image_size(image_size)
        self.nc, self.ndf, self.image_size, self.pack = nc, ndf, image_size, pack
        channels = [ndf * 2**i for i in range(doublings)]  # 64: [64, 128, 256, 512]
        layers = [Pack(pack)] * (pack > 1) + [Conv2d(nc * pack, channels[0], 4, 2, 1, bias=False), LeakyReLU(0.2)]
        for in_channels, out_channels in zip(channels, channels[1:]):
            layers += [Conv2d(in_channels, out_channels, 4, 2, 1, bias=False)]
            layers += [BatchNorm2d(out_channels)] * batch_norm + [LeakyReLU(0.2)]
        layers += [MinibatchStdDev()] * minibatch_std
        layers += [Conv2d(channels[-1] + minibatch_std, 1, 4, 1, 0, bias=False)] + [Sigmoid()] * sigmoid
        dcgan_init_(Sequential(*layers))
        if spectral_norm:  # after the initialisation, which reaches only registered layers
            layers = [SpectralNorm(layer) if isinstance(layer, Conv2d) else layer for layer in layers]
        self.main = Sequential(*layers)

    def forward(self, images):
        """images: (N, nc, image_size, image_size) -> D(x): (N,), probabilities."""
        expected = (self.nc, self.image_size, self.image_size)
        if images.ndim != 4 or tuple(images.shape[1:]) != expected:
            raise self._error(f"expected images of shape (N, {', '.join(map(str, expected))}), got {tuple(images.shape)}")
        return self.main(images).reshape(-1)  # (N, 1, 1, 1) -> (N,)

    def backward(self, grad_output):
        """dL/dD(x): (N,) -> dL/dimages: (N, nc, image_size, image_size)."""
        return self.main.backward(grad_output.reshape(-1, 1, 1, 1))

    def double_backward(self, grad_grad_input):
        grad_grad_output, grad_input = self.main.double_backward(grad_grad_input)
        return grad_grad_output.reshape(-1), grad_input

    def summary(self, batch_size=1):
        """One line per layer with its output shape and parameter count."""
        return summary(self, (batch_size, self.nc, self.image_size, self.image_size))

    def extra_repr(self):
        return f"nc={self.nc}, ndf={self.ndf}, image_size={self.image_size}"
