"""The face benchmark's figures (nanogan/metrics/faces.py): modes covered, KL, marginals and domain FID, on
labels whose answers are known, and through the evaluation command and the training loop with a stand-in
classifier (the trained one is tested in tests/test_face_classifier.py)."""

import json

import numpy as np
import pytest

import nanogan
from nanogan.data.face_attributes import ATTRIBUTES, mode_index, mode_probabilities
from nanogan.dcgan import evaluate as evaluate_program
from nanogan.metrics import FeatureExtractor, FeatureStatistics
from nanogan.metrics.faces import (FaceNetwork, FaceSide, face_figures, marginals, measure_faces, mode_kl,
                                   modes_covered)
from nanogan.metrics.sources import SyntheticSource
from nanogan.models.face_classifier import FaceAttributeClassifier


def side_of(labels, confidences=None, features=None):
    labels = np.asarray(labels)
    statistics = FeatureStatistics(2).update(np.random.default_rng(0).standard_normal((len(labels), 2))
                                             if features is None else features)
    confidences = np.ones(labels.shape) if confidences is None else np.asarray(confidences)
    return FaceSide(statistics, labels, confidences, "test")


def standin_extractor(image_size=16):
    nanogan.manual_seed(0)
    return FeatureExtractor(FaceNetwork(FaceAttributeClassifier(image_size, width=4, features=8)), "stand-in")


def test_one_mode_only_covers_one_mode_and_its_kl_is_minus_the_log_of_its_probability():
    labels = np.tile([3, 0, 1, 0, 0], (50, 1))  # short brown hair, eyes open, glasses, mouth closed, no moustache
    side = side_of(labels)
    assert modes_covered(side) == 1
    assert mode_kl(side) == pytest.approx(-np.log(mode_probabilities()[mode_index(labels[:1])[0]]))


def test_unsure_samples_cover_no_mode_but_still_count_in_the_kl():
    labels = np.array([[0, 0, 0, 0, 0], [1, 0, 0, 0, 0]])
    side = side_of(labels, confidences=[[1.0] * 5, [1.0, 1.0, 0.5, 1.0, 1.0]])
    assert modes_covered(side) == 1
    q = np.array([0.5, 0.5])
    p = mode_probabilities()[mode_index(labels)]
    assert mode_kl(side) == pytest.approx(np.sum(q * np.log(q / p)))


def test_labels_drawn_from_the_true_distribution_have_a_small_kl_and_true_marginals():
    _, labels = nanogan.data.synthetic_faces(3000, 4, seed=5, with_attributes=True)
    side = side_of(labels)
    assert mode_kl(side) < 0.1  # sampling noise of 3,000 draws over 208 modes
    assert modes_covered(side) > 120
    shares = marginals(side)
    assert list(shares) == list(ATTRIBUTES) and shares["eyes"][1] == pytest.approx(0.1, abs=0.02)


def test_the_domain_fid_of_a_side_against_itself_is_zero_and_grows_with_a_shift():
    rng = np.random.default_rng(1)
    features = rng.standard_normal((400, 2))
    labels = np.zeros((400, 5), dtype=np.int64)
    same, shifted = side_of(labels, features=features), side_of(labels, features=features + [3.0, 0.0])
    assert face_figures(same, same)["domain_fid"] == pytest.approx(0.0, abs=1e-9)
    assert face_figures(shifted, same)["domain_fid"] == pytest.approx(9.0, rel=1e-6)


def test_measuring_faces_streams_the_classifier_over_a_source():
    side = measure_faces(SyntheticSource(16), standin_extractor(), 30, batch_size=8, progress=False)
    assert side.labels.shape == (30, 5) and side.confidences.shape == (30, 5) and side.statistics.count == 30
    assert np.all((side.confidences > 0) & (side.confidences <= 1))


def test_the_evaluation_command_runs_the_face_benchmark(tmp_path, capsys):
    from nanogan.dcgan.trainer import DCGANConfig, DCGANTrainer

    trainer = DCGANTrainer(DCGANConfig(image_size=16, nz=8, ngf=4, ndf=4, batch_size=4),
                           nanogan.data.synthetic_faces(8, 16, seed=0))
    checkpoint = trainer.save(str(tmp_path / "checkpoint.npz"))
    out = tmp_path / "faces.json"
    code = evaluate_program.main(["--real", "synthetic", "--fake", checkpoint, "--features", "faces", "--n", "24",
                                  "--batch-size", "8", "--no-progress", "--json", str(out)],
                                 extractor=standin_extractor())
    assert code == 0
    result = json.loads(out.read_text())
    for side in ("fake", "real"):
        assert result["faces"][side]["modes"] == 208 and result["faces"][side]["count"] == 24
    assert "modes covered" in capsys.readouterr().out


def test_the_face_benchmark_needs_the_synthetic_faces_as_the_real_side(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        evaluate_program.main(["--real", str(tmp_path), "--fake", str(tmp_path), "--features", "faces"],
                              extractor=standin_extractor())
    assert exit_info.value.code == 2
    assert "use --real synthetic" in capsys.readouterr().err


def test_training_with_the_face_benchmark_logs_its_figures(tmp_path):
    from nanogan.dcgan.cli import main as train_program

    out = tmp_path / "run"
    code = train_program(["--data", "synthetic", "--limit", "16", "--max-steps", "2", "--image-size", "16", "--nz", "8",
                          "--ngf", "4", "--ndf", "4", "--batch-size", "4", "--eval-every", "1", "--eval-n", "8",
                          "--eval-features", "faces", "--no-progress", "--out", str(out)],
                         extractor=standin_extractor())
    assert code == 0
    records = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    evaluated = [record for record in records if "modes_covered" in record]
    assert [record["step"] for record in evaluated] == [1, 2]
    assert all(0 <= record["modes_covered"] <= 208 and record["kl"] >= 0 and record["domain_fid"] >= 0
               for record in evaluated)
    assert (out / "losses.png").exists()
