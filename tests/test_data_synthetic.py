"""The built-in synthetic faces: deterministic, varied, with the shared layout of a portrait."""

import numpy as np
import pytest

from nanogan.data import SYNTHETIC, open_dataset, synthetic_faces
from nanogan.data.errors import CELEBA_PAGE


def test_the_same_seed_draws_the_same_bytes_and_another_seed_other_faces():
    first = synthetic_faces(6, 32, seed=7)
    again = synthetic_faces(6, 32, seed=7)
    other = synthetic_faces(6, 32, seed=8)
    assert first.dtype == np.uint8 and first.shape == (6, 3, 32, 32)
    assert first.tobytes() == again.tobytes()
    assert all(not np.array_equal(first[index], other[index]) for index in range(6))


def test_a_face_does_not_depend_on_how_many_are_drawn():
    np.testing.assert_array_equal(synthetic_faces(3, 24, seed=1), synthetic_faces(9, 24, seed=1)[:3])


def test_a_smaller_image_size_draws_the_same_faces_smaller():
    large = synthetic_faces(6, 64, seed=2).astype(float)
    small = synthetic_faces(6, 32, seed=2).astype(float)
    large_halved = large.reshape(6, 3, 32, 2, 32, 2).mean(axis=(3, 5))  # average 2x2 blocks
    assert np.abs(large_halved - small).mean() < 3  # levels out of 255: rasterisation differs a little
    assert np.abs(large_halved - small[::-1]).mean() > 20  # while different faces differ a lot


def test_every_face_differs_from_every_other():
    faces = synthetic_faces(32, 32, seed=0).astype(float)
    distances = np.abs(faces[:, None] - faces[None]).mean(axis=(2, 3, 4))  # (32, 32) mean |a - b|
    assert distances[~np.eye(32, dtype=bool)].min() > 5


def test_faces_share_a_layout_the_centre_varies_less_than_the_background():
    faces = synthetic_faces(64, 32, seed=0).astype(float)
    spread = faces.std(axis=0).mean(axis=0)  # (32, 32): how much each pixel varies across faces
    centre, corners = spread[12:20, 12:20].mean(), spread[:4, [0, 1, 2, 3, -4, -3, -2, -1]].mean()
    assert centre < 0.8 * corners
    assert spread.min() > 5  # and no pixel is the same in every face


def test_the_synthetic_dataset_says_loudly_that_it_is_not_celeba():
    dataset = open_dataset(SYNTHETIC, image_size=32, progress=False, limit=12)
    assert not dataset.is_celeba and dataset.name == "synthetic faces"
    np.testing.assert_array_equal(dataset.images, synthetic_faces(12, 32, seed=0))
    assert "NOT CelebA" in dataset.notice and "--data synthetic" in dataset.notice
    assert CELEBA_PAGE in dataset.notice and "img_align_celeba.zip" in dataset.notice
    assert dataset.cache_path is None


def test_without_data_and_without_celeba_on_disk_the_synthetic_faces_are_used(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no data/celeba/ here
    dataset = open_dataset(image_size=16, progress=False, limit=4)
    assert not dataset.is_celeba and len(dataset) == 4
    assert "NOT CelebA" in dataset.notice and "no CelebA at data/celeba/img_align_celeba.zip" in dataset.notice
    assert not (tmp_path / "data").exists()  # nothing written


@pytest.mark.parametrize("n, image_size", [(-1, 32), (4, 0)])
def test_nonsense_sizes_are_rejected(n, image_size):
    with pytest.raises(ValueError, match="synthetic_faces"):
        synthetic_faces(n, image_size, seed=0)
