"""pytorch-fid's Inception-v3 (the network behind FID, KID, IS and precision/recall), in nanogan's layers.

    images (N, 3, H, W) in [0, 1]
      -> bilinear resize to 299x299 (align_corners=False) -> 2 * x - 1, in [-1, 1]
      -> Conv2d_1a_3x3 (stride 2), Conv2d_2a_3x3, Conv2d_2b_3x3, max pool 3/2   block 0: (N, 64, 73, 73)
      -> Conv2d_3b_1x1, Conv2d_4a_3x3, max pool 3/2                             block 1: (N, 192, 35, 35)
      -> Mixed_5b, 5c, 5d (A), Mixed_6a (B), Mixed_6b-6e (C)                     block 2: (N, 768, 17, 17)
      -> Mixed_7a (D), Mixed_7b (E_1), Mixed_7c (E_2), global average pool       block 3: (N, 2048, 1, 1)
      -> pool: (N, 2048);  logits = pool @ fc.weight^T: (N, 1008), without fc's bias (torch-fidelity's IS)

The four blocks are pytorch-fid's InceptionV3(output_blocks=[0, 1, 2, 3]); the state dict has the keys
of its fid_inception_v3(), the keys of its weight file, so that file loads as it is. The blocks are
in nanogan/models/inception_blocks.py.

The weights: pytorch-fid's port of TensorFlow's 2015 Inception, published as the release asset
pt_inception-2015-12-05-6726825d.pth of github.com/mseitzer/pytorch-fid (FID_WEIGHTS_URL). nanogan
never downloads; load_fid_inception reads the file from disk and checks its SHA-256.
"""

import hashlib
import os
from pathlib import Path

import numpy as np

from ..io.errors import WeightsError
from ..io.torch_file import load_torch_checkpoint
from ..nn import AdaptiveAvgPool2d, Linear, MaxPool2d, Module, Upsample, no_grad
from .inception_blocks import BasicConv2d, FIDInceptionA, FIDInceptionC, FIDInceptionE, InceptionB, InceptionD

FID_WEIGHTS_URL = ("https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights/"
                   "pt_inception-2015-12-05-6726825d.pth")
FID_WEIGHTS_FILE = "pt_inception-2015-12-05-6726825d.pth"
FID_WEIGHTS_SHA256 = "6726825d0af5f729cebd5821db510b11b1cfad8faad88a03f1befd49fb9129b2"
INPUT_SIZE = 299
# The children of each of pytorch-fid's four feature blocks, in order.
BLOCKS = (("Conv2d_1a_3x3", "Conv2d_2a_3x3", "Conv2d_2b_3x3", "maxpool1"),
          ("Conv2d_3b_1x1", "Conv2d_4a_3x3", "maxpool2"),
          ("Mixed_5b", "Mixed_5c", "Mixed_5d", "Mixed_6a", "Mixed_6b", "Mixed_6c", "Mixed_6d", "Mixed_6e"),
          ("Mixed_7a", "Mixed_7b", "Mixed_7c", "avgpool"))


