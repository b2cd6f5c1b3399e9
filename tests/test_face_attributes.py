"""The synthetic faces' attributes: recorded without changing a byte of the faces, drawn with the stated
probabilities, and numbered into the 208 modes of the face benchmark."""

import hashlib

import numpy as np
import pytest

from nanogan.data import synthetic_faces
from nanogan.data.face_attributes import ATTRIBUTES, VALUE_PROBABILITIES, mode_index, mode_probabilities, num_modes

# sha256 of synthetic_faces(200, 32, seed=0) and synthetic_faces(50, 64, seed=3), as drawn before the faces
# had attributes (commit 7ed63ad)
FACES_SHA256 = {(200, 32, 0): "84a6e7d85b868fe09518763e503cf0700012302ec36b49f4ffa31063d068e20b",
                (50, 64, 3): "78784f7d019542d557c0e65a01f25dfc759e95216bdf6985cd5b6b69d67d127a"}


@pytest.mark.parametrize("n, image_size, seed", sorted(FACES_SHA256))
def test_the_faces_are_byte_identical_to_those_drawn_before_they_had_attributes(n, image_size, seed):
    faces, attributes = synthetic_faces(n, image_size, seed, with_attributes=True)
    assert hashlib.sha256(faces.tobytes()).hexdigest() == FACES_SHA256[(n, image_size, seed)]
    assert hashlib.sha256(synthetic_faces(n, image_size, seed).tobytes()).hexdigest() == FACES_SHA256[
        (n, image_size, seed)]
    assert attributes.shape == (n, len(ATTRIBUTES)) and attributes.dtype == np.int64


def test_a_faces_attributes_depend_on_its_seed_and_index_alone_not_on_its_size():
    _, small = synthetic_faces(30, 16, seed=4, with_attributes=True)
    _, large = synthetic_faces(10, 64, seed=4, with_attributes=True)
    np.testing.assert_array_equal(small[:10], large)


def test_the_attributes_are_drawn_with_the_stated_probabilities():
    _, attributes = synthetic_faces(4000, 8, seed=9, with_attributes=True)
    for column, (name, probabilities) in enumerate(VALUE_PROBABILITIES.items()):
        counts = np.bincount(attributes[:, column], minlength=len(ATTRIBUTES[name]))
        expected = 4000 * np.asarray(probabilities)
        # each count within 4.5 binomial standard deviations of its expectation
        assert np.all(np.abs(counts - expected) <= 4.5 * np.sqrt(expected * (1 - np.asarray(probabilities)))), name


def test_modes_number_every_combination_once_and_their_probabilities_sum_to_one():
    sizes = [len(values) for values in ATTRIBUTES.values()]
    every_combination = np.stack(np.unravel_index(np.arange(np.prod(sizes)), sizes), axis=1)
    assert num_modes() == 208
    np.testing.assert_array_equal(mode_index(every_combination), np.arange(208))
    probabilities = mode_probabilities()
    assert probabilities.shape == (208,) and probabilities.sum() == pytest.approx(1.0)
    bald_plain = mode_index([[0, 0, 0, 0, 0]])[0]  # bald, eyes open, no glasses, mouth closed, no moustache
    assert probabilities[bald_plain] == pytest.approx(0.1 * 0.9 * 0.85 * (11 / 14) * 0.88)
