"""nanogan.io's PyTorch file reader: bit-exact on what torch.save writes in both formats, views and offsets
included; truncated files and pickles that would run code are refused, and nothing runs. The refusals are
tested on files built here by hand, so they run without PyTorch too."""

import io
import os
import pickle
import zipfile

import numpy as np
import pytest

from nanogan.io import WeightsError, load_torch_checkpoint
from nanogan.io.torch_file import LEGACY_MAGIC_NUMBER, LEGACY_PROTOCOL_VERSION


class RunsCommand:
    """Pickles as a call of os.system: unpickling it with the standard unpickler would run `command`."""

    def __init__(self, command):
        self.command = command

    def __reduce__(self):
        return os.system, (self.command,)


def legacy_file(path, obj):
    """PyTorch's legacy container around `obj`, with no storages."""
    with open(path, "wb") as file:
        for item in (LEGACY_MAGIC_NUMBER, LEGACY_PROTOCOL_VERSION, {"little_endian": True}, obj, []):
            pickle.dump(item, file, protocol=2)
    return path


def zip_file(path, obj):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("archive/data.pkl", pickle.dumps(obj, protocol=2))
        archive.writestr("archive/byteorder", "little")
    return path


@pytest.mark.parametrize("write", [legacy_file, zip_file])
def test_a_pickle_that_would_call_os_system_is_refused_by_name_and_nothing_runs(tmp_path, write):
    marker = tmp_path / "ran"
    path = write(tmp_path / "evil.pt", {"weight": RunsCommand(f"touch {marker}")})
    assert pickle.loads(pickle.dumps(RunsCommand("true"))) == 0  # the standard unpickler would run it
    with pytest.raises(WeightsError, match=r"evil.pt: refused to load posix.system: a PyTorch weight file holds "
                                           r"only ordered dicts, tensors and storages"):
        load_torch_checkpoint(path)
    assert not marker.exists()


@pytest.mark.parametrize("name", ["builtins.eval", "torch.nn.modules.conv.Conv2d", "torch._utils._rebuild_parameter"])
def test_every_name_beyond_dicts_tensors_and_storages_is_refused(tmp_path, name):
    module, attribute = name.rsplit(".", 1)
    payload = b"\x80\x02c" + f"{module}\n{attribute}\n".encode() + b")R."  # call module.attribute()
    path = tmp_path / "file.pt"
    with open(path, "wb") as file:
        for item in (LEGACY_MAGIC_NUMBER, LEGACY_PROTOCOL_VERSION, {"little_endian": True}):
            pickle.dump(item, file, protocol=2)
        file.write(payload)
    with pytest.raises(WeightsError, match=rf"refused to load {name}"):
        load_torch_checkpoint(path)


def test_plain_values_without_tensors_load(tmp_path):
    assert load_torch_checkpoint(legacy_file(tmp_path / "a.pt", {"epoch": 3, "name": "G", "sizes": [1, 2]})) == {
        "epoch": 3, "name": "G", "sizes": [1, 2]}


@pytest.mark.parametrize("content, message", [
    (b"", "cannot read it as a PyTorch weight file"),
    (b"not a weight file at all", "cannot read it as a PyTorch weight file"),
    (pickle.dumps(42, protocol=2), "not a PyTorch weight file"),
])
def test_files_that_are_not_pytorchs_are_refused(tmp_path, content, message):
    path = tmp_path / "file.pt"
    path.write_bytes(content)
    with pytest.raises(WeightsError, match=message):
        load_torch_checkpoint(path)


def test_a_missing_file_says_so(tmp_path):
    with pytest.raises(WeightsError, match=r"missing.pt does not exist"):
        load_torch_checkpoint(tmp_path / "missing.pt")


# -- against files that torch.save writes ---------------------------------------------------------------------

