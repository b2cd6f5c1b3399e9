"""metrics.jsonl: the numbers of a training run, one JSON object per logged step."""

import json
import os

from ..files import atomic_write


class MetricsLog:
    """Appends records {"step": ..., ...} to a JSON-lines file and keeps them in `.records`.

    A fresh run starts an empty file. A resumed run (resume_step given) keeps
    the records up to that step and drops later ones, which the resumed run
    is about to redo; a last line cut short by a crash is dropped too.
    """

    def __init__(self, path, resume_step=None):
        self.path = path
        self.records = []
        if resume_step is not None and os.path.exists(path):
            self.records = [record for record in self._read(path) if record["step"] <= resume_step]
        with atomic_write(path, "w") as file:
            file.writelines(json.dumps(record) + "\n" for record in self.records)

    @staticmethod
    def _read(path):
        records = []
        with open(path) as file:
            for line in file:
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError:
                    break
        return records

    def append(self, record):
        """Add one line of metrics (a dict of numbers) to the file."""
        self.records.append(record)
        with open(self.path, "a") as file:
            file.write(json.dumps(record) + "\n")
