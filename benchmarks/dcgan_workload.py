"""What the DCGAN benchmark runs: the models, the batches, one training iteration
in nanogan and in PyTorch, and the analytic FLOP count of that iteration.

Both frameworks run the algorithm of `nanogan.training.train_step`:

    D step: D(real) -> BCE(., 1) -> backward;  fake = G(z);  D(fake) -> BCE(., 0) -> backward
            (no gradient into G);  Adam step on D
    G step: D(fake) -> BCE(., 1) -> backward through D (D's weights frozen) into G;  Adam step on G

numpy, nanogan and torch are imported inside the functions: the benchmark
must set the BLAS thread count before the first `import numpy`.
"""

NZ, NGF, NDF, NC = 100, 64, 64, 3  # the PyTorch DCGAN tutorial's sizes
ADAM = dict(lr=2e-4, betas=(0.5, 0.999))  # the tutorial's optimiser settings
BATCH_POOL = 2  # distinct (real, z) batches, cycled; made before timing starts


def make_batches(image_size, batch_size, seed):
    """BATCH_POOL pairs (real, z) of float32 host arrays: real ~ U(-1, 1), z ~ N(0, I).

    Every process that calls this with the same arguments gets the same arrays,
    so nanogan and PyTorch train on the same batches.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    return [
        (rng.uniform(-1, 1, (batch_size, NC, image_size, image_size)).astype(np.float32),
         rng.standard_normal((batch_size, NZ, 1, 1), dtype=np.float32))
        for _ in range(BATCH_POOL)
    ]


def make_nanogan_models(image_size, seed, backend="numpy"):
    """The DCGAN pair as nanogan builds it, initialised from `seed`."""
    import nanogan
    from nanogan.models import Discriminator, Generator

    nanogan.manual_seed(seed)
    generator = Generator(nz=NZ, ngf=NGF, nc=NC, image_size=image_size).to(backend)
    discriminator = Discriminator(nc=NC, ndf=NDF, image_size=image_size).to(backend)
    return generator, discriminator


class NanoganTrainer:
    """nanogan's models, Adam optimisers and BCELoss; `step(i)` runs one train_step on batch i."""

    def __init__(self, image_size, batch_size, seed, backend):
        from nanogan import nn, optim
        from nanogan.backend import get_backend, to_backend

        self.xp = get_backend(backend)
        self.generator, self.discriminator = make_nanogan_models(image_size, seed, backend)
        self.g_optimizer = optim.Adam(self.generator.parameters(), **ADAM)
        self.d_optimizer = optim.Adam(self.discriminator.parameters(), **ADAM)
        self.criterion = nn.BCELoss()
        self.batches = [(to_backend(real, backend), to_backend(z, backend))
                        for real, z in make_batches(image_size, batch_size, seed)]

    def step(self, index):
        """One training iteration; returns its StepMetrics (still on the device)."""
        from nanogan.training import train_step

        real, z = self.batches[index % len(self.batches)]
        metrics = train_step(self.generator, self.discriminator, self.g_optimizer, self.d_optimizer,
                             self.criterion, real, z)
        if self.xp.__name__ == "cupy":
            self.xp.cuda.Device().synchronize()  # the benchmark's clock, not the library, waits for the GPU
        return metrics


def layer_specs(model):
    """model.main as plain data, [(layer type name, constructor arguments)], to rebuild it in PyTorch."""
    from nanogan import nn

    specs = []
    for layer in model.main:
        if isinstance(layer, (nn.Conv2d, nn.ConvTranspose2d)):
            arguments = dict(in_channels=layer.in_channels, out_channels=layer.out_channels,
                             kernel_size=layer.kernel_size, stride=layer.stride, padding=layer.padding,
                             bias=layer.bias is not None)
            if isinstance(layer, nn.ConvTranspose2d):
                arguments["output_padding"] = layer.output_padding
        elif isinstance(layer, nn.BatchNorm2d):
            arguments = dict(num_features=layer.num_features, eps=layer.eps, momentum=layer.momentum,
                             affine=layer.affine)
        elif isinstance(layer, nn.LeakyReLU):
            arguments = dict(negative_slope=layer.negative_slope)
        else:
            arguments = {}
        specs.append((type(layer).__name__, arguments))
    return specs


def _torch_model(specs):
    """The layer stack of `layer_specs` in torch.nn, as the tutorial writes it (in-place activations)."""
    import torch

    in_place = {"ReLU", "LeakyReLU"}
    layers = [getattr(torch.nn, name)(**arguments, **({"inplace": True} if name in in_place else {}))
              for name, arguments in specs]
    return torch.nn.ModuleDict({"main": torch.nn.Sequential(*layers)})


