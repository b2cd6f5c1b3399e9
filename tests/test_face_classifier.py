"""The face benchmark's attribute classifier (nanogan/models/face_classifier.py): the shipped weights read
held-out faces, the same on every backend, and its training (face_classifier_training.py) learns.

The shipped weights' accuracy on 5,000 held-out faces is in docs/face-benchmark.md; here the first few
hundred of those faces, with thresholds a little under what they score (32x32: hair 0.990, eyes 0.994,
glasses 0.998, mouth 0.984, moustache 0.960 on 500; 64x64: 1.0, 1.0, 1.0, 0.983, 0.987 on 300).
"""

import numpy as np
import pytest

from nanogan.data import synthetic_faces
from nanogan.models.face_classifier import load_face_classifier
from nanogan.models.face_classifier_training import TEST_SEED, classify, fit_face_classifier, held_out_accuracy

# image size -> (faces tested, the least accuracy of hair, eyes, glasses and mouth, that of the moustache)
SHIPPED = {32: (500, 0.975, 0.95), 64: (300, 0.975, 0.97)}


@pytest.mark.parametrize("image_size", sorted(SHIPPED))
def test_the_shipped_classifier_reads_held_out_faces(image_size):
    count, least, least_moustache = SHIPPED[image_size]
    accuracy = held_out_accuracy(load_face_classifier(image_size), count)
    assert accuracy.pop("moustache") >= least_moustache
    assert min(accuracy.values()) >= least, accuracy


def test_the_classifier_gives_the_same_answers_on_every_backend(backend):
    faces = synthetic_faces(24, 32, TEST_SEED)
    expected_labels, expected_confidences, expected_features = classify(load_face_classifier(32), faces)
    labels, confidences, features = classify(load_face_classifier(32, backend), faces)
    np.testing.assert_array_equal(labels, expected_labels)
    np.testing.assert_allclose(confidences, expected_confidences, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(features, expected_features, rtol=1e-4, atol=1e-4)


def test_a_short_training_learns_the_hair_which_no_prior_guesses():
    # 13 hair values, the likeliest 1/10 of the faces: only a network that sees the hair gets most right
    losses = []
    model = fit_face_classifier(image_size=32, n_train=2048, epochs=3, width=8, log=losses.append)
    mean_losses = [float(line.rsplit(" ", 1)[1]) for line in losses]
    assert len(mean_losses) == 3 and mean_losses[0] > mean_losses[1] > mean_losses[2]
    assert held_out_accuracy(model, 500)["hair"] > 0.5
