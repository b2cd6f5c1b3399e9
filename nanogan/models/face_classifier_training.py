"""Training and testing the face attribute classifier (nanogan/models/face_classifier.py).

It learns from synthetic faces of seed TRAIN_SEED and is tested on faces of
seed TEST_SEED; the DCGAN's synthetic dataset is seed 0, so the classifier
never sees a face that a generator trained on. The loss is the sum over the
five attributes of the cross-entropy of that attribute's block of logits.
"""

import numpy as np

from ..backend import backend_name, get_array_module, to_numpy
from ..data.synthetic import synthetic_faces
from ..io.checkpoint import save_checkpoint
from ..nn import CrossEntropyLoss
from ..optim import Adam
from ..random import manual_seed
from .face_classifier import ATTRIBUTE_SLICES, FaceAttributeClassifier, predict, to_model_input

TRAIN_SEED, TEST_SEED = 1000, 1001  # face i of seed s is synthetic_faces' face (s, i)


def attribute_loss(logits, labels):
    """The summed cross-entropy of the attributes' blocks: (loss, dloss/dlogits).

    logits: (N, 21) on any backend; labels: (N, 5) int64 on the same backend."""
    xp = get_array_module(logits)
    grad = xp.zeros_like(logits)
    loss = 0.0
    for column, block in enumerate(ATTRIBUTE_SLICES.values()):
        criterion = CrossEntropyLoss()
        # loss = sum over attributes a of CE(logits[:, a's block], labels[:, a]); its gradient, block by block
        loss = loss + criterion(logits[:, block], labels[:, column])
        grad[:, block] = criterion.backward()
    return loss, grad


def fit_face_classifier(image_size=32, n_train=20_000, epochs=12, batch_size=128, lr=2e-3, width=16, seed=0,
                        backend="numpy", log=print):
    """Train a FaceAttributeClassifier of `width` on n_train faces of TRAIN_SEED; returns it in eval mode.

    Adam at `lr`, a tenth of it for the last third of the epochs. `log` receives each epoch's mean loss."""
    faces, labels = synthetic_faces(n_train, image_size, TRAIN_SEED, with_attributes=True)
    manual_seed(seed)
    model = FaceAttributeClassifier(image_size, width=width).to(backend)
    optimizer = Adam(model.parameters(), lr=lr, betas=(0.5, 0.999))
    rng = np.random.default_rng(seed)
    xp = get_array_module(next(model.parameters()).data)
    for epoch in range(1, epochs + 1):
        optimizer.lr = lr if 3 * epoch <= 2 * epochs else lr / 10
        order, losses = rng.permutation(n_train), []
        for start in range(0, n_train - batch_size + 1, batch_size):
            batch = order[start:start + batch_size]
            optimizer.zero_grad()
            loss, grad = attribute_loss(model(to_model_input(faces[batch], backend)), xp.asarray(labels[batch]))
            model.backward(grad)
            optimizer.step()
            losses.append(loss)
        log(f"epoch {epoch}/{epochs}: mean loss {float(to_numpy(sum(losses))) / len(losses):.4f}")
    return model.eval()


def classify(model, images, batch_size=500):
    """(labels (N, 5), confidences (N, 5), features (N, 128)) of images (uint8, or floats in [-1, 1]), in batches."""
    backend = backend_name(next(model.parameters()).data)
    parts = []
    for start in range(0, len(images), batch_size):
        x = to_model_input(images[start:start + batch_size], backend)
        features = model.features(x)
        logits = model.head(features)
        parts.append((to_numpy(logits).astype(np.float64), to_numpy(features).astype(np.float64)))
    logits = np.concatenate([logits for logits, _ in parts])
    labels, confidences = predict(logits)
    return labels, confidences, np.concatenate([features for _, features in parts])


def held_out_accuracy(model, n_test=5_000):
    """Per attribute, the share of TEST_SEED's first n_test faces whose value the model predicts: {name: share}."""
    faces, labels = synthetic_faces(n_test, model.image_size, TEST_SEED, with_attributes=True)
    predicted, _, _ = classify(model, faces)
    return {name: float((predicted[:, column] == labels[:, column]).mean())
            for column, name in enumerate(ATTRIBUTE_SLICES)}


def save_face_classifier(model, path, accuracy, training):
    """Write `model`'s weights to `path` (a nanogan checkpoint, atomically), with its architecture, its test
    `accuracy` ({attribute: share}) and the `training` settings that made it, for load_face_classifier."""
    architecture = {"image_size": model.image_size, "width": model.width, "features": model.num_features}
    return save_checkpoint(path, {"model": model.state_dict()},
                           {"architecture": architecture, "accuracy": accuracy, "training": training})
