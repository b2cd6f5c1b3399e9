"""benchmarks/bench_inception.py runs end to end on a tiny stream and writes what it promises. Speed is never
asserted (the machine is shared); only that both frameworks extract the same features from the same batches."""

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_inception.py"


def test_the_benchmark_times_both_frameworks_on_the_same_features(tmp_path):
    out = tmp_path / "result.json"
    result = subprocess.run([sys.executable, str(SCRIPT), "--image-size", "16", "--batch-size", "2", "--batches", "1",
                             "--warmup", "0", "--threads", "1", "--json", str(out)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    results = json.loads(out.read_text())
    nanogan = results["frameworks"]["nanogan"]
    assert len(nanogan["seconds_per_batch"]) == 1 and nanogan["images_per_second"] > 0
    assert nanogan["features_mb"] == 2 * 2048 * 4 / 2**20  # the stream keeps the features, never the images
    if importlib.util.find_spec("pytorch_fid") is None:
        assert "torch" not in results["frameworks"] and "pytorch-fid is not installed" in result.stdout
        return
    assert results["features_max_relative_difference"] < 1e-4
    assert len(results["speed_ratio"]["per_pair"]) == 1
    assert "speed nanogan/PyTorch per pair" in result.stdout