class FIDInceptionV3(Module):
    """pytorch-fid's Inception-v3 (FIDInceptionA/C/E_1/E_2), state-dict keys identical to pytorch-fid's InceptionV3.

    The keys are those of pytorch-fid's fid_inception_v3() and of its weight file ("Mixed_5b.branch1x1.conv.weight",
    ..., "fc.weight"). Built with PyTorch's default initialisation and in training mode, like every Module: call
    .eval() before taking features (load_fid_inception does). Forward only: features are taken under no_grad.
    """

    def __init__(self):
        super().__init__()
        self.resize = Upsample(size=(INPUT_SIZE, INPUT_SIZE), mode="bilinear", align_corners=False)
        self.Conv2d_1a_3x3 = BasicConv2d(3, 32, 3, stride=2)
        self.Conv2d_2a_3x3 = BasicConv2d(32, 32, 3)
        self.Conv2d_2b_3x3 = BasicConv2d(32, 64, 3, padding=1)
        self.maxpool1 = MaxPool2d(3, stride=2)
        self.Conv2d_3b_1x1 = BasicConv2d(64, 80, 1)
        self.Conv2d_4a_3x3 = BasicConv2d(80, 192, 3)
        self.maxpool2 = MaxPool2d(3, stride=2)
        self.Mixed_5b = FIDInceptionA(192, pool_features=32)
        self.Mixed_5c = FIDInceptionA(256, pool_features=64)
        self.Mixed_5d = FIDInceptionA(288, pool_features=64)
        self.Mixed_6a = InceptionB(288)
        self.Mixed_6b = FIDInceptionC(768, channels_7x7=128)
        self.Mixed_6c = FIDInceptionC(768, channels_7x7=160)
        self.Mixed_6d = FIDInceptionC(768, channels_7x7=160)
        self.Mixed_6e = FIDInceptionC(768, channels_7x7=192)
        self.Mixed_7a = InceptionD(768)
        self.Mixed_7b = FIDInceptionE(1280)
        self.Mixed_7c = FIDInceptionE(2048, max_pool=True)
        self.avgpool = AdaptiveAvgPool2d((1, 1))
        self.fc = Linear(2048, 1008)

    def feature_blocks(self, images):
        """The outputs of pytorch-fid's four blocks: [(N, 64, 73, 73), (N, 192, 35, 35), (N, 768, 17, 17),
        (N, 2048, 1, 1)], for images (N, 3, H, W) in [0, 1], computed in this model's dtype."""
        outputs = [images]
        for index in range(len(BLOCKS)):
            outputs.append(self.run_block(index, outputs[-1]))
        return outputs[1:]

    def run_block(self, index, x):
        """Block `index` (0-3) of pytorch-fid's four on its input x: images (N, 3, H, W) in [0, 1] for block 0
        (resized to 299x299 and scaled to [-1, 1] first), the previous block's output for the others."""
        if index == 0 and (x.ndim != 4 or x.shape[1] != 3):
            raise self._error(f"expected images of shape (N, 3, H, W) with values in [0, 1], got {tuple(x.shape)}")
        x = x.astype(self.fc.weight.dtype, copy=False)
        with no_grad():
            if index == 0:
                if x.shape[2:] != (INPUT_SIZE, INPUT_SIZE):  # at 299x299 the resize is the identity, exactly
                    x = self.resize(x)
                x = 2 * x - 1  # [0, 1] -> [-1, 1]
            for name in BLOCKS[index]:
                x = getattr(self, name)(x)
        return x

    def forward(self, images):
        """images: (N, 3, H, W) floats in [0, 1], any H, W (resized to 299x299 inside, bilinear, align_corners=False,
        then scaled to [-1, 1]). Returns (pool, logits): pool (N, 2048), the features after global average pooling
        (pytorch-fid's block 3, used by FID, KID and precision/recall); logits (N, 1008), the fully connected layer
        without its bias (torch-fidelity's logits for the Inception Score)."""
        pool = self.feature_blocks(images)[-1].reshape(images.shape[0], -1)
        return pool, pool @ self.fc.weight.data.T


def default_weights_path():
    """Where load_fid_inception looks without a path: $NANOGAN_FID_WEIGHTS if set, else
    ~/.cache/nanogan/pt_inception-2015-12-05-6726825d.pth, or the file in PyTorch's hub cache
    (~/.cache/torch/hub/checkpoints/, where pytorch-fid downloads it) when only that one exists."""
    if os.environ.get("NANOGAN_FID_WEIGHTS"):
        return Path(os.environ["NANOGAN_FID_WEIGHTS"])
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    own = cache / "nanogan" / FID_WEIGHTS_FILE
    torch_hub = Path(os.environ.get("TORCH_HOME") or cache / "torch") / "hub" / "checkpoints" / FID_WEIGHTS_FILE
    return torch_hub if torch_hub.exists() and not own.exists() else own


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def load_fid_inception(path=None, backend="numpy"):
    """FIDInceptionV3 with pytorch-fid's weights from `path` (default: a documented location), SHA-256 checked;
    raises WeightsError (nanogan/io/) with a one-line message saying where to get the file when it is missing or
    different.

    The default location is default_weights_path(). Returns the model in eval mode, float32, on `backend`.
    """
    path = Path(path) if path is not None else default_weights_path()
    get_it = (f"download {FID_WEIGHTS_URL} (pytorch-fid's release, about 96 MB) and put it at {path} "
              f"or pass its path (nanogan never downloads)")
    if not path.is_file():
        raise WeightsError(f"the FID Inception weights are not at {path}: {get_it}")
    digest = _sha256(path)
    if digest != FID_WEIGHTS_SHA256:
        raise WeightsError(f"{path} is not pytorch-fid's {FID_WEIGHTS_FILE} (SHA-256 {digest}, expected "
                           f"{FID_WEIGHTS_SHA256}): {get_it}")
    state = load_torch_checkpoint(path)
    model = FIDInceptionV3()
    for name, buffer in model.state_dict().items():  # a file from before PyTorch 0.4.1 has no BatchNorm counters
        if name.endswith("num_batches_tracked"):
            state.setdefault(name, np.zeros_like(buffer))
    model.load_state_dict(state)
    return model.to(backend).eval()

