"""The CelebA cache: built once, memory-mapped afterwards, keyed by source and size, never half-written."""

import hashlib
import os
import warnings
from collections import namedtuple

import numpy as np
import pytest

from celeba_like import celeba_like_jpeg, make_celeba_like
from nanogan.data import DataError, open_dataset
from nanogan.data import celeba as celeba_module
from nanogan.data import cache as cache_module


@pytest.fixture
def celeba(tmp_path):
    return make_celeba_like(tmp_path / "celeba")


@pytest.fixture
def decode_calls(monkeypatch):
    """Counts the images decoded; set `fail_after` to make decoding raise KeyboardInterrupt (Ctrl-C) then."""
    calls = {"count": 0, "fail_after": None}
    real_decode = celeba_module.decode_image

    def counting_decode(encoded, image_size):
        if calls["fail_after"] is not None and calls["count"] == calls["fail_after"]:
            raise KeyboardInterrupt
        calls["count"] += 1
        return real_decode(encoded, image_size)

    monkeypatch.setattr(celeba_module, "decode_image", counting_decode)
    return calls


def _open(path, cache_dir, image_size=32, **options):
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="skipped 1 of")  # the fixture's broken JPEG
        return open_dataset(path, image_size=image_size, cache_dir=cache_dir, progress=False, **options)


def _digest(path):
    with open(path, "rb") as file:
        return hashlib.sha256(file.read()).hexdigest()


def test_the_second_open_maps_the_cache_and_decodes_nothing(celeba, tmp_path, decode_calls):
    first = _open(celeba.zip, tmp_path / "cache")
    assert decode_calls["count"] == celeba.good_images + 1  # every image file, the broken one too
    decode_calls["count"] = 0

    second = _open(celeba.zip, tmp_path / "cache")

    assert decode_calls["count"] == 0
    assert second.cache_path == first.cache_path
    assert isinstance(second.images, np.memmap) and not second.images.flags.writeable
    np.testing.assert_array_equal(second.images, first.images)


def test_the_cache_is_a_plain_npy_without_the_skipped_image(celeba, tmp_path):
    dataset = _open(celeba.folder, tmp_path / "cache")
    cached = np.load(dataset.cache_path, allow_pickle=False)
    assert cached.dtype == np.uint8 and cached.shape == (celeba.good_images, 3, 32, 32)
    assert os.listdir(tmp_path / "cache") == [os.path.basename(dataset.cache_path)]  # no temporary files left


def test_image_size_limit_and_source_each_get_their_own_cache(celeba, tmp_path):
    paths = {
        _open(celeba.zip, tmp_path / "cache").cache_path,
        _open(celeba.zip, tmp_path / "cache", image_size=16).cache_path,
        _open(celeba.zip, tmp_path / "cache", limit=10).cache_path,
        _open(celeba.folder, tmp_path / "cache").cache_path,
    }
    assert len(paths) == 4
    assert all(os.path.isfile(path) for path in paths)


def test_a_changed_folder_is_cached_again(celeba, tmp_path, decode_calls):
    before = _open(celeba.folder, tmp_path / "cache")
    with open(os.path.join(celeba.folder, "000026.jpg"), "wb") as file:
        file.write(celeba_like_jpeg(np.random.default_rng(99)))
    decode_calls["count"] = 0

    after = _open(celeba.folder, tmp_path / "cache")

    assert decode_calls["count"] == celeba.good_images + 2
    assert after.cache_path != before.cache_path
    assert len(after) == len(before) + 1


def test_an_interrupted_build_leaves_no_cache_behind(celeba, tmp_path, decode_calls):
    decode_calls["fail_after"] = 5
    with pytest.raises(KeyboardInterrupt):
        _open(celeba.zip, tmp_path / "cache")
    assert os.listdir(tmp_path / "cache") == []  # neither a cache nor a temporary file

    decode_calls["fail_after"] = None
    dataset = _open(celeba.zip, tmp_path / "cache")
    assert len(dataset) == celeba.good_images


def test_an_interrupted_rebuild_keeps_the_previous_cache_intact(celeba, tmp_path, decode_calls):
    old = _open(celeba.folder, tmp_path / "cache")
    old_digest = _digest(old.cache_path)
    with open(os.path.join(celeba.folder, "000026.jpg"), "wb") as file:
        file.write(celeba_like_jpeg(np.random.default_rng(99)))
    decode_calls["fail_after"] = decode_calls["count"] + 5

    with pytest.raises(KeyboardInterrupt):
        _open(celeba.folder, tmp_path / "cache")

    assert os.listdir(tmp_path / "cache") == [os.path.basename(old.cache_path)]
    assert _digest(old.cache_path) == old_digest


def test_a_crash_that_left_a_partial_file_does_not_fool_the_next_run(celeba, tmp_path, decode_calls):
    """A killed process cannot clean up: its .partial file stays, and must be neither read nor in the way."""
    complete = _open(celeba.zip, tmp_path / "cache")
    os.remove(complete.cache_path)
    leftover = complete.cache_path + ".1234.partial"
    with open(leftover, "wb") as file:
        file.write(b"\x93NUMPY half of a cache")
    decode_calls["count"] = 0

    dataset = _open(celeba.zip, tmp_path / "cache")

    assert decode_calls["count"] == celeba.good_images + 1
    np.testing.assert_array_equal(dataset.images, complete.images)


def test_a_truncated_cache_is_noticed_and_rebuilt(celeba, tmp_path, decode_calls):
    complete = _open(celeba.zip, tmp_path / "cache")
    expected, cache_path = np.array(complete.images), complete.cache_path
    del complete  # unmap the file before cutting it
    with open(cache_path, "r+b") as file:
        file.truncate(os.path.getsize(cache_path) // 2)
    decode_calls["count"] = 0

    with pytest.warns(UserWarning, match="unreadable cache"):
        rebuilt = _open(celeba.zip, tmp_path / "cache")

    assert decode_calls["count"] == celeba.good_images + 1
    assert rebuilt.cache_path == cache_path
    np.testing.assert_array_equal(rebuilt.images, expected)


def test_too_little_disk_space_is_a_data_error_before_anything_is_written(celeba, tmp_path, monkeypatch, decode_calls):
    DiskUsage = namedtuple("DiskUsage", "total used free")
    monkeypatch.setattr(cache_module.shutil, "disk_usage", lambda path: DiskUsage(10**9, 10**9 - 1000, 1000))
    with pytest.raises(DataError, match="needs .* GB .* only .* GB is free"):
        _open(celeba.zip, tmp_path / "cache")
    assert decode_calls["count"] == 0
    assert os.listdir(tmp_path / "cache") == []
