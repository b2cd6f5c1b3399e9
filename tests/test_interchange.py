"""A DCGAN generator's weights go from PyTorch to nanogan and back, through the README's own snippets, and
both frameworks then draw the same images. Skipped without PyTorch and safetensors (the reference extra)."""

import functools
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nanogan.dcgan.trainer import load_generator
from test_docs import parse_page

torch = pytest.importorskip("torch")
pytest.importorskip("safetensors")

ROOT = Path(__file__).resolve().parent.parent


class Generator(torch.nn.Module):
    """The PyTorch DCGAN tutorial's generator class, as the tutorial writes it."""

    def __init__(self, ngpu, nz=100, ngf=64, nc=3):
        super().__init__()
        self.ngpu = ngpu
        nn = torch.nn
        self.main = nn.Sequential(
            nn.ConvTranspose2d(nz, ngf * 8, 4, 1, 0, bias=False), nn.BatchNorm2d(ngf * 8), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 8, ngf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 4), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 2), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf), nn.ReLU(True),
            nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False), nn.Tanh())

    def forward(self, input):
        return self.main(input)


def readme_snippet(marker):
    """The README's python block whose not-run comment names `marker`."""
    _, blocks = parse_page(ROOT / "README.md")
    (code,) = [code for language, code, _, before in blocks if language == "python" and marker in before]
    return code


def same_images(nanogan_generator, torch_generator):
    """Both generators, in eval mode, draw the same images from the same noise."""
    z = np.random.default_rng(0).standard_normal((4, 100, 1, 1)).astype(np.float32)
    with torch.no_grad():
        expected = torch_generator.eval()(torch.from_numpy(z)).numpy()
    np.testing.assert_allclose(nanogan_generator.eval()(z), expected, rtol=1e-4, atol=1e-5)


def test_a_pytorch_tutorial_generator_samples_in_nanogan(tmp_path, monkeypatch):
    torch.manual_seed(0)
    netG = Generator(ngpu=1)
    with torch.no_grad():
        netG(torch.randn(8, 100, 1, 1))  # a training-mode pass: running statistics away from 0 and 1
    torch.save(netG.state_dict(), tmp_path / "netG.pth")
    monkeypatch.chdir(tmp_path)
    namespace = {}
    exec(readme_snippet("needs netG.pth from PyTorch"), namespace)
    same_images(namespace["generator"], netG)


def test_an_exported_nanogan_generator_loads_into_the_pytorch_tutorials(tmp_path, monkeypatch):
    """One training step of the tutorial's 64x64 architecture, narrowed to 8 feature maps (ngf) to be quick."""
    run = [sys.executable, "-m", "nanogan.dcgan", "--data", "synthetic", "--limit", "16", "--batch-size", "8",
           "--ngf", "8", "--ndf", "8", "--max-steps", "1", "--no-progress", "--out", str(tmp_path / "run")]
    trained = subprocess.run([*run, "--export", str(tmp_path / "trained.safetensors")], capture_output=True,
                             text=True, timeout=300)
    assert trained.returncode == 0, trained.stderr
    checkpoint = tmp_path / "run" / "checkpoint.npz"
    exported = subprocess.run([sys.executable, "-m", "nanogan.dcgan", "--generate", str(checkpoint), "--out",
                               str(tmp_path / "grid.png"), "--export", str(tmp_path / "G.safetensors")],
                              capture_output=True, text=True, timeout=300)
    assert exported.returncode == 0, exported.stderr
    assert f"wrote the generator's weights to {tmp_path / 'G.safetensors'}" in exported.stdout
    monkeypatch.chdir(tmp_path)
    namespace = {"Generator": functools.partial(Generator, ngf=8)}
    exec(readme_snippet("needs PyTorch and the tutorial's Generator class"), namespace)
    generator, _ = load_generator(checkpoint)
    same_images(generator, namespace["netG"])
    from safetensors.numpy import load_file
    assert {name: value.tobytes() for name, value in load_file(tmp_path / "trained.safetensors").items()} == \
        {name: value.tobytes() for name, value in load_file(tmp_path / "G.safetensors").items()}


def test_export_without_a_writable_destination_fails_with_exit_code_2(tmp_path):
    result = subprocess.run([sys.executable, "-m", "nanogan.dcgan", "--data", "synthetic", "--limit", "16",
                             "--batch-size", "8", "--image-size", "16", "--ngf", "4", "--ndf", "4", "--max-steps", "1",
                             "--no-progress", "--out", str(tmp_path / "run"),
                             "--export", str(tmp_path / "missing" / "G.safetensors")],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 2
    assert result.stderr.strip().startswith("error: cannot export the generator to")
