"""Merge what scripts/gpu_check.sh left in its results folder into one file, gpu_check.json.

    python scripts/gpu_check_summary.py results/gpu_check

Reads stages.tsv (one line per stage: name, exit code, seconds, log file),
environment.json, smoke.json, the pytest JUnit reports (*.xml) and
bench_dcgan.json, bench_dcgan_tf32.json, profile.json, step_time.json and training_run/metrics.jsonl,
whichever exist; prints one line per stage.
"""

import datetime
import json
import pathlib
import re
import sys
import xml.etree.ElementTree as ElementTree

TIMEOUT_EXIT_CODES = {"124", "137"}  # timeout(1): the limit ran out; 137 after --kill-after
CUPY_PARAMETER = re.compile(r"[\[-]cupy[\]-]")  # test ids such as test_x[cupy] or test_y[cupy-train]
GPU_ONLY_MODULE = "test_cuda_kernels"  # its tests take the `cupy` fixture, not a backend parameter
LOG_TAIL_LINES = 40  # of a stage that did not pass, kept in gpu_check.json


def stage_status(exit_code):
    if exit_code == "absent":
        return "not run (file missing)"
    if exit_code == "skipped":
        return "skipped (out of time)"
    if exit_code == "0":
        return "passed"
    return "timed out" if exit_code in TIMEOUT_EXIT_CODES else "failed"


def read_json(path):
    return json.loads(path.read_text()) if path.exists() else None


def read_jsonl(path):
    """The records of a JSON-lines file (the training run's metrics log), or None."""
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()] if path.exists() else None


def junit_summary(path):
    """Counts and failing test ids of a pytest --junitxml report."""
    if not path.exists():
        return None
    root = ElementTree.parse(path).getroot()
    cases = list(root.iter("testcase"))

    def outcome(case):
        for tag in ("failure", "error", "skipped"):
            if case.find(tag) is not None:
                return tag
        return "passed"

    outcomes = [(f"{case.get('classname')}::{case.get('name')}", outcome(case)) for case in cases]
    counts = {tag: sum(1 for _, result in outcomes if result == tag)
              for tag in ("passed", "failure", "error", "skipped")}
    return {
        "tests": len(cases), **counts,
        "cupy_tests_run": sum(1 for name, result in outcomes if result != "skipped"
                              and (CUPY_PARAMETER.search(name) or name.split("::")[0].endswith(GPU_ONLY_MODULE))),
        "not_passed": [f"{name} ({result})" for name, result in outcomes if result in ("failure", "error")],
    }


def main(results_dir):
    results = pathlib.Path(results_dir)
    stages = []
    for line in (results / "stages.tsv").read_text().splitlines():
        name, exit_code, seconds, log = line.split("\t")
        stage = {"name": name, "status": stage_status(exit_code), "exit_code": exit_code,
                 "seconds": int(seconds), "log": log}
        if exit_code not in ("0", "absent") and (results / log).exists():
            stage["log_tail"] = (results / log).read_text(errors="replace").splitlines()[-LOG_TAIL_LINES:]
        stages.append(stage)
    summary = {
        "check": "nanogan GPU check (scripts/gpu_check.sh)",
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "passed": bool(stages) and all(stage["exit_code"] in ("0", "absent") for stage in stages),
        "environment": read_json(results / "environment.json"),
        "stages": stages,
        "tests": {path.stem: junit_summary(path) for path in sorted(results.glob("*.xml"))},
        "smoke": read_json(results / "smoke.json"),
        "benchmark": read_json(results / "bench_dcgan.json"),
        "benchmark_tf32": read_json(results / "bench_dcgan_tf32.json"),
        "profile": read_json(results / "profile.json"),
        "step_time": read_json(results / "step_time.json"),
        "training": read_jsonl(results / "training_run" / "metrics.jsonl"),
    }
    (results / "gpu_check.json").write_text(json.dumps(summary, indent=2) + "\n")
    for stage in stages:
        print(f"  {stage['name']:<10} {stage['status']:<22} {stage['seconds']:>4} s   {results / stage['log']}")
    for name, tests in summary["tests"].items():
        if tests:
            print(f"  {name}: {tests['passed']} passed, {tests['failure']} failed, {tests['error']} errors, "
                  f"{tests['skipped']} skipped, {tests['cupy_tests_run']} ran on cupy")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
