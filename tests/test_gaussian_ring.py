"""The ring of 8 Gaussians (Metz et al.), its coverage metrics, and examples/gaussian_ring.py."""

import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest

from nanogan.toy.data import GaussianRing
from nanogan.toy.ring_training import format_ring_report, train_gaussian_ring

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLE = os.path.join(ROOT, "examples", "gaussian_ring.py")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_ring_centres_are_evenly_spaced_on_the_circle():
    ring = GaussianRing()
    np.testing.assert_allclose(np.linalg.norm(ring.centres, axis=1), 2.0)
    angles = np.sort(np.arctan2(ring.centres[:, 1], ring.centres[:, 0]) % (2 * np.pi))
    np.testing.assert_allclose(np.diff(angles), 2 * np.pi / 8)


def test_real_samples_cover_every_mode_and_are_high_quality_at_the_gaussian_rate():
    ring = GaussianRing()
    n = 40_000
    coverage = ring.coverage(ring.sample(np.random.default_rng(0), n))
    assert coverage.modes_covered == 8
    # |noise| / std is chi-distributed with 2 degrees of freedom: P(< 3) = 1 - exp(-9/2)
    expected = 1 - math.exp(-4.5)
    assert abs(coverage.high_quality_share - expected) < 4 * math.sqrt(expected * (1 - expected) / n)
    np.testing.assert_allclose(coverage.mode_shares, expected / 8, atol=0.01)
    np.testing.assert_allclose(coverage.nearest_shares, 1 / 8, atol=0.01)


def test_a_generator_collapsed_on_one_mode_covers_one():
    ring = GaussianRing()
    samples = ring.centres[3] + ring.std * np.random.default_rng(1).standard_normal((500, 2))
    coverage = ring.coverage(samples)
    assert coverage.modes_covered == 1
    assert coverage.mode_shares[3] > 0.95 and sum(coverage.mode_shares) == coverage.mode_shares[3]
    assert coverage.nearest_shares[3] == 1.0


def test_a_wide_blob_next_to_one_mode_is_collapsed_but_low_quality():
    # what a collapsed GAN often makes: every sample nearest to one mode, few within 3 std of it
    ring = GaussianRing()
    samples = ring.centres[5] + 0.3 * np.random.default_rng(2).standard_normal((2000, 2))
    coverage = ring.coverage(samples)
    assert coverage.nearest_shares[5] > 0.95
    assert coverage.high_quality_share < 0.05


def test_a_mode_needs_one_percent_of_the_samples_within_three_std():
    ring = GaussianRing()
    far = np.zeros((981, 2))  # the origin is 2 away from every centre: no mode
    samples = np.concatenate([far, np.repeat(ring.centres[:1], 10, axis=0), np.repeat(ring.centres[1:2], 9, axis=0)])
    coverage = ring.coverage(samples)  # 10/1000 at mode 0 counts, 9/1000 at mode 1 does not
    assert coverage.modes_covered == 1
    assert coverage.high_quality_share == pytest.approx(19 / 1000)


def test_near_means_within_three_standard_deviations():
    ring = GaussianRing()
    direction = np.array([0.6, 0.8])
    inside = ring.centres[0] + 2.9 * ring.std * direction
    outside = ring.centres[0] + 3.1 * ring.std * direction
    assert ring.coverage(inside[None]).high_quality_share == 1.0
    assert ring.coverage(outside[None]).high_quality_share == 0.0


def test_a_short_run_works_on_every_backend(backend, tmp_path):
    summary = train_gaussian_ring(str(tmp_path), steps=3, backend=backend, log=lambda line: None)
    assert summary["backend"] == backend and len(summary["history"]) == 3
    assert sorted(os.listdir(tmp_path)) == ["coverage.png", "losses.png", "samples.png", "summary.json"]


def run_example(*arguments):
    return subprocess.run([sys.executable, EXAMPLE, *arguments], capture_output=True, text=True, timeout=300,
                          cwd=ROOT, env={**os.environ, "MPLBACKEND": "Agg"})


def test_the_example_writes_every_promised_file_and_reports_coverage(tmp_path):
    out = tmp_path / "ring"
    result = run_example("--steps", "30", "--seed", "2", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert sorted(os.listdir(out)) == ["coverage.png", "losses.png", "samples.png", "summary.json"]
    for name in ("coverage.png", "losses.png", "samples.png"):
        assert (out / name).read_bytes().startswith(PNG_SIGNATURE)
    summary = json.loads((out / "summary.json").read_text())
    assert {"modes_covered", "high_quality_share", "mode_shares", "steps", "seed", "backend"} <= set(summary)
    assert (summary["steps"], summary["seed"], summary["backend"]) == (30, 2, "numpy")
    assert 0 <= summary["modes_covered"] <= 8 and len(summary["mode_shares"]) == 8
    assert format_ring_report(summary) in result.stdout


@pytest.mark.parametrize("arguments, message", [
    (["--steps", "-1"], "argument --steps: expected a positive integer, got -1"),
    (["--lr", "-0.1"], "argument --lr: expected a positive number, got -0.1"),
])
def test_bad_arguments_exit_with_code_2_and_say_why(arguments, message, tmp_path):
    result = run_example(*arguments, "--out", str(tmp_path))
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