def saved_tensors():
    """Tensors of every storage type a state dict holds, and the views that make offsets and strides matter."""
    torch = pytest.importorskip("torch")
    generator = torch.Generator().manual_seed(0)
    base = torch.randn(6, 5, generator=generator)
    return torch, {
        "float32": torch.randn(3, 4, 2, 2, generator=generator),
        "float64": torch.randn(7, generator=generator, dtype=torch.float64),
        "float16": torch.randn(5, generator=generator).half(),
        "int64": torch.tensor(7),
        "int32": torch.arange(-3, 3, dtype=torch.int32),
        "int16": torch.arange(4, dtype=torch.int16),
        "int8": torch.tensor([-128, 0, 127], dtype=torch.int8),
        "uint8": torch.arange(250, 256, dtype=torch.uint8),
        "bool": torch.tensor([True, False, True]),
        "complex64": torch.randn(3, generator=generator, dtype=torch.complex64),
        "slice": base[2:5, 1:4],  # an offset into a storage that "base" shares
        "base": base,
        "transpose": base.t(),
        "broadcast": torch.arange(3.0).expand(4, 3),  # stride 0
        "every_other": torch.arange(10.0)[::2],
        "empty": torch.zeros(0, 3),
        "nan_and_inf": torch.tensor([float("nan"), float("inf"), -0.0]),
    }


@pytest.mark.parametrize("zip_format", [True, False], ids=["zip", "legacy"])
def test_tensors_come_back_bit_exact_with_their_views_and_offsets(tmp_path, zip_format):
    torch, tensors = saved_tensors()
    path = tmp_path / "tensors.pt"
    torch.save(tensors, path, _use_new_zipfile_serialization=zip_format)
    loaded = load_torch_checkpoint(path)
    assert list(loaded) == list(tensors)
    for name, tensor in tensors.items():
        expected = tensor.numpy()
        assert loaded[name].dtype == expected.dtype and loaded[name].shape == expected.shape, name
        assert loaded[name].tobytes() == np.ascontiguousarray(expected).tobytes(), name


@pytest.mark.parametrize("zip_format", [True, False], ids=["zip", "legacy"])
def test_a_module_state_dict_and_a_nested_checkpoint_load(tmp_path, zip_format):
    torch = pytest.importorskip("torch")
    model = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4))
    model(torch.randn(2, 3, 5, 5))
    path = tmp_path / "checkpoint.pt"
    torch.save({"model": model.state_dict(), "epoch": 5, "losses": [0.5, 0.25]}, path,
               _use_new_zipfile_serialization=zip_format)
    loaded = load_torch_checkpoint(path)
    assert loaded["epoch"] == 5 and loaded["losses"] == [0.5, 0.25]
    state = model.state_dict()
    assert list(loaded["model"]) == list(state)
    for name, tensor in state.items():
        np.testing.assert_array_equal(loaded["model"][name], tensor.numpy(), err_msg=name)


@pytest.mark.parametrize("zip_format", [True, False], ids=["zip", "legacy"])
def test_truncated_files_are_refused(tmp_path, zip_format):
    torch, tensors = saved_tensors()
    buffer = io.BytesIO()
    torch.save(tensors, buffer, _use_new_zipfile_serialization=zip_format)
    content = buffer.getvalue()
    path = tmp_path / "truncated.pt"
    for fraction in (0.1, 0.5, 0.9, 0.999):
        path.write_bytes(content[: int(len(content) * fraction)])
        with pytest.raises(WeightsError, match=r"truncated.pt: .*(truncated|damaged)"):
            load_torch_checkpoint(path)


@pytest.mark.parametrize("zip_format", [True, False], ids=["zip", "legacy"])
def test_a_pickle_saved_by_torch_that_would_run_code_is_refused(tmp_path, zip_format):
    torch = pytest.importorskip("torch")
    marker = tmp_path / "ran"
    path = tmp_path / "evil.pt"
    torch.save({"weight": torch.zeros(2), "hook": RunsCommand(f"touch {marker}")}, path,
               _use_new_zipfile_serialization=zip_format)
    with pytest.raises(WeightsError, match="refused to load posix.system"):
        load_torch_checkpoint(path)
    assert not marker.exists()
