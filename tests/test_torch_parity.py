"""Side by side with PyTorch, where it is installed (it is never a dependency): same weights,
same inputs, same outputs and gradients. Skipped when PyTorch is missing."""

import numpy as np
import pytest

from nanogan import nn, optim
from nanogan.training import train_step

torch = pytest.importorskip("torch")


def to_torch(array):
    return torch.from_numpy(np.array(array, dtype=np.float64))


def load_into_torch(torch_module, nanogan_module):
    """Copy nanogan's state dict into the PyTorch module; the keys must line up one to one."""
    torch_module.load_state_dict({key: to_torch(value) if value.dtype != np.int64 else torch.tensor(int(value))
                                  for key, value in nanogan_module.state_dict().items()})


def compare_layer(layer, torch_layer, x, rtol=1e-10):
    layer.to(dtype=np.float64)
    torch_layer.double()
    load_into_torch(torch_layer, layer)
    rng = np.random.default_rng(0)
    y = layer(x)
    x_torch = to_torch(x).requires_grad_()
    y_torch = torch_layer(x_torch)
    np.testing.assert_allclose(y, y_torch.detach().numpy(), rtol=rtol, atol=1e-12)
    g = rng.standard_normal(y.shape)
    grad_input = layer.backward(g)
    y_torch.backward(to_torch(g))
    np.testing.assert_allclose(grad_input, x_torch.grad.numpy(), rtol=rtol, atol=1e-12)
    torch_parameters = dict(torch_layer.named_parameters())
    for name, parameter in layer.named_parameters():
        np.testing.assert_allclose(parameter.grad, torch_parameters[name].grad.numpy(), rtol=rtol, atol=1e-12)
    for name, buffer in torch_layer.named_buffers():
        np.testing.assert_allclose(layer.state_dict()[name], buffer.numpy(), rtol=rtol)


@pytest.mark.parametrize("make", [
    lambda: (nn.Conv2d(3, 5, 4, stride=2, padding=1), torch.nn.Conv2d(3, 5, 4, stride=2, padding=1)),
    lambda: (nn.Conv2d(3, 2, (3, 2), stride=(1, 3), padding=(2, 0), bias=False),
             torch.nn.Conv2d(3, 2, (3, 2), stride=(1, 3), padding=(2, 0), bias=False)),
    lambda: (nn.ConvTranspose2d(3, 4, 4, stride=2, padding=1), torch.nn.ConvTranspose2d(3, 4, 4, stride=2, padding=1)),
    lambda: (nn.ConvTranspose2d(3, 2, 3, stride=3, padding=1, output_padding=2),
             torch.nn.ConvTranspose2d(3, 2, 3, stride=3, padding=1, output_padding=2)),
    lambda: (nn.BatchNorm2d(3), torch.nn.BatchNorm2d(3)),
    lambda: (nn.LeakyReLU(0.2), torch.nn.LeakyReLU(0.2)),
    lambda: (nn.Tanh(), torch.nn.Tanh()),
])
def test_image_layers_match_pytorch(make):
    layer, torch_layer = make()
    compare_layer(layer, torch_layer, np.random.default_rng(1).standard_normal((2, 3, 7, 6)))


def test_batchnorm_eval_mode_matches_pytorch():
    layer, torch_layer = nn.BatchNorm1d(4), torch.nn.BatchNorm1d(4)
    layer.running_mean[...] = [0.5, -1, 2, 0]
    layer.running_var[...] = [1, 2, 0.5, 3]
    compare_layer(layer.eval(), torch_layer.eval(), np.random.default_rng(2).standard_normal((5, 4)))


def test_linear_and_losses_match_pytorch():
    compare_layer(nn.Linear(4, 3), torch.nn.Linear(4, 3), np.random.default_rng(3).standard_normal((5, 4)))
    rng = np.random.default_rng(4)
    p, y = rng.uniform(0.01, 0.99, 6), rng.uniform(0, 1, 6)
    for loss, torch_loss, x in [(nn.BCELoss(), torch.nn.BCELoss(), p),
                                (nn.BCEWithLogitsLoss(), torch.nn.BCEWithLogitsLoss(), rng.standard_normal(6) * 5),
                                (nn.MSELoss(), torch.nn.MSELoss(), p)]:
        x_torch = to_torch(x).requires_grad_()
        value = torch_loss(x_torch, to_torch(y))
        value.backward()
        np.testing.assert_allclose(loss(x, y), value.item(), rtol=1e-12)
        np.testing.assert_allclose(loss.backward(), x_torch.grad.numpy(), rtol=1e-12)


