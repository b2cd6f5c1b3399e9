"""nanogan's FID Inception network against pytorch-fid's, block by block, with the same random weights.

The real weights cannot be downloaded here, so both networks get nanogan's random initial weights
(pytorch-fid reads them as its weight file, strictly, so the keys are its own). With PyTorch's
default initialisation the BatchNorm running statistics (0 and 1) leave the features nearly
independent of the input, so first a training-mode pass of PyTorch's network over a batch sets
them to that batch's statistics (momentum 1), and both networks then compare in eval mode.
Skipped without the reference extra (pip install -e ".[reference]").
"""

import numpy as np
import pytest

from nanogan.models import FIDInceptionV3
from nanogan.nn import no_grad
from nanogan.models.inception import BLOCKS

torch = pytest.importorskip("torch")
pytest.importorskip("pytorch_fid")
reference_networks = pytest.importorskip("reference_networks")

BLOCK_SHAPES = [(64, 73, 73), (192, 35, 35), (768, 17, 17), (2048, 1, 1)]


def relative_error(actual, expected):
    """max |a - b| / max |b|: the error against the size of the block's values."""
    return np.abs(actual - expected).max() / np.abs(expected).max()


def nanogan_state(reference, fc_weight, fc_bias):
    """pytorch-fid's InceptionV3 state ("blocks.2.0.branch1x1.conv.weight") under nanogan's keys, those of the
    weight file ("Mixed_5b.branch1x1.conv.weight"); its blocks leave the fully connected layer out."""
    state = {"fc.weight": fc_weight, "fc.bias": fc_bias}
    for key, value in reference.state_dict().items():
        _, block, index, rest = key.split(".", 3)
        state[f"{BLOCKS[int(block)][int(index)]}.{rest}"] = value.numpy()
    return state


@pytest.fixture(scope="module")
def networks(tmp_path_factory):
    """nanogan's network and pytorch-fid's, same weights, BatchNorm statistics set by one training pass."""
    model = FIDInceptionV3()
    reference = reference_networks.pytorch_fid_inception(model.state_dict(), tmp_path_factory.mktemp("hub"))
    for module in reference.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.momentum = 1.0  # the running statistics become this batch's
    batch = np.random.default_rng(0).uniform(0, 1, (4, 3, 80, 80)).astype(np.float32)
    with torch.no_grad():
        reference.train()(torch.from_numpy(batch))
    model.load_state_dict(nanogan_state(reference, model.fc.weight.data, model.fc.bias.data))
    return model.eval(), reference.eval()


@pytest.fixture(scope="module")
def images():
    return np.random.default_rng(1).uniform(0, 1, (2, 3, 64, 48))  # resized to 299x299 inside


@pytest.fixture(scope="module")
def reference_blocks(networks, images):
    """pytorch-fid's four block outputs on the images, by dtype: each computed once."""
    _, reference = networks
    outputs = {}
    for dtype, torch_dtype in [(np.float32, torch.float32), (np.float64, torch.float64)]:
        with torch.no_grad():
            blocks = reference.to(torch_dtype)(torch.from_numpy(images.astype(dtype)))
        outputs[dtype] = [block.numpy() for block in blocks]
    return outputs


@pytest.mark.parametrize("dtype, tolerance", [(np.float32, 1e-5), (np.float64, 1e-10)])
def test_each_block_matches_pytorch_fid_on_identical_inputs(networks, reference_blocks, images, dtype, tolerance):
    """Block 0 on the images (resize, scaling and all), each later block on pytorch-fid's previous output.
    Block 2 is compared one Inception block (Mixed_5b ... Mixed_6e) at a time: through all eight, float32
    roundoff alone reaches 1e-5, in PyTorch as in nanogan (PyTorch's float32 block 2 is 0.9e-5 to 3e-5 from
    its float64 one, depending on the random weights), while a real difference shows at 1e-3 or more."""
    model, reference = networks
    model.to(dtype=dtype)
    reference.to(torch.float64 if dtype == np.float64 else torch.float32)
    expected = reference_blocks[dtype]
    units = [("block 0", lambda x: model.run_block(0, x), images.astype(dtype), expected[0]),
             ("block 1", lambda x: model.run_block(1, x), expected[0], expected[1])]
    block_input = torch.from_numpy(expected[1])
    for name, torch_module in zip(BLOCKS[2], reference.blocks[2]):
        with torch.no_grad():
            block_output = torch_module(block_input)
        units.append((name, getattr(model, name), block_input.numpy(), block_output.numpy()))
        block_input = block_output
    units.append(("block 3", lambda x: model.run_block(3, x), expected[2], expected[3]))
    for name, run, block_input, torch_output in units:
        with no_grad():
            output = run(block_input)
        assert output.shape == torch_output.shape and output.dtype == dtype, name
        error = relative_error(output, torch_output)
        assert error < tolerance, f"{name}: relative error {error:.2e}"
    assert [output.shape[1:] for output in expected] == BLOCK_SHAPES
    assert np.std(expected[-1][0] - expected[-1][1]) > 0.1 * np.std(expected[-1])  # features that tell images apart


def test_the_whole_network_in_float32_is_as_accurate_as_pytorch_fids(networks, reference_blocks, images):
    """Through all the blocks float32 roundoff grows to about 1e-4 in both, against the float64 result (in which
    the two agree to 1e-10): nanogan's may not grow beyond twice PyTorch's."""
    model, _ = networks
    exact, torch_float32 = reference_blocks[np.float64], reference_blocks[np.float32]
    blocks = model.to(dtype=np.float32).feature_blocks(images.astype(np.float32))
    for index, (block, torch_block, truth) in enumerate(zip(blocks, torch_float32, exact)):
        assert relative_error(block, truth) <= 2 * relative_error(torch_block, truth), f"block {index}"
