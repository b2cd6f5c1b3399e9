"""FID and KID while a DCGAN trains (--eval-every N --eval-n M): every N steps, M samples of the
generator against M training images, through the feature network; the figures go into
metrics.jsonl next to the losses and into the curves (losses.png). With --eval-features faces,
the face benchmark's figures instead (nanogan/metrics/faces.py): modes covered, KL and domain FID.

The real side is measured once, before the first step, and cached (nanogan/metrics/sides.py),
so a resumed run or a second run on the same data starts at once. The samples come from the
same noise at every evaluation, so that the curve shows the generator change, not the noise.
"""

from ..metrics import ArraySource, GeneratorSource, SyntheticSource, compare, measure_side, real_side
from ..metrics.faces import face_figures, measure_faces
from ..metrics.kid import SUBSET_SIZE

NOISE_STREAM = 3  # the evaluation noise is default_rng([seed, 3]); the trainer uses streams 1 and 2


class PeriodicEvaluation:
    """What both evaluations share: they run every `every` steps, and at the last."""

    every = None

    def due(self, step, last=False):
        """Whether to evaluate at `step`: every `every` steps, and at the last."""
        return step % self.every == 0 or last


class TrainingEvaluation(PeriodicEvaluation):
    """FID and KID of the generator's samples against the first `count` training images."""

    def __init__(self, extractor, dataset, every, count, cache_dir, seed=0, batch_size=50, progress=True):
        """dataset: a nanogan.data.Dataset (its uint8 images, where they came from)."""
        self.extractor, self.every, self.batch_size = extractor, every, batch_size
        self.count = min(count, len(dataset))
        self.noise_seed = [seed, NOISE_STREAM]
        source = ArraySource(dataset.images, fingerprint=dataset.cache_path or dataset.source,
                             description=f"{dataset.name} ({dataset.source})")
        self.real, self.cache_file = real_side(source, extractor, self.count, cache_dir, batch_size, progress)
        self.kid_subset_size = min(SUBSET_SIZE, self.count)  # KID's subsets of 1,000, or all M when M is smaller

    def measure(self, generator):
        """{"fid", "kid", "kid_std"} of `count` samples of `generator` (in eval mode)."""
        samples = GeneratorSource(generator, self.noise_seed)
        fake = measure_side(samples, self.extractor, self.count, self.batch_size, progress=False)
        figures = compare(self.real, fake, ("fid", "kid"), kid_subset_size=self.kid_subset_size)
        return {"fid": figures["fid"], "kid": figures["kid"]["mean"], "kid_std": figures["kid"]["std"]}


class FaceEvaluation(PeriodicEvaluation):
    """The face benchmark of the generator's samples: modes covered, KL and domain FID against `count`
    held-out synthetic faces (the real side, measured once)."""

    def __init__(self, extractor, image_size, every, count, seed=0, batch_size=50, progress=True):
        self.extractor, self.every, self.count, self.batch_size = extractor, every, count, batch_size
        self.noise_seed = [seed, NOISE_STREAM]
        self.real = measure_faces(SyntheticSource(image_size), extractor, count, batch_size, progress, label="real")

    def measure(self, generator):
        """{"modes_covered", "kl", "domain_fid"} of `count` samples of `generator` (in eval mode)."""
        fake = measure_faces(GeneratorSource(generator, self.noise_seed), self.extractor, self.count, self.batch_size,
                             progress=False)
        figures = face_figures(fake, self.real)
        return {name: figures[name] for name in ("modes_covered", "kl", "domain_fid")}