def test_a_pytorch_state_dict_loads_as_is():
    torch.manual_seed(0)
    torch_model = torch.nn.Sequential(torch.nn.ConvTranspose2d(8, 4, 4, 1, 0, bias=False), torch.nn.BatchNorm2d(4),
                                      torch.nn.ReLU(True), torch.nn.Conv2d(4, 1, 4, 1, 0, bias=False))
    torch_model(torch.randn(2, 8, 1, 1))  # moves the running statistics away from their start
    model = nn.Sequential(nn.ConvTranspose2d(8, 4, 4, 1, 0, bias=False), nn.BatchNorm2d(4), nn.ReLU(),
                          nn.Conv2d(4, 1, 4, 1, 0, bias=False))
    model.load_state_dict({key: value.numpy() for key, value in torch_model.state_dict().items()})
    assert int(model[1].num_batches_tracked) == 1
    z = np.random.default_rng(5).standard_normal((3, 8, 1, 1)).astype(np.float32)
    torch_model.eval(), model.eval()
    np.testing.assert_allclose(model(z), torch_model(torch.from_numpy(z)).detach().numpy(), rtol=1e-4, atol=1e-6)


def test_training_steps_match_pytorch():
    """The whole alternating step (BCELoss, Adam, BatchNorm in both nets) tracks PyTorch's."""
    generator = nn.Sequential(nn.ConvTranspose2d(4, 6, 4, 1, 0, bias=False), nn.BatchNorm2d(6), nn.ReLU(),
                              nn.ConvTranspose2d(6, 2, 4, 2, 1, bias=False), nn.Tanh())
    discriminator = nn.Sequential(nn.Conv2d(2, 6, 4, 2, 1, bias=False), nn.LeakyReLU(0.2),
                                  nn.Conv2d(6, 8, 4, 2, 1, bias=False), nn.BatchNorm2d(8), nn.LeakyReLU(0.2),
                                  nn.Conv2d(8, 1, 2, 1, 0, bias=False), nn.Flatten(0), nn.Sigmoid())
    torch_generator = torch.nn.Sequential(
        torch.nn.ConvTranspose2d(4, 6, 4, 1, 0, bias=False), torch.nn.BatchNorm2d(6), torch.nn.ReLU(),
        torch.nn.ConvTranspose2d(6, 2, 4, 2, 1, bias=False), torch.nn.Tanh()).double()
    torch_discriminator = torch.nn.Sequential(
        torch.nn.Conv2d(2, 6, 4, 2, 1, bias=False), torch.nn.LeakyReLU(0.2),
        torch.nn.Conv2d(6, 8, 4, 2, 1, bias=False), torch.nn.BatchNorm2d(8), torch.nn.LeakyReLU(0.2),
        torch.nn.Conv2d(8, 1, 2, 1, 0, bias=False), torch.nn.Flatten(0), torch.nn.Sigmoid()).double()
    for model, torch_model in [(generator, torch_generator), (discriminator, torch_discriminator)]:
        model.to(dtype=np.float64)
        load_into_torch(torch_model, model)
    adam = dict(lr=2e-3, betas=(0.5, 0.999))
    g_opt, d_opt = optim.Adam(generator.parameters(), **adam), optim.Adam(discriminator.parameters(), **adam)
    torch_g_opt = torch.optim.Adam(torch_generator.parameters(), **adam)
    torch_d_opt = torch.optim.Adam(torch_discriminator.parameters(), **adam)
    bce = torch.nn.BCELoss()
    rng = np.random.default_rng(6)
    for _ in range(3):
        real, noise = rng.uniform(-1, 1, (4, 2, 8, 8)), rng.standard_normal((4, 4, 1, 1))
        metrics = train_step(generator, discriminator, g_opt, d_opt, nn.BCELoss(), real, noise).to_host()
        # the PyTorch DCGAN tutorial's loop
        torch_discriminator.zero_grad()
        output = torch_discriminator(to_torch(real))
        error_real = bce(output, torch.ones_like(output))
        error_real.backward()
        fake = torch_generator(to_torch(noise))
        output = torch_discriminator(fake.detach())
        error_fake = bce(output, torch.zeros_like(output))
        error_fake.backward()
        torch_d_opt.step()
        torch_generator.zero_grad()
        output = torch_discriminator(fake)
        error_g = bce(output, torch.ones_like(output))
        error_g.backward()
        torch_g_opt.step()
        assert metrics["loss_d"] == pytest.approx((error_real + error_fake).item(), rel=1e-9)
        assert metrics["loss_g"] == pytest.approx(error_g.item(), rel=1e-9)
    for model, torch_model in [(generator, torch_generator), (discriminator, torch_discriminator)]:
        torch_state = torch_model.state_dict()
        for key, value in model.state_dict().items():
            np.testing.assert_allclose(value, torch_state[key].numpy(), rtol=1e-8, atol=1e-10, err_msg=key)


