"""The FID Inception network: its blocks' backward passes, its outputs on every backend, and its weight file
(missing, different, or right). tests/test_inception_parity.py compares it with pytorch-fid's."""

import copy
import hashlib

import numpy as np
import pytest

from helpers import assert_close, assert_gradcheck, random_array
from nanogan import nn
from nanogan.backend import to_backend
from nanogan.gradcheck import check_directional, check_module
from nanogan.io import WeightsError
from nanogan.models import FIDInceptionV3, inception, load_fid_inception
from nanogan.models.inception_blocks import (BasicConv2d, FIDInceptionA, FIDInceptionC, FIDInceptionE, InceptionB,
                                             InceptionD)


def test_basic_conv2d_passes_gradcheck(backend):
    layer = BasicConv2d(2, 3, (1, 3), padding=(0, 1)).to(backend)
    assert_gradcheck(check_module(layer, random_array(np.random.default_rng(0), (2, 2, 3, 4), backend)))


@pytest.mark.parametrize("make, size", [
    (lambda: FIDInceptionA(3, pool_features=2), 5), (lambda: InceptionB(3), 7), (lambda: FIDInceptionC(3, 4), 7),
    (lambda: InceptionD(3), 7), (lambda: FIDInceptionE(3), 3), (lambda: FIDInceptionE(3, max_pool=True), 3),
], ids=["A", "B", "C", "D", "E_1", "E_2"])
def test_each_block_backpropagates_through_its_paths_and_forks(backend, make, size):
    """Along one random direction of the input and all parameters at once (the blocks have hundreds of thousands),
    with tanh in place of ReLU: among tens of thousands of activations, a step of 1e-6 in every weight at once
    moves some across ReLU's kink, where no derivative exists. The joins and forks are what is checked here."""
    block = make().to(backend)
    for module in block.modules():
        if isinstance(module, BasicConv2d):
            module.relu = nn.Tanh()
    report = check_directional(block, random_array(np.random.default_rng(1), (2, 3, size, size), backend))
    assert_gradcheck(report)


def test_the_state_dict_has_the_weight_files_keys():
    state = FIDInceptionV3().state_dict()
    assert len(state) == 566  # 94 BasicConv2d with 6 entries each, and fc's weight and bias
    assert state["Conv2d_1a_3x3.conv.weight"].shape == (32, 3, 3, 3)
    assert state["Mixed_6b.branch7x7_2.conv.weight"].shape == (128, 128, 1, 7)
    assert state["Mixed_7c.branch3x3dbl_3b.bn.running_var"].shape == (384,)
    assert state["fc.weight"].shape == (1008, 2048) and state["fc.bias"].shape == (1008,)


@pytest.fixture(scope="module")
def numpy_features():
    """A model in eval mode, an image, and its (pool, logits) on NumPy."""
    model = FIDInceptionV3().eval()
    images = np.random.default_rng(2).uniform(0, 1, (1, 3, 40, 30)).astype(np.float32)
    return model, images, model(images)


def test_features_and_logits_on_every_backend(backend, numpy_features):
    model, images, (expected_pool, expected_logits) = numpy_features
    assert expected_pool.shape == (1, 2048) and expected_logits.shape == (1, 1008)
    assert expected_pool.dtype == np.float32
    np.testing.assert_allclose(expected_logits, expected_pool @ model.fc.weight.data.T, rtol=1e-6)  # fc, no bias
    if backend != "numpy":
        pool, logits = copy.deepcopy(model).to(backend)(to_backend(images, backend, np.float32))
        assert_close(pool, expected_pool, rtol=1e-5, atol=1e-9)
        assert_close(logits, expected_logits, rtol=1e-5, atol=1e-9)


def test_images_of_the_wrong_shape_are_refused():
    with pytest.raises(ValueError, match=r"FIDInceptionV3\(\): expected images of shape \(N, 3, H, W\) with values "
                                         r"in \[0, 1\], got \(2, 1, 64, 64\)"):
        FIDInceptionV3()(np.zeros((2, 1, 64, 64), np.float32))


def test_a_missing_weight_file_says_where_to_get_it(tmp_path):
    path = tmp_path / "weights.pth"
    with pytest.raises(WeightsError, match=rf"the FID Inception weights are not at {path}: download "
                                           rf"{inception.FID_WEIGHTS_URL} \(pytorch-fid's release, about 96 MB\) and put "
                                           r"it at .* or pass its path \(nanogan never downloads\)"):
        load_fid_inception(path)


def test_a_different_file_is_refused_by_its_sha256(tmp_path):
    path = tmp_path / inception.FID_WEIGHTS_FILE
    path.write_bytes(b"not the weights")
    digest = hashlib.sha256(b"not the weights").hexdigest()
    with pytest.raises(WeightsError, match=rf"is not pytorch-fid's {inception.FID_WEIGHTS_FILE} \(SHA-256 {digest}, "
                                           rf"expected {inception.FID_WEIGHTS_SHA256}\): download"):
        load_fid_inception(path)


def test_the_default_location_is_documented_and_can_be_set(tmp_path, monkeypatch):
    monkeypatch.delenv("NANOGAN_FID_WEIGHTS", raising=False)
    monkeypatch.delenv("TORCH_HOME", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    own = tmp_path / "nanogan" / inception.FID_WEIGHTS_FILE
    assert inception.default_weights_path() == own
    torch_hub = tmp_path / "torch" / "hub" / "checkpoints" / inception.FID_WEIGHTS_FILE
    torch_hub.parent.mkdir(parents=True)
    torch_hub.write_bytes(b"")
    assert inception.default_weights_path() == torch_hub  # where pytorch-fid downloaded it, when nanogan's is absent
    monkeypatch.setenv("NANOGAN_FID_WEIGHTS", str(tmp_path / "elsewhere.pth"))
    assert inception.default_weights_path() == tmp_path / "elsewhere.pth"


@pytest.mark.parametrize("zip_format", [False, True], ids=["legacy", "zip"])
def test_the_weight_file_loads_into_an_eval_mode_model(tmp_path, monkeypatch, zip_format):
    """A file of pytorch-fid's keys, without BatchNorm's counters as in files from before PyTorch 0.4.1."""
    torch = pytest.importorskip("torch")
    source = FIDInceptionV3()
    state = {name: torch.from_numpy(np.array(value)) for name, value in source.state_dict().items()
             if not name.endswith("num_batches_tracked")}
    path = tmp_path / inception.FID_WEIGHTS_FILE
    torch.save(state, path, _use_new_zipfile_serialization=zip_format)
    monkeypatch.setattr(inception, "FID_WEIGHTS_SHA256", hashlib.sha256(path.read_bytes()).hexdigest())
    model = load_fid_inception(path)
    assert not model.training
    for name, value in source.state_dict().items():
        np.testing.assert_array_equal(model.state_dict()[name], value, err_msg=name)
