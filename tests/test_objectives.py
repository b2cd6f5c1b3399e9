"""The objectives: each term's loss and gradient, the options that combine them, and one full training
step per objective next to the same objective written in PyTorch (float64)."""

import numpy as np
import pytest

from helpers import assert_close
from nanogan import nn, optim
from nanogan.gradcheck import numerical_gradient, relative_error
from nanogan.models.toy import MLPDiscriminator, MLPGenerator
from nanogan.objectives import (BCE, LOSSES, GANOptions, SaturatingBCE, WassersteinClip, check_combination,
                                make_objective)
from nanogan.training import train_step, train_step_n_critic

SCORES = np.array([-2.5, -0.7, 0.3, 0.9, 1.6])
PROBABILITIES = np.array([0.05, 0.3, 0.5, 0.8, 0.97])

# loss -> (real term, fake term, generator term), each a function of D's outputs, written out plainly
FORMULAS = {
    "bce": (lambda p: -np.log(p).mean(), lambda p: -np.log(1 - p).mean(), lambda p: -np.log(p).mean()),
    "saturating": (lambda p: -np.log(p).mean(), lambda p: -np.log(1 - p).mean(), lambda p: np.log(1 - p).mean()),
    "lsgan": (lambda s: ((s - 1) ** 2).mean() / 2, lambda s: (s**2).mean() / 2, lambda s: ((s - 1) ** 2).mean() / 2),
    "hinge": (lambda s: np.maximum(0, 1 - s).mean(), lambda s: np.maximum(0, 1 + s).mean(), lambda s: -s.mean()),
    "wgan-clip": (lambda s: -s.mean(), lambda s: s.mean(), lambda s: -s.mean()),
    "wgan-gp": (lambda s: -s.mean(), lambda s: s.mean(), lambda s: -s.mean()),
}


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("term", [0, 1, 2])
def test_each_term_is_its_formula_and_returns_its_gradient(loss, term):
    objective = make_objective(loss)
    outputs = (PROBABILITIES if objective.probabilities else SCORES).copy()
    method = [objective.d_real, objective.d_fake, objective.g_fake][term]
    value, gradient = method(outputs)
    assert float(value) == pytest.approx(FORMULAS[loss][term](outputs), rel=1e-12)
    assert gradient.dtype == outputs.dtype and gradient.shape == outputs.shape
    numerical = numerical_gradient(lambda: np.array(FORMULAS[loss][term](outputs)), outputs, np.array(1.0))
    assert relative_error(gradient, numerical)[0] < 1e-8


@pytest.mark.parametrize("loss", LOSSES)
def test_terms_keep_float32(backend, loss):
    objective = make_objective(loss)
    outputs = (PROBABILITIES if objective.probabilities else SCORES).astype(np.float32)
    from nanogan.backend import to_backend
    outputs = to_backend(outputs, backend, np.float32)
    for method in (objective.d_real, objective.d_fake, objective.g_fake):
        value, gradient = method(outputs)
        assert value.dtype == np.float32 and gradient.dtype == np.float32


def test_bce_on_logits_equals_bce_on_probabilities():
    logits = SCORES
    on_logits, on_probabilities = make_objective("bce", logits=True), make_objective("bce")
    for term in ("d_real", "d_fake", "g_fake"):
        loss_s, grad_s = getattr(on_logits, term)(logits)
        p = 1 / (1 + np.exp(-logits))
        loss_p, grad_p = getattr(on_probabilities, term)(p)
        assert float(loss_s) == pytest.approx(float(loss_p), rel=1e-12)
        assert_close(grad_s, grad_p * p * (1 - p))  # chain rule through sigmoid


def test_the_saturating_generator_gradient_vanishes_where_the_non_saturating_one_does_not():
    d = np.array([0.001])
    _, saturating = SaturatingBCE().g_fake(d)
    _, non_saturating = BCE().g_fake(d)
    # through the sigmoid: dL/ds = dL/dD * D (1 - D): -D for the saturating loss, -(1 - D) for the other
    assert saturating[0] * d[0] * (1 - d[0]) == pytest.approx(-0.001)
    assert non_saturating[0] * d[0] * (1 - d[0]) == pytest.approx(-0.999)


def test_weight_clipping_bounds_every_parameter_of_d():
    critic = MLPDiscriminator(2, hidden=4, sigmoid=False)
    for parameter in critic.parameters():
        parameter.data[...] = 5.0
    WassersteinClip(0.01).constrain(critic)
    assert all(np.abs(parameter.data).max() == np.float32(0.01) for parameter in critic.parameters())


