"""scripts/gpu_check.sh and its helpers, as far as a machine without a GPU can check them:
GPU time is scarce, so the one-command check must not fail on its own plumbing."""

import importlib.util
import json
import os
import pathlib
import subprocess

import pytest

from nanogan.backend import is_available

SCRIPTS = pathlib.Path(__file__).resolve().parent.parent / "scripts"


def load_script(name):
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_gpu_check_is_an_executable_bash_script_without_syntax_errors():
    script = SCRIPTS / "gpu_check.sh"
    assert os.access(script, os.X_OK)
    subprocess.run(["bash", "-n", str(script)], check=True)


@pytest.mark.skipif(is_available("cupy"), reason="with CuPy and a GPU the script would run the whole check")
def test_without_cupy_the_gpu_check_stops_at_once_and_says_how_to_install_it(tmp_path):
    result = subprocess.run([str(SCRIPTS / "gpu_check.sh"), str(tmp_path)], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2
    assert 'pip install "nanogan[cuda12]"' in result.stdout
    assert "GPU CHECK NOT RUN" in result.stderr
    assert f"results: {tmp_path}/gpu_check.json" in result.stdout
    summary = json.loads((tmp_path / "gpu_check.json").read_text())
    assert summary["passed"] is False
    (environment,) = summary["stages"]
    assert environment["status"] == "failed" and "CuPy is not installed" in "\n".join(environment["log_tail"])


def test_the_smoke_check_trains_and_samples_on_the_strict_backend(tmp_path):
    assert load_script("gpu_smoke").main(["--backend", "strict", "--image-size", "16",
                                              "--json", str(tmp_path / "smoke.json")]) == 0
    result = json.loads((tmp_path / "smoke.json").read_text())
    assert result["passed"] and result["problems"] == []
    assert set(result["losses"]) == {"loss_d", "loss_g", "d_real", "d_fake", "d_fake_after"}


def test_the_summary_merges_every_stage_into_one_file(tmp_path):
    stages = ["smoke\t0\t12\tsmoke.log", "parity\t1\t5\tparity.log", "suite\t124\t200\tsuite.log",
              "benchmark\tabsent\t0\tbenchmark.log", "late\tskipped\t0\tlate.log"]
    (tmp_path / "stages.tsv").write_text("\n".join(stages) + "\n")
    (tmp_path / "parity.log").write_text("collected 7 items\nFAILED test_losses_track[cupy]\n")
    (tmp_path / "smoke.json").write_text(json.dumps({"passed": True}))
    (tmp_path / "parity.xml").write_text(
        '<testsuites><testsuite><testcase classname="tests.test_backend_parity" name="test_a[cupy]">'
        '<failure message="off"/></testcase><testcase classname="tests.test_backend_parity" name="test_a[numpy]"/>'
        '<testcase classname="tests.test_x" name="test_b[cupy]"><skipped/></testcase>'
        '<testcase classname="tests.test_cuda_kernels" name="test_c"/></testsuite></testsuites>')  # a GPU-only test

    load_script("gpu_check_summary").main(tmp_path)
    summary = json.loads((tmp_path / "gpu_check.json").read_text())
    assert summary["passed"] is False
    assert [stage["status"] for stage in summary["stages"]] == [
        "passed", "failed", "timed out", "not run (file missing)", "skipped (out of time)"]
    assert summary["stages"][1]["log_tail"][-1] == "FAILED test_losses_track[cupy]"
    assert summary["tests"]["parity"] == {
        "tests": 4, "passed": 2, "failure": 1, "error": 0, "skipped": 1, "cupy_tests_run": 2,
        "not_passed": ["tests.test_backend_parity::test_a[cupy] (failure)"]}
    assert summary["smoke"] == {"passed": True} and summary["benchmark"] is None
