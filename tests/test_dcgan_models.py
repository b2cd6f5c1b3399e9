"""The DCGAN pair: PyTorch's layer stacks, parameter counts and names, shapes, and gradients."""

import numpy as np
import pytest

from nanogan.models import Discriminator, Generator


@pytest.mark.parametrize("image_size, g_params, d_params", [(64, 3_576_704, 2_765_568), (32, 1_068_928, 663_296)])
def test_parameter_counts_equal_pytorchs_dcgan(image_size, g_params, d_params):
    """3,576,704 and 2,765,568 are the counts of the PyTorch DCGAN tutorial's netG and netD."""
    assert sum(p.size for p in Generator(image_size=image_size).parameters()) == g_params
    assert sum(p.size for p in Discriminator(image_size=image_size).parameters()) == d_params


@pytest.mark.parametrize("image_size", [16, 32, 64])
def test_generator_makes_images_that_the_discriminator_scores_one_per_image(image_size):
    generator = Generator(nz=8, ngf=4, image_size=image_size)
    discriminator = Discriminator(ndf=4, image_size=image_size)
    images = generator(np.random.default_rng(0).standard_normal((3, 8, 1, 1)).astype(np.float32))
    assert images.shape == (3, 3, image_size, image_size) and images.dtype == np.float32
    assert np.all(np.abs(images) <= 1)
    scores = discriminator(images)
    assert scores.shape == (3,) and np.all((scores > 0) & (scores < 1))
    assert discriminator.backward(np.ones(3, dtype=np.float32)).shape == images.shape


def test_state_dict_names_follow_the_pytorch_tutorial():
    keys = list(Generator().state_dict())
    assert keys[:6] == ["main.0.weight", "main.1.weight", "main.1.bias", "main.1.running_mean",
                        "main.1.running_var", "main.1.num_batches_tracked"]
    assert keys[-1] == "main.12.weight"
    assert list(Discriminator().state_dict())[-1] == "main.11.weight"


def test_dcgan_initialisation_is_applied():
    generator = Generator()
    assert generator.main[0].weight.data.std() == pytest.approx(0.02, rel=0.05)
    assert generator.main[1].weight.data.mean() == pytest.approx(1.0, abs=0.01)


def test_summary_lists_every_layer_with_its_output_shape():
    text = Generator(image_size=32).summary(batch_size=2)
    assert "main.0 " in text and "(2, 256, 4, 4)" in text and "(2, 3, 32, 32)" in text
    assert text.endswith("total parameters: 1,068,928")


def test_discriminator_backward_routes_the_per_image_gradient_through_its_stack():
    discriminator = Discriminator(ndf=4, image_size=16)
    images = np.random.default_rng(1).uniform(-1, 1, (3, 3, 16, 16)).astype(np.float32)
    grad_output = np.array([0.5, -1.0, 2.0], dtype=np.float32)
    discriminator(images)
    grad_images = discriminator.backward(grad_output)
    discriminator.main(images)
    np.testing.assert_array_equal(grad_images, discriminator.main.backward(grad_output.reshape(3, 1, 1, 1)))


@pytest.mark.parametrize("image_size", [0, 24, 8])
def test_image_size_must_be_a_power_of_two_of_at_least_16(image_size):
    with pytest.raises(ValueError, match=f"image_size must be a power of two, at least 16.*got {image_size}"):
        Generator(image_size=image_size)


def test_discriminator_rejects_images_of_the_wrong_size():
    with pytest.raises(ValueError, match=r"expected images of shape \(N, 3, 64, 64\), got \(2, 3, 32, 32\)"):
        Discriminator()(np.zeros((2, 3, 32, 32), dtype=np.float32))
