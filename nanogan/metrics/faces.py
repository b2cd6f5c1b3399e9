"""The face benchmark: a GAN trained on the synthetic faces, judged on the modes it was shown.

Every synthetic face has known attributes (nanogan/data/face_attributes.py), and a
classifier trained on held-out faces (nanogan/models/face_classifier.py) reads them
back from any image. On N samples of a generator that gives, as Stacked MNIST does
for mode collapse (VEEGAN, PacGAN):

    modes covered   how many of the 208 attribute combinations at least one sample lands in,
                    counting only samples whose every attribute the classifier is sure of
                    (probability >= CONFIDENCE)
    KL              KL(q || p) = sum_m q_m log(q_m / p_m), q the samples' mode histogram (every
                    sample, its most likely value per attribute), p the true mode distribution
    marginals       each attribute's value shares in the samples, beside the true ones
    domain FID      the Frechet distance (fid.py) between the classifier's penultimate features
                    of the samples and of real faces: FID with a network that knows these faces

and the same figures for held-out real faces, the ceiling: a perfect generator scores
like them (its KL is the classifier's and the sample's error, its domain FID against
another set of real faces is the floor).
"""

from dataclasses import dataclass

import numpy as np
from tqdm import tqdm

from ..data.face_attributes import ATTRIBUTES, VALUE_PROBABILITIES, mode_index, mode_probabilities, num_modes
from ..models.face_classifier import load_face_classifier, predict
from ..nn import Module
from .features import FeatureExtractor, inception_features
from .fid import fid_from_statistics
from .sources import HELD_OUT_SEED, SyntheticSource
from .statistics import FeatureStatistics

CONFIDENCE = 0.9  # a sample counts towards "modes covered" when each attribute's top probability is at least this
CEILING_SEED = HELD_OUT_SEED + 1  # the held-out real faces that score the ceiling: others than the reference's


class FaceNetwork(Module):
    """The face classifier as a feature network: images (N, 3, S, S) in [0, 1] -> (features (N, 128),
    logits (N, 21)), the interface of nanogan/metrics/features.py."""

    def __init__(self, classifier):
        super().__init__()
        self.classifier = classifier
        self.image_size = classifier.image_size

    def forward(self, images):
        features = self.classifier.body(images * 2 - 1)  # [0, 1] -> [-1, 1], as the classifier was trained
        return features, self.classifier.head(features)


def face_extractor(image_size, backend="numpy"):
    """The trained face classifier for `image_size` as a FeatureExtractor."""
    return FeatureExtractor(FaceNetwork(load_face_classifier(image_size, backend)), f"face-classifier-{image_size}")


@dataclass
class FaceSide:
    """What the face benchmark needs from one side: feature statistics, and each image's attributes."""

    statistics: FeatureStatistics  # of the classifier's penultimate features: domain FID
    labels: np.ndarray  # (N, 5) each attribute's most likely value
    confidences: np.ndarray  # (N, 5) its probability
    description: str

    @property
    def count(self):
        """How many images the side holds."""
        return len(self.labels)


def measure_faces(source, extractor, count, batch_size=50, progress=True, label="images"):
    """Stream min(count, source.available) images of `source` through the face network: a FaceSide."""
    count = min(count, source.available)
    statistics, labels, confidences = FeatureStatistics(extractor.model.classifier.num_features), [], []
    with tqdm(total=count, desc=f"{label}: face attributes", unit="img", disable=not progress,
              dynamic_ncols=True) as bar:
        for images in source.batches(count, batch_size):
            features, logits = inception_features(images, extractor.model)
            statistics.update(features)
            batch_labels, batch_confidences = predict(logits.astype(np.float64))
            labels.append(batch_labels)
            confidences.append(batch_confidences)
            bar.update(len(images))
    return FaceSide(statistics, np.concatenate(labels), np.concatenate(confidences), source.description)


def modes_covered(side, confidence=CONFIDENCE):
    """How many modes hold at least one sample whose every attribute is predicted with `confidence`."""
    sure = (side.confidences >= confidence).all(axis=1)
    return int(len(np.unique(mode_index(side.labels[sure])))) if sure.any() else 0


def mode_kl(side):
    """KL(q || p) of the side's mode histogram q against the true mode distribution p, in nats."""
    q = np.bincount(mode_index(side.labels), minlength=num_modes()) / side.count
    p = mode_probabilities()
    present = q > 0  # 0 log 0 = 0; every p_m > 0
    return float(np.sum(q[present] * np.log(q[present] / p[present])))


def marginals(side):
    """{attribute: the share of each value among the side's images}, in ATTRIBUTES' order."""
    return {name: (np.bincount(side.labels[:, column], minlength=len(values)) / side.count).tolist()
            for column, (name, values) in enumerate(ATTRIBUTES.items())}


def face_figures(side, reference):
    """The figures of `side` (fakes or held-out reals): modes covered, KL, marginals, and its domain FID
    against `reference`, a FaceSide of real faces other than the side's."""
    return {"modes_covered": modes_covered(side), "modes": num_modes(), "kl": mode_kl(side),
            "domain_fid": fid_from_statistics(reference.statistics, side.statistics),
            "confident_share": float((side.confidences >= CONFIDENCE).all(axis=1).mean()),
            "marginals": marginals(side), "count": side.count}


def real_faces(image_size, extractor, count, batch_size=50, progress=True):
    """The benchmark's real sides: (the reference FaceSide that every side is measured against, the figures
    of other held-out real faces against it: the ceiling)."""
    reference = measure_faces(SyntheticSource(image_size), extractor, count, batch_size, progress, label="real")
    held_out = measure_faces(SyntheticSource(image_size, seed=CEILING_SEED), extractor, count, batch_size, progress,
                             label="real, the ceiling")
    return reference, face_figures(held_out, reference)


def true_marginals():
    """{attribute: the true probability of each value}, as `marginals` gives the observed ones."""
    return {name: list(probabilities) for name, probabilities in VALUE_PROBABILITIES.items()}


def face_summary(fake, real):
    """One line: the fakes' figures, with the held-out reals' in brackets."""
    return (f"modes covered {fake['modes_covered']}/{fake['modes']} (real {real['modes_covered']})  "
            f"KL {fake['kl']:.3f} (real {real['kl']:.3f})  domain FID {fake['domain_fid']:.3f} "
            f"(real {real['domain_fid']:.3f})  ({fake['count']:,} fake, {real['count']:,} real)")
