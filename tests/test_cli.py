"""The command-line helpers: nonsense arguments end in one line and exit code 2."""

import argparse
import os
import sys

import pytest

from nanogan import cli


@pytest.mark.parametrize("convert, text", [
    (cli.positive_int, "0"), (cli.positive_int, "-3"), (cli.positive_int, "2.5"),
    (cli.nonnegative_int, "-1"), (cli.positive_float, "0"), (cli.positive_float, "abc"),
    (cli.unit_interval_float, "1.0"),
])
def test_argument_types_reject_nonsense(convert, text):
    with pytest.raises(argparse.ArgumentTypeError, match="expected"):
        convert(text)


def test_argument_types_accept_sense():
    assert cli.positive_int("3") == 3 and cli.nonnegative_int("0") == 0
    assert cli.positive_float("2e-4") == 2e-4 and cli.unit_interval_float("0.5") == 0.5


def test_fail_prints_one_line_and_exits_2(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.fail("something is wrong")
    assert exit_info.value.code == 2
    assert capsys.readouterr().err == "error: something is wrong\n"


def test_unwritable_output_folder_exits_2(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(SystemExit) as exit_info:
        cli.prepare_output_dir(os.path.join(blocker, "out"))
    assert exit_info.value.code == 2
    assert "cannot write to the output folder" in capsys.readouterr().err


def test_writable_output_folder_is_created(tmp_path):
    assert os.path.isdir(cli.prepare_output_dir(str(tmp_path / "a" / "b")))


def test_tf32_without_cupy_backend_is_nonsense(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.require_backend("numpy", tf32=True)
    assert exit_info.value.code == 2
    assert "--tf32 applies to --backend cupy only" in capsys.readouterr().err


def test_tf32_is_set_for_cupy_before_cupy_is_imported(monkeypatch, forget_cupy):
    monkeypatch.delenv("CUPY_TF32", raising=False)
    monkeypatch.setitem(sys.modules, "cupy", None)  # `import cupy` fails: the backend exits 2, after the setting
    with pytest.raises(SystemExit):
        cli.require_backend("cupy", tf32=True)
    assert os.environ["CUPY_TF32"] == "1"