def tutorial_models(image_size=64):
    """The PyTorch DCGAN tutorial's netG and netD, written out as the tutorial writes them."""
    nz, ngf, ndf, nc = 100, 64, 64, 3
    netG = torch.nn.Sequential(
        torch.nn.ConvTranspose2d(nz, ngf * 8, 4, 1, 0, bias=False), torch.nn.BatchNorm2d(ngf * 8), torch.nn.ReLU(True),
        torch.nn.ConvTranspose2d(ngf * 8, ngf * 4, 4, 2, 1, bias=False), torch.nn.BatchNorm2d(ngf * 4), torch.nn.ReLU(True),
        torch.nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False), torch.nn.BatchNorm2d(ngf * 2), torch.nn.ReLU(True),
        torch.nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False), torch.nn.BatchNorm2d(ngf), torch.nn.ReLU(True),
        torch.nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False), torch.nn.Tanh())
    netD = torch.nn.Sequential(
        torch.nn.Conv2d(nc, ndf, 4, 2, 1, bias=False), torch.nn.LeakyReLU(0.2, inplace=True),
        torch.nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False), torch.nn.BatchNorm2d(ndf * 2), torch.nn.LeakyReLU(0.2, inplace=True),
        torch.nn.Conv2d(ndf * 2, ndf * 4, 4, 2, 1, bias=False), torch.nn.BatchNorm2d(ndf * 4), torch.nn.LeakyReLU(0.2, inplace=True),
        torch.nn.Conv2d(ndf * 4, ndf * 8, 4, 2, 1, bias=False), torch.nn.BatchNorm2d(ndf * 8), torch.nn.LeakyReLU(0.2, inplace=True),
        torch.nn.Conv2d(ndf * 8, 1, 4, 1, 0, bias=False), torch.nn.Sigmoid())
    return torch.nn.ModuleDict({"main": netG}), torch.nn.ModuleDict({"main": netD})


def test_the_dcgan_pair_matches_the_pytorch_tutorials_netG_and_netD():
    from nanogan.models import Discriminator, Generator

    generator, discriminator = Generator().to(dtype=np.float64), Discriminator().to(dtype=np.float64)
    torch_generator, torch_discriminator = (model.double() for model in tutorial_models())
    load_into_torch(torch_generator, generator)
    load_into_torch(torch_discriminator, discriminator)
    rng = np.random.default_rng(7)
    z = rng.standard_normal((4, 100, 1, 1))
    z_torch = to_torch(z).requires_grad_()
    images, images_torch = generator(z), torch_generator["main"](z_torch)
    np.testing.assert_allclose(images, images_torch.detach().numpy(), rtol=1e-9, atol=1e-12)
    scores, scores_torch = discriminator(images), torch_discriminator["main"](images_torch).view(-1)
    np.testing.assert_allclose(scores, scores_torch.detach().numpy(), rtol=1e-9)
    g = rng.standard_normal(4)
    grad_z = generator.backward(discriminator.backward(g))
    scores_torch.backward(to_torch(g))
    np.testing.assert_allclose(grad_z, z_torch.grad.numpy(), rtol=1e-7, atol=1e-12)
    torch_grads = dict(torch_generator.named_parameters())
    for name, parameter in generator.named_parameters():
        np.testing.assert_allclose(parameter.grad, torch_grads[name].grad.numpy(), rtol=1e-7, atol=1e-12, err_msg=name)


