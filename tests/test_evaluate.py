"""The evaluation command (examples/evaluate.py, nanogan/dcgan/evaluate.py) and evaluation during DCGAN training
(--eval-every), end to end with the stand-in feature network of tests/feature_standin.py: the JSON and the
summary line, the real-statistics cache, a checkpoint equal to its saved samples, every bad input (one line,
exit code 2), and the FID/KID records in metrics.jsonl."""

import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from feature_standin import stand_in_extractor
from nanogan.data import synthetic_faces
from nanogan.dcgan import cli as dcgan_cli
from nanogan.dcgan.evaluate import main
from nanogan.dcgan.trainer import DCGANConfig, DCGANTrainer, load_models
from nanogan.metrics import (FeatureStatistics, GeneratorSource, SyntheticSource, measure_side)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SMALL = ["--n", "40", "--kid-subset-size", "20", "--no-progress"]


def run(argv, extractor=None):
    """main(argv) -> exit code, with SystemExit (argparse, cli.fail) turned into its code."""
    try:
        return main([str(arg) for arg in argv], extractor=extractor or stand_in_extractor())
    except SystemExit as exit_info:
        return exit_info.code


def save_pngs(images, folder):
    """uint8 (N, 3, S, S) -> folder/000.png ..."""
    os.makedirs(folder, exist_ok=True)
    for index, image in enumerate(images):
        Image.fromarray(image.transpose(1, 2, 0)).save(os.path.join(folder, f"{index:03d}.png"))
    return folder


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    """A DCGAN of 16x16 images after two steps on synthetic faces."""
    trainer = DCGANTrainer(DCGANConfig(image_size=16, nz=8, ngf=4, ndf=4, batch_size=8), synthetic_faces(32, 16, 0))
    for _ in range(2):
        trainer.train_step()
    return str(trainer.save(tmp_path_factory.mktemp("run") / "checkpoint.npz"))


def result_and_summary(capsys):
    lines = capsys.readouterr().out.strip().splitlines()
    return json.loads("\n".join(lines[:-1])), lines[-1]


def test_a_checkpoint_against_synthetic_faces_gives_every_metric_as_json_and_one_summary_line(checkpoint, tmp_path,
                                                                                              capsys):
    code = run(["--real", "synthetic", "--fake", checkpoint, "--metrics", "fid,kid,is,pr,ms-ssim,d-acc",
                "--cache-dir", tmp_path, *SMALL])
    assert code == 0
    result, summary = result_and_summary(capsys)
    figures = result["metrics"]
    assert figures["fid"] > 0 and figures["kid"]["subset_size"] == 20
    assert 1.0 <= figures["inception_score"]["fake"][0] and figures["inception_score"]["real"] is not None
    assert 0 <= figures["precision_recall"]["precision"] <= 1 and 0 <= figures["ms_ssim"]["fake"] <= 1
    assert set(figures["d_accuracy"]) == {"real", "fake"}
    assert result["real"]["count"] == result["fake"]["count"] == 40 and result["network"] == "stand-in"
    assert summary.startswith(f"FID {figures['fid']:.3f}  KID ") and summary.endswith("(40 fake, 40 real)")
    assert "D accuracy real" in summary


def test_the_second_evaluation_reads_the_real_statistics_from_the_cache(checkpoint, tmp_path, capsys):
    extractor = stand_in_extractor()
    measured = []
    forward = extractor.model.forward
    extractor.model.forward = lambda images: measured.append(len(images)) or forward(images)
    arguments = ["--real", "synthetic", "--fake", checkpoint, "--cache-dir", tmp_path, *SMALL]
    assert run(arguments, extractor) == 0
    first, _ = result_and_summary(capsys)
    assert sum(measured) == 80  # 40 real and 40 fake images
    assert run(arguments, extractor) == 0
    second, _ = result_and_summary(capsys)
    assert sum(measured) == 120  # only the 40 fake ones
    assert second == first
    cached = first["real"]["statistics_file"]
    assert os.path.dirname(cached) == str(tmp_path) and os.path.basename(cached).startswith("real-stand-in-16px-40-")


def test_a_checkpoint_and_a_folder_of_its_samples_saved_as_png_give_the_same_numbers(checkpoint, tmp_path, capsys):
    generator, _, _ = load_models(checkpoint)
    samples = np.concatenate(list(GeneratorSource(generator, seed=0).batches(40, 50)))
    folder = save_pngs(samples, tmp_path / "samples")
    results = []
    for fake in (checkpoint, folder):
        assert run(["--real", "synthetic", "--fake", fake, "--cache-dir", tmp_path, *SMALL]) == 0
        results.append(result_and_summary(capsys)[0]["metrics"])
    assert results[0] == results[1]


