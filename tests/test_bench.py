"""The benchmarks run end to end on tiny sizes and write what they promise.

Speed is never asserted here (the machine is shared); only that the script
works, that its JSON has every figure, and that both frameworks train the
same models on the same data."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from nanogan.backend import is_available

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_dcgan.py"
TINY = ["--image-size", "16", "--batch-size", "4", "--iters", "2", "--warmup", "1", "--threads", "1"]


def run_benchmark(tmp_path, *options):
    out = tmp_path / "result.json"
    result = subprocess.run([sys.executable, str(SCRIPT), *TINY, *options, "--json", str(out)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return json.loads(out.read_text()), result.stdout


def test_nanogan_alone_reports_speed_memory_and_flops(tmp_path):
    results, stdout = run_benchmark(tmp_path, "--no-torch")
    row = results["frameworks"]["nanogan"]
    assert len(row["seconds_per_iter"]) == 2
    assert row["images_per_second"] > 0 and row["gflops"] > 0
    assert row["peak_rss_mb"] >= row["baseline_rss_mb"] > 0
    assert results["flops_per_image"] < results["flops_per_image_tutorial_loop"]
    assert "torch" not in results["frameworks"] and "speed_ratio" not in results
    assert "images/s" in stdout


def test_the_flop_count_of_a_64x64_iteration_is_the_issues_2_48_gflop_for_the_tutorials_loop():
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        import dcgan_workload
    finally:
        sys.path.remove(str(SCRIPT.parent))
    assert dcgan_workload.iteration_flops(64, tutorial=True) / 1e9 == pytest.approx(2.48, abs=0.005)
    assert dcgan_workload.iteration_flops(64) / 1e9 == pytest.approx(2.27, abs=0.005)


def test_pytorch_side_trains_the_same_models_on_the_same_batches(tmp_path):
    pytest.importorskip("torch")
    results, stdout = run_benchmark(tmp_path)
    nanogan_losses = results["frameworks"]["nanogan"]["first_step_losses"]
    torch_losses = results["frameworks"]["torch"]["first_step_losses"]
    assert nanogan_losses == pytest.approx(torch_losses, rel=1e-4)
    assert len(results["speed_ratio"]["per_pair"]) == 2
    assert "speed nanogan/PyTorch" in stdout


def test_profile_breaks_an_iteration_down_per_layer_and_pass(tmp_path):
    results, stdout = run_benchmark(tmp_path, "--profile")
    passes = {(row["layer"], row["pass"]) for row in results["rows"]}
    assert {("D.main.0", "forward"), ("D.main.0", "input_grad"), ("D.main.0", "weight_grad"),
            ("G.main.1", "forward"), ("G optimizer", "update")} <= passes
    assert sum(row["share"] for row in results["rows"]) == pytest.approx(1.0)
    assert "per pass:" in stdout


def test_a_worker_that_dies_stops_the_run_with_an_error_instead_of_hanging(tmp_path):
    # image size 24 is rejected inside the worker, by the DCGAN model: the worker exits before it answers.
    result = subprocess.run([sys.executable, str(SCRIPT), *TINY, "--image-size", "24", "--no-torch"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "benchmark worker exited with code 1" in result.stderr
    assert "power of two" in result.stderr  # the worker's own traceback is shown too


def test_bench_threads_compares_one_thread_with_several():
    script = SCRIPT.with_name("bench_threads.py")
    result = subprocess.run([sys.executable, str(script), "--image-size", "16", "--batch-size", "4", "--rounds", "2"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "nanogan threads 1:" in result.stdout and "speed-up per pair: median" in result.stdout
    refused = subprocess.run([sys.executable, str(script), "--threads", "1"], capture_output=True, text=True)
    assert refused.returncode == 2 and "--threads >= 2" in refused.stderr


def test_gpu_step_time_splits_a_step_into_host_and_gpu_time_or_says_it_needs_a_gpu(tmp_path):
    script, out = SCRIPT.with_name("gpu_step_time.py"), tmp_path / "step.json"
    result = subprocess.run([sys.executable, str(script), "--image-size", "16", "--batch-size", "4", "--iters", "2",
                             "--cprofile", "--json", str(out)], capture_output=True, text=True, timeout=300)
    if not is_available("cupy"):
        assert result.returncode == 2 and 'the "cupy" backend needs' in result.stderr
        return
    assert result.returncode == 0, result.stderr
    figures = json.loads(out.read_text())
    assert figures["host_ms"] > 0 and figures["gpu_ms"] > 0
    assert figures["wall_ms"] >= 0.9 * max(figures["host_ms"], figures["gpu_ms"])  # a step waits for both
    assert "function calls" in result.stdout and "Ordered by: internal time" in result.stdout  # the host profile


def test_ab_commits_times_a_commit_against_the_working_tree_on_the_same_batches(tmp_path):
    out = tmp_path / "ab.json"
    result = subprocess.run([sys.executable, str(SCRIPT.with_name("ab_commits.py")), "--old", "HEAD",
                             "--image-size", "16", "--batch-size", "4", "--iters", "2", "--warmup", "1",
                             "--threads", "1", "--json", str(out)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    results = json.loads(out.read_text())
    old, new = results["sides"]["old"], results["sides"]["new"]
    assert len(old["seconds_per_iter"]) == len(new["seconds_per_iter"]) == 2
    assert old["nanogan"] != new["nanogan"]  # each side imported its own tree's nanogan
    assert old["first_losses"] == pytest.approx(new["first_losses"], rel=1e-5)
    assert "speed new/old per pair: median" in result.stdout