@pytest.mark.parametrize("make", [
    lambda: (nn.MaxPool2d(3, stride=2), torch.nn.MaxPool2d(3, stride=2)),
    lambda: (nn.MaxPool2d(3, stride=1, padding=1), torch.nn.MaxPool2d(3, stride=1, padding=1)),
    lambda: (nn.MaxPool2d((2, 3), stride=(1, 2), padding=(1, 0)),
             torch.nn.MaxPool2d((2, 3), stride=(1, 2), padding=(1, 0))),
    lambda: (nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False),
             torch.nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)),
    lambda: (nn.AvgPool2d(3, stride=2, padding=1), torch.nn.AvgPool2d(3, stride=2, padding=1)),
    lambda: (nn.AdaptiveAvgPool2d((1, 1)), torch.nn.AdaptiveAvgPool2d((1, 1))),
    lambda: (nn.Upsample(size=(11, 4), mode="bilinear", align_corners=False),
             torch.nn.Upsample(size=(11, 4), mode="bilinear", align_corners=False)),
    lambda: (nn.Upsample(size=(5, 13), mode="bilinear", align_corners=True),
             torch.nn.Upsample(size=(5, 13), mode="bilinear", align_corners=True)),
    lambda: (nn.Upsample(scale_factor=(1.7, 0.6), mode="bilinear"),
             torch.nn.Upsample(scale_factor=(1.7, 0.6), mode="bilinear")),
    lambda: (nn.Upsample(size=(22, 9)), torch.nn.Upsample(size=(22, 9))),
    lambda: (nn.Upsample(scale_factor=2.5), torch.nn.Upsample(scale_factor=2.5)),
    # Inception's non-square kernels, each padded on its long axis only
    lambda: (nn.Conv2d(3, 4, (1, 7), padding=(0, 3)), torch.nn.Conv2d(3, 4, (1, 7), padding=(0, 3))),
    lambda: (nn.Conv2d(3, 4, (7, 1), padding=(3, 0)), torch.nn.Conv2d(3, 4, (7, 1), padding=(3, 0))),
    lambda: (nn.Conv2d(3, 4, (1, 3), padding=(0, 1), bias=False), torch.nn.Conv2d(3, 4, (1, 3), padding=(0, 1),
                                                                                  bias=False)),
    lambda: (nn.Conv2d(3, 4, (3, 1), padding=(1, 0), bias=False), torch.nn.Conv2d(3, 4, (3, 1), padding=(1, 0),
                                                                                  bias=False)),
])
def test_inception_layers_match_pytorch(make):
    layer, torch_layer = make()
    compare_layer(layer, torch_layer, np.random.default_rng(8).standard_normal((2, 3, 26, 7)))


@pytest.mark.parametrize("size, mode, align_corners", [((299, 299), "bilinear", False), ((31, 9), "bilinear", True),
                                                       ((299, 299), "nearest", None)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_interpolate_matches_pytorch_in_both_precisions(size, mode, align_corners, dtype):
    """In float32 too, within a few roundings: the weights are computed in the input's precision, as PyTorch's
    CPU kernel does (a float64 weight differs from PyTorch's float32 one by up to 2e-6 at 299 pixels)."""
    from nanogan.nn import functional

    x = np.random.default_rng(9).uniform(0, 1, (2, 3, 64, 37)).astype(dtype)
    expected = torch.nn.functional.interpolate(torch.from_numpy(x), size=size, mode=mode, align_corners=align_corners)
    y = functional.interpolate(x, size=size, mode=mode, align_corners=align_corners)
    assert y.dtype == dtype
    np.testing.assert_allclose(y, expected.numpy(), rtol=0, atol=1e-12 if dtype == np.float64 else 4 * 2.0**-23)


def test_concat_matches_torch_cat_forward_and_backward():
    rng = np.random.default_rng(10)
    parts = [rng.standard_normal((2, c, 3, 3)) for c in (1, 4, 2)]
    torch_parts = [to_torch(part).requires_grad_() for part in parts]
    layer = nn.Concat(1)
    y, y_torch = layer(*parts), torch.cat(torch_parts, 1)
    np.testing.assert_array_equal(y, y_torch.detach().numpy())
    g = rng.standard_normal(y.shape)
    y_torch.backward(to_torch(g))
    for grad, torch_part in zip(layer.backward(g), torch_parts):
        np.testing.assert_array_equal(grad, torch_part.grad.numpy())