class TorchTrainer:
    """The same models in PyTorch, loaded with nanogan's initial state dicts.

    loop="train_step" freezes D during the G step, exactly as nanogan's train_step;
    loop="tutorial" is the PyTorch tutorial's loop, which also computes D's weight
    gradients in the G step (and throws them away at the next zero_grad).
    """

    def __init__(self, image_size, batch_size, seed, models, loop="train_step", device="cpu"):
        """models: {"G": (layer_specs, state_dict), "D": (...)} of nanogan's initial models, as host arrays.
        device: "cpu", or "cuda" to compare with nanogan's CuPy backend on the same GPU."""
        import torch

        self.device = torch.device(device)
        (self.generator, self.discriminator) = (_torch_model(models[name][0]) for name in ("G", "D"))
        for model, name in [(self.generator, "G"), (self.discriminator, "D")]:
            model.load_state_dict({key: torch.as_tensor(value) for key, value in models[name][1].items()})
            model.to(self.device)
        self.g_optimizer = torch.optim.Adam(self.generator.parameters(), **ADAM)
        self.d_optimizer = torch.optim.Adam(self.discriminator.parameters(), **ADAM)
        self.criterion = torch.nn.BCELoss()
        self.freeze_d_in_g_step = loop == "train_step"
        self.batches = [(torch.from_numpy(real).to(self.device), torch.from_numpy(z).to(self.device))
                        for real, z in make_batches(image_size, batch_size, seed)]

    def step(self, index):
        """One training iteration on batch `index`; returns (loss_d, loss_g) as tensors."""
        import torch

        real, z = self.batches[index % len(self.batches)]
        loss_d, loss_g, _ = self.train_on(real, z)
        if self.device.type == "cuda":
            torch.cuda.synchronize()  # the benchmark's clock waits for the GPU, as on nanogan's side
        return loss_d, loss_g

    def train_on(self, real, z):
        """One training iteration on (real, z); returns (loss_d, loss_g, (D(x), D(G(z)) before the D step))."""
        import torch

        net_g, net_d = self.generator["main"], self.discriminator["main"]
        self.d_optimizer.zero_grad()
        output_real = net_d(real).view(-1)
        loss_d_real = self.criterion(output_real, torch.ones_like(output_real))
        loss_d_real.backward()
        fake = net_g(z)
        output_fake = net_d(fake.detach()).view(-1)
        loss_d_fake = self.criterion(output_fake, torch.zeros_like(output_fake))
        loss_d_fake.backward()
        self.d_optimizer.step()

        self.g_optimizer.zero_grad()
        if self.freeze_d_in_g_step:
            self.discriminator.requires_grad_(False)
        output = net_d(fake).view(-1)
        loss_g = self.criterion(output, torch.ones_like(output))
        loss_g.backward()
        self.discriminator.requires_grad_(True)
        self.g_optimizer.step()
        return loss_d_real + loss_d_fake, loss_g, (output_real.detach(), output_fake.detach())


# -- FLOP count ----------------------------------------------------------------------------------


def conv_layers(image_size):
    """Every convolution of the DCGAN pair: (model, index in main, layer, GEMM FLOPs per image).

    One pass of a convolution (forward, input gradient or weight gradient) is
    one GEMM of 2 * C_out * (C_in * KH * KW) * OH * OW multiply-adds per image
    for Conv2d, and 2 * C_in * (C_out * KH * KW) * H * W for ConvTranspose2d
    (H, W its input's size): the same product in three arrangements.
    """
    from nanogan import nn
    from nanogan.kernels.geometry import conv_output_size

    generator, discriminator = make_nanogan_models(image_size, seed=0)
    found = []
    for name, model, shape in [("G", generator, (NZ, 1, 1)), ("D", discriminator, (NC, image_size, image_size))]:
        channels, height, width = shape
        for index, layer in enumerate(model.main):
            if isinstance(layer, nn.Conv2d):
                kernel_h, kernel_w = layer.kernel_size
                height, width = (conv_output_size(size, k, s, p) for size, k, s, p
                                 in zip((height, width), layer.kernel_size, layer.stride, layer.padding))
                flops = 2 * layer.out_channels * channels * kernel_h * kernel_w * height * width
            elif isinstance(layer, nn.ConvTranspose2d):
                kernel_h, kernel_w = layer.kernel_size
                flops = 2 * channels * layer.out_channels * kernel_h * kernel_w * height * width
                _, _, height, width = layer.output_shape((1, channels, height, width))
            else:
                continue
            channels = layer.out_channels
            found.append((name, index, layer, flops))
    return found


def passes_per_iteration(model, first, tutorial=False):
    """How many times one iteration runs each pass of a conv layer: {pass: count}.

    D runs forward 3 times (real, fake, fake again in the G step); its weight
    gradients are needed twice (the D step), its input gradients 3 times, except
    the first layer's, needed only once (dL/dfake in the G step). G runs each
    pass once, except its first layer's input gradient (dL/dz), which nobody needs.
    The tutorial's loop also computes D's weight gradients in the G step.
    """
    if model == "D":
        return {"forward": 3, "weight_grad": 3 if tutorial else 2, "input_grad": 1 if first else 3}
    return {"forward": 1, "weight_grad": 1, "input_grad": 0 if first else 1}


def iteration_flops(image_size, tutorial=False):
    """FLOPs per image of one training iteration, counting only convolution GEMMs
    (BatchNorm, activations, loss and Adam add well under 1%)."""
    total = 0
    for model, index, _, flops in conv_layers(image_size):
        total += flops * sum(passes_per_iteration(model, index == 0, tutorial).values())
    return total