def test_the_result_goes_to_a_json_file_when_asked(checkpoint, tmp_path, capsys):
    path = tmp_path / "result.json"
    assert run(["--real", "synthetic", "--fake", checkpoint, "--metrics", "fid", "--json", path,
                "--cache-dir", tmp_path, *SMALL]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith("FID ")
    assert json.loads(path.read_text())["metrics"]["fid"] > 0


def test_a_real_side_from_a_statistics_file_gives_the_fid_of_the_images(checkpoint, tmp_path, capsys):
    assert run(["--real", "synthetic", "--fake", checkpoint, "--metrics", "fid", "--cache-dir", tmp_path,
                *SMALL]) == 0
    from_images, _ = result_and_summary(capsys)
    statistics_only = tmp_path / "statistics.npz"
    FeatureStatistics.load(from_images["real"]["statistics_file"]).save(statistics_only)
    assert run(["--real", statistics_only, "--fake", checkpoint, "--metrics", "fid", *SMALL]) == 0
    from_file, summary = result_and_summary(capsys)
    assert from_file["metrics"]["fid"] == from_images["metrics"]["fid"]


def test_measuring_on_the_strict_backend_gives_the_numpy_statistics(checkpoint, backend):
    generator, _, _ = load_models(checkpoint, backend=backend)
    side = measure_side(GeneratorSource(generator), stand_in_extractor(backend), 30, batch_size=7, progress=False)
    reference = measure_side(GeneratorSource(load_models(checkpoint)[0]), stand_in_extractor(), 30, progress=False)
    assert side.count == 30 and side.image_size == 16
    np.testing.assert_allclose(side.statistics.mean, reference.statistics.mean, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(side.pool, reference.pool, rtol=1e-4, atol=1e-5)


def bad_inputs(root, checkpoint):
    """{case: (--real, --fake, other options)} of evaluations that cannot run."""
    rng = np.random.default_rng(0)
    save_pngs(rng.integers(0, 256, (3, 3, 16, 16), dtype=np.uint8), root / "unreadable")
    (root / "unreadable" / "001.png").write_bytes(b"\x89PNG truncated")
    save_pngs(rng.integers(0, 256, (2, 3, 16, 16), dtype=np.uint8), root / "mixed")
    Image.fromarray(np.zeros((32, 32, 3), np.uint8)).save(root / "mixed" / "002.png")
    os.makedirs(root / "oblong")
    Image.fromarray(np.zeros((16, 24, 3), np.uint8)).save(root / "oblong" / "000.png")
    statistics = FeatureStatistics.from_features(rng.standard_normal((20, 16)))
    statistics.save(root / "plain.npz")
    figures = {"extractor": "another-network", "image_size": 16, "description": "elsewhere"}
    statistics.save(root / "other_network.npz", pool=np.zeros((20, 16)), side=np.array(json.dumps(figures)))
    statistics.save(root / "other_size.npz", pool=np.zeros((20, 16)),
                    side=np.array(json.dumps({**figures, "extractor": "stand-in", "image_size": 64})))
    (root / "damaged.npz").write_bytes(b"PK\x03\x04 cut short")
    faces = save_pngs(synthetic_faces(4, 16, 5), root / "faces")
    subsets = ["--kid-subset-size", "20"]
    return {
        "missing folder": ("synthetic", root / "nowhere", subsets),
        "unreadable image": ("synthetic", root / "unreadable", subsets),
        "mixed sizes": ("synthetic", root / "mixed", subsets),
        "oblong image": ("synthetic", root / "oblong", subsets),
        "too few for KID": ("synthetic", checkpoint, ["--metrics", "kid"]),
        "statistics without features": (root / "plain.npz", checkpoint, ["--metrics", "fid,kid", *subsets]),
        "statistics of another network": (root / "other_network.npz", checkpoint, subsets),
        "statistics of another size": (root / "other_size.npz", checkpoint, subsets),
        "damaged statistics": (root / "damaged.npz", checkpoint, subsets),
        "d-acc without a checkpoint": ("synthetic", faces, ["--metrics", "d-acc"]),
        "damaged checkpoint": ("synthetic", root / "damaged.npz", subsets),
        "unknown metric": ("synthetic", checkpoint, ["--metrics", "fid,psnr"]),
    }


@pytest.mark.parametrize("case, message", [
    ("missing folder", "--fake .* does not exist"),
    ("unreadable image", "cannot read the image 001.png"),
    ("mixed sizes", "002.png .* is 32x32, the first image 16x16; the images of one side must all have the same size"),
    ("oblong image", "is 24x16; expected square images"),
    ("too few for KID", "KID draws subsets of 1000 features from each side, but got 40 real and 40 fake"),
    ("statistics without features", "kid need the real features"),
    ("statistics of another network", "measured with the network 'another-network'"),
    ("statistics of another size", "the real statistics are of 64x64 images and the fake images are 16x16"),
    ("damaged statistics", "cannot read .* as an .npz file of statistics"),
    ("d-acc without a checkpoint", "d-acc needs a DCGAN checkpoint"),
    ("damaged checkpoint", "cannot read checkpoint"),
    ("unknown metric", "expected metrics from fid,kid,is,pr,ms-ssim,d-acc, got 'fid,psnr'"),
])
def test_bad_input_exits_2_with_one_line(checkpoint, tmp_path, capsys, case, message):
    real, fake, options = bad_inputs(tmp_path, checkpoint)[case]
    code = run(["--real", real, "--fake", fake, "--n", "40", "--cache-dir", tmp_path, "--no-progress", *options])
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len([line for line in err if line.startswith(("error:", "evaluate.py: error:"))]) == 1
    assert any(re.search(message, line) for line in err), err


def test_missing_inception_weights_exit_2_with_where_to_get_them(checkpoint, tmp_path, capsys):
    pytest.importorskip("nanogan.models.inception")
    code = main_without_extractor(["--real", "synthetic", "--fake", checkpoint, "--inception-weights",
                                   tmp_path / "missing.pth", *SMALL])
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error:") and "6726825d" in err[0]


def main_without_extractor(argv):
    try:
        return main([str(arg) for arg in argv])
    except SystemExit as exit_info:
        return exit_info.code


def test_dcgan_training_with_eval_every_logs_fid_and_kid_and_plots_them(tmp_path):
    out = tmp_path / "run"
    argv = ["--data", "synthetic", "--limit", "48", "--image-size", "16", "--nz", "8", "--ngf", "4", "--ndf", "4",
            "--batch-size", "8", "--max-steps", "3", "--log-every", "10", "--eval-every", "2", "--eval-n", "24",
            "--cache-dir", str(tmp_path / "cache"), "--no-progress", "--out", str(out)]
    assert dcgan_cli.main(argv, extractor=stand_in_extractor()) == 0
    records = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    evaluated = [record for record in records if "fid" in record]
    assert [record["step"] for record in evaluated] == [2, 3]  # every 2 steps, and at the end
    assert all(record["fid"] > 0 and "kid" in record and record["kid_std"] >= 0 for record in evaluated)
    assert (out / "losses.png").exists()
    assert [name.startswith("real-stand-in-16px-24-") for name in os.listdir(tmp_path / "cache")] == [True]


def test_eval_n_below_two_exits_2(tmp_path, capsys):
    argv = ["--data", "synthetic", "--limit", "16", "--image-size", "16", "--ngf", "4", "--ndf", "4",
            "--batch-size", "8", "--max-steps", "1", "--eval-every", "1", "--eval-n", "1", "--no-progress",
            "--out", str(tmp_path / "run")]
    with pytest.raises(SystemExit) as exit_info:
        dcgan_cli.main(argv, extractor=stand_in_extractor())
    assert exit_info.value.code == 2
    assert "--eval-n must be at least 2" in capsys.readouterr().err


def test_the_synthetic_real_side_is_held_out_from_the_training_faces():
    drawn = np.concatenate(list(SyntheticSource(16).batches(5, 2)))
    assert drawn.shape == (5, 3, 16, 16)
    assert not np.array_equal(drawn, synthetic_faces(5, 16, seed=0))  # the built-in training set


def test_the_example_runs_as_a_program():
    result = subprocess.run([sys.executable, os.path.join(REPO, "examples", "evaluate.py"), "--help"],
                            capture_output=True, text=True, env={**os.environ, "PYTHONPATH": REPO}, timeout=120)
    assert result.returncode == 0 and "--real" in result.stdout and "--fake" in result.stdout