@pytest.mark.parametrize("options, message", [
    (GANOptions(loss="wgan-clip", spectral_norm=True), "weight clipping .* and spectral normalisation"),
    (GANOptions(pack=3), "batch size 8 is not a multiple of the pack size 3"),
    (GANOptions(loss="wgan"), "unknown loss 'wgan': expected one of bce, saturating"),
    (GANOptions(minibatch_std=True, pack=8), "at least 2 .* samples per batch, got 1"),
    (GANOptions(n_critic=0), "n_critic >= 1"),
])
def test_options_that_make_no_sense_say_so(options, message):
    with pytest.raises(ValueError, match=message):
        options.check(batch_size=8)


def test_a_sigmoid_output_with_a_wasserstein_loss_is_an_error():
    with pytest.raises(ValueError, match="drop the Sigmoid"):
        check_combination(make_objective("wgan-gp"), MLPDiscriminator(2))
    with pytest.raises(ValueError, match="does not end in Sigmoid"):
        check_combination(make_objective("bce"), MLPDiscriminator(2, sigmoid=False))
    check_combination(make_objective("bce"), MLPDiscriminator(2))


def test_the_options_pick_d_s_output_layer():
    assert GANOptions().sigmoid and GANOptions(loss="saturating").sigmoid
    assert not GANOptions(r1=1.0).sigmoid  # R1 is taken on the logit
    for loss in ("lsgan", "hinge", "wgan-clip", "wgan-gp"):
        options = GANOptions(loss=loss)
        critic = MLPDiscriminator(2, **options.discriminator_options())
        check_combination(options.objective(), critic, options.penalties(np.random.default_rng(0)))


def test_train_step_takes_a_criterion_as_the_articles_objective():
    """A BCELoss in the objective's place trains exactly as the BCE objective does."""
    results = []
    for objective in (nn.BCELoss(), BCE()):
        nn_seed = np.random.default_rng(0)
        generator, discriminator = MLPGenerator(2, 3, hidden=4), MLPDiscriminator(2, hidden=4)
        for model in (generator, discriminator):
            for parameter in model.parameters():
                parameter.data[...] = nn_seed.standard_normal(parameter.shape)
        optimizers = [optim.Adam(model.parameters()) for model in (generator, discriminator)]
        real, noise = np.ones((4, 2), np.float32), np.full((4, 3), 0.5, np.float32)
        results.append(train_step(generator, discriminator, *optimizers, objective, real, noise).to_host())
    assert results[0] == results[1]


# -- one full training step per objective, next to PyTorch ---------------------------------------------

PARITY_CASES = {
    "bce": GANOptions(),
    "saturating": GANOptions(loss="saturating"),
    "lsgan": GANOptions(loss="lsgan"),
    "hinge": GANOptions(loss="hinge", spectral_norm=True),
    "wgan-clip": GANOptions(loss="wgan-clip", n_critic=2),
    "wgan-gp": GANOptions(loss="wgan-gp", n_critic=2, pack=2),
    "bce+r1": GANOptions(r1=2.0, minibatch_std=True),
}


def torch_terms(torch, loss, logits):
    """(real term, fake term, generator term) of `loss` in PyTorch, on D's outputs."""
    functional = torch.nn.functional
    if loss in ("bce", "saturating"):
        bce = functional.binary_cross_entropy_with_logits if logits else functional.binary_cross_entropy
        generator = ((lambda out: -bce(out, torch.zeros_like(out))) if loss == "saturating"
                     else (lambda out: bce(out, torch.ones_like(out))))
        return lambda out: bce(out, torch.ones_like(out)), lambda out: bce(out, torch.zeros_like(out)), generator
    if loss == "lsgan":
        return (lambda out: 0.5 * ((out - 1) ** 2).mean(), lambda out: 0.5 * (out**2).mean(),
                lambda out: 0.5 * ((out - 1) ** 2).mean())
    if loss == "hinge":
        return (lambda out: torch.relu(1 - out).mean(), lambda out: torch.relu(1 + out).mean(), lambda out: -out.mean())
    return lambda out: -out.mean(), lambda out: out.mean(), lambda out: -out.mean()


