"""metrics.jsonl across fresh runs, resumed runs and crashes."""

import json

from nanogan.dcgan.metrics_log import MetricsLog


def test_fresh_run_starts_empty_and_appends(tmp_path):
    path = tmp_path / "metrics.jsonl"
    path.write_text('{"step": 99}\n')
    log = MetricsLog(str(path))
    log.append({"step": 1, "loss_d": 1.5})
    assert [json.loads(line) for line in path.read_text().splitlines()] == [{"step": 1, "loss_d": 1.5}]


def test_resumed_run_keeps_records_up_to_the_checkpoint_and_drops_a_torn_last_line(tmp_path):
    path = tmp_path / "metrics.jsonl"
    path.write_text('{"step": 50}\n{"step": 100}\n{"step": 150}\n{"step": 2')
    log = MetricsLog(str(path), resume_step=100)
    assert [record["step"] for record in log.records] == [50, 100]
    log.append({"step": 150})
    assert [json.loads(line)["step"] for line in path.read_text().splitlines()] == [50, 100, 150]
