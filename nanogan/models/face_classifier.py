"""A classifier of the synthetic faces' attributes: what the face benchmark counts modes with.

A small convolutional network, built like the DCGAN discriminator
(nanogan/models/dcgan.py), with one block of logits per attribute of
nanogan/data/face_attributes.py in its last layer:

    images (N, 3, S, S) in [-1, 1] -> S/2 -> ... -> 4x4 maps    4/2/1 convolutions, LeakyReLU(0.2),
                                                                BatchNorm from the second on
    -> Flatten -> Linear -> LeakyReLU: features (N, 128)        the penultimate layer (domain FID)
    -> Linear: logits (N, 21)                                   13 hair, then 2 each for eyes,
                                                                glasses, mouth, moustache

Trained weights for 32x32 and 64x64 ship with the package
(nanogan/models/weights/); scripts/train_face_classifier.py makes them again.
"""

import os

import numpy as np

from ..backend import backend_name, to_backend
from ..data.face_attributes import ATTRIBUTES
from ..io.checkpoint import CheckpointError, load_checkpoint
from ..nn import BatchNorm2d, Conv2d, Flatten, LeakyReLU, Linear, Module, Sequential, no_grad
from .dcgan import check_image_size

NUM_LOGITS = sum(len(values) for values in ATTRIBUTES.values())  # 21
# attribute -> its block of the logits: hair 0:13, eyes 13:15, glasses 15:17, mouth 17:19, moustache 19:21
_ENDS = np.cumsum([len(values) for values in ATTRIBUTES.values()])
ATTRIBUTE_SLICES = {name: slice(int(end) - len(values), int(end)) for (name, values), end in zip(ATTRIBUTES.items(), _ENDS)}
WEIGHTS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "weights")


class FaceAttributeClassifier(Module):
    """images: (N, 3, image_size, image_size) in [-1, 1] -> logits (N, 21), a block per attribute."""

    def __init__(self, image_size=32, width=16, features=128):
        super().__init__()
        doublings = check_image_size(image_size)  # stride-2 layers down to 4x4
        self.image_size, self.width, self.num_features = image_size, width, features
        channels = [width * 2**i for i in range(doublings)]
        layers = [Conv2d(3, channels[0], 4, 2, 1), LeakyReLU(0.2)]
        for in_channels, out_channels in zip(channels, channels[1:]):
            layers += [Conv2d(in_channels, out_channels, 4, 2, 1, bias=False), BatchNorm2d(out_channels),
                       LeakyReLU(0.2)]
        layers += [Flatten(), Linear(channels[-1] * 16, features), LeakyReLU(0.2)]
        self.body = Sequential(*layers)  # images -> features
        self.head = Linear(features, NUM_LOGITS)  # features -> logits

    def forward(self, images):
        return self.head(self.body(images))

    def backward(self, grad_output):
        return self.body.backward(self.head.backward(grad_output))

    def features(self, images):
        """The penultimate layer, (N, 128), in eval mode and without a cache: for statistics."""
        with no_grad():
            return self.body(images)

    def extra_repr(self):
        return f"image_size={self.image_size}, width={self.width}, features={self.num_features}"


def predict(logits):
    """(labels (N, 5), confidences (N, 5)): each attribute's most likely value and its softmax probability."""
    labels, confidences = [], []
    for block in ATTRIBUTE_SLICES.values():
        scores = logits[:, block] - logits[:, block].max(axis=1, keepdims=True)
        probabilities = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
        labels.append(probabilities.argmax(axis=1))
        confidences.append(probabilities.max(axis=1))
    return np.stack(labels, axis=1), np.stack(confidences, axis=1)


def weights_path(image_size):
    """Where the package keeps the trained classifier for image_size x image_size faces."""
    return os.path.join(WEIGHTS_DIR, f"face_classifier_{image_size}.npz")


def load_face_classifier(image_size=32, backend="numpy", path=None):
    """The trained classifier for `image_size` (32 or 64), in eval mode, on `backend`."""
    path = path or weights_path(image_size)
    try:
        arrays, metadata = load_checkpoint(path)
    except CheckpointError as error:
        raise CheckpointError(f"no trained face classifier for {image_size}x{image_size} images ({error}); "
                              f"scripts/train_face_classifier.py --image-size {image_size} trains one") from None
    model = FaceAttributeClassifier(**metadata["architecture"])
    model.load_state_dict(arrays["model"])
    return model.to(backend).eval()


def to_model_input(images, backend):
    """uint8 images (N, 3, S, S) -> float32 in [-1, 1] on `backend`, as the classifier and the DCGAN see them."""
    if backend_name(images) == "numpy" and images.dtype == np.uint8:
        images = images.astype(np.float32) / 127.5 - 1
    return to_backend(images, backend, np.float32)