def torch_critic(torch, options):
    """MLPDiscriminator(2, hidden=6, **options.discriminator_options()) in PyTorch, with the same names."""

    class Pack(torch.nn.Module):
        def forward(self, x):
            return x.reshape(x.shape[0] // options.pack, -1)

    class MinibatchStd(torch.nn.Module):
        def forward(self, x):
            sd = torch.sqrt(((x - x.mean(dim=0)) ** 2).mean(dim=0) + 1e-8)
            return torch.cat([x, sd.mean().expand(x.shape[0], 1)], dim=1)

    def linear(n_in, n_out):
        layer = torch.nn.Linear(n_in, n_out)
        return torch.nn.utils.parametrizations.spectral_norm(layer) if options.spectral_norm else layer

    layers = [Pack()] * (options.pack > 1) + [linear(2 * options.pack, 6), torch.nn.LeakyReLU(0.2)]
    layers += [MinibatchStd()] * options.minibatch_std + [linear(6 + options.minibatch_std, 1)]
    layers += [torch.nn.Sigmoid()] * options.sigmoid
    return torch.nn.ModuleDict({"main": torch.nn.Sequential(*layers)}).double()


def torch_training_step(torch, generator, critic, g_opt, d_opt, options, batches, gp_rng):
    """The same step as train_step_n_critic, written with autograd: create_graph=True for the penalties."""
    d_real, d_fake, g_fake = torch_terms(torch, options.loss, logits=not options.sigmoid)

    def D(x):
        return critic["main"](x).reshape(-1)

    def penalty(real, fake):
        total = 0.0
        if options.loss == "wgan-gp":
            e = torch.from_numpy(gp_rng.uniform(size=(real.shape[0], 1)))
            x = (e * real + (1 - e) * fake).requires_grad_()
            out = D(x)
            (u,) = torch.autograd.grad(out.sum(), x, create_graph=True)
            total = total + 10.0 * ((u.reshape(out.numel(), -1).norm(dim=1) - 1) ** 2).mean()
        if options.r1:
            x = real.clone().requires_grad_()
            out = D(x)
            (u,) = torch.autograd.grad(out.sum(), x, create_graph=True)
            total = total + 0.5 * options.r1 * (u.reshape(out.numel(), -1) ** 2).sum(dim=1).mean()
        return total

    for real, noise in batches:
        real, noise = torch.from_numpy(real), torch.from_numpy(noise)
        d_opt.zero_grad()
        fake = generator["main"](noise)
        loss_d = d_real(D(real)) + d_fake(D(fake.detach()))
        loss_d = loss_d + penalty(real, fake.detach())  # StepMetrics.loss_d includes the penalties
        loss_d.backward()
        d_opt.step()
        if options.loss == "wgan-clip":
            with torch.no_grad():
                for parameter in critic.parameters():
                    parameter.clamp_(-0.01, 0.01)
    g_opt.zero_grad()
    loss_g = g_fake(D(fake))
    loss_g.backward()
    g_opt.step()
    return loss_d.item(), loss_g.item()


@pytest.mark.parametrize("case", sorted(PARITY_CASES))
def test_one_training_step_matches_pytorch(case):
    torch = pytest.importorskip("torch")
    options = PARITY_CASES[case]
    generator = MLPGenerator(2, 3, hidden=5).to(dtype=np.float64)
    critic = MLPDiscriminator(2, hidden=6, **options.discriminator_options()).to(dtype=np.float64)
    torch_generator = torch.nn.ModuleDict({"main": torch.nn.Sequential(
        torch.nn.Linear(3, 5), torch.nn.ReLU(), torch.nn.Linear(5, 5), torch.nn.ReLU(), torch.nn.Linear(5, 2))}).double()
    torch_model = torch_critic(torch, options)
    for model, torch_version in [(generator, torch_generator), (critic, torch_model)]:
        torch_version.load_state_dict({key: torch.from_numpy(np.array(value)) for key, value in model.state_dict().items()})
    adam = dict(lr=1e-2, betas=(0.5, 0.9))
    g_opt, d_opt = optim.Adam(generator.parameters(), **adam), optim.Adam(critic.parameters(), **adam)
    torch_g_opt = torch.optim.Adam(torch_generator.parameters(), **adam)
    torch_d_opt = torch.optim.Adam(torch_model.parameters(), **adam)
    rng = np.random.default_rng(10)
    batches = [(rng.standard_normal((8, 2)) * 2, rng.standard_normal((8, 3))) for _ in range(options.n_critic)]
    metrics = train_step_n_critic(generator, critic, g_opt, d_opt, options.objective(), batches,
                                  options.penalties(np.random.default_rng(11))).to_host()
    loss_d, loss_g = torch_training_step(torch, torch_generator, torch_model, torch_g_opt, torch_d_opt, options,
                                         batches, np.random.default_rng(11))
    assert metrics["loss_d"] == pytest.approx(loss_d, rel=1e-10)
    assert metrics["loss_g"] == pytest.approx(loss_g, rel=1e-10)
    for model, torch_version in [(generator, torch_generator), (critic, torch_model)]:
        torch_state = torch_version.state_dict()
        for key, value in model.state_dict().items():
            np.testing.assert_allclose(value, torch_state[key].numpy(), rtol=1e-10, atol=1e-12, err_msg=key)
