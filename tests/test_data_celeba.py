"""CelebA from disk: the accepted layouts, the resize and centre crop, unreadable files, and DataError."""

import io
import os
import zipfile

import numpy as np
import pytest
from PIL import Image

from celeba_like import NOT_AN_IMAGE, celeba_like_jpeg, make_celeba_like
from nanogan.data import DEFAULT_CACHE_DIR, DataError, open_dataset
from nanogan.data.celeba import decode_image
from nanogan.data.errors import CELEBA_PAGE

GREEN, BLUE, RED = (0, 200, 0), (0, 0, 255), (255, 0, 0)


@pytest.fixture
def celeba(tmp_path):
    return make_celeba_like(tmp_path / "celeba")


def _open(path, tmp_path, **options):
    return open_dataset(path, image_size=32, cache_dir=tmp_path / "cache", progress=False, **options)


def _png_bytes(image):
    encoded = io.BytesIO()
    image.save(encoded, "PNG")
    return encoded.getvalue()


def test_folder_and_zip_give_the_same_images(celeba, tmp_path):
    with pytest.warns(UserWarning, match="skipped 1 of 25"):
        from_folder = _open(celeba.folder, tmp_path)
    with pytest.warns(UserWarning, match="skipped 1 of 25"):
        from_zip = _open(celeba.zip, tmp_path)
    assert from_folder.is_celeba and from_folder.name == "CelebA" and from_folder.notice == ""
    assert from_folder.images.shape == (celeba.good_images, 3, 32, 32)
    assert from_folder.images.dtype == np.uint8
    np.testing.assert_array_equal(from_folder.images, from_zip.images)
    assert from_folder.source == os.path.realpath(celeba.folder)
    assert from_zip.source == os.path.realpath(celeba.zip)


def test_images_come_in_file_name_order(celeba, tmp_path):
    with pytest.warns(UserWarning):
        dataset = _open(celeba.folder, tmp_path)
    for index in (0, 7, celeba.good_images - 1):
        with open(os.path.join(celeba.folder, f"{index + 1:06d}.jpg"), "rb") as file:
            np.testing.assert_array_equal(dataset.images[index], decode_image(file.read(), 32))


def test_an_unreadable_image_is_skipped_with_a_single_warning_naming_it(celeba, tmp_path):
    with pytest.warns(UserWarning) as record:
        dataset = _open(celeba.folder, tmp_path)
    messages = [str(warning.message) for warning in record]
    assert len(messages) == 1, messages
    assert celeba.broken_name in messages[0] and "truncated" in messages[0]
    assert len(dataset) == celeba.good_images


def test_a_folder_holding_the_zip_or_the_image_folder_is_accepted(celeba, tmp_path):
    with pytest.warns(UserWarning):
        from_parent = _open(os.path.dirname(celeba.folder), tmp_path)  # holds both: the zip is used
    assert from_parent.source == os.path.realpath(celeba.zip)
    os.remove(celeba.zip)
    with pytest.warns(UserWarning):
        from_parent = _open(os.path.dirname(celeba.folder), tmp_path)
    assert from_parent.source == os.path.realpath(celeba.folder)


def test_limit_takes_the_first_images_in_name_order(celeba, tmp_path):
    with pytest.warns(UserWarning):
        everything = _open(celeba.zip, tmp_path)
    first_five = _open(celeba.zip, tmp_path, limit=5)
    np.testing.assert_array_equal(first_five.images, everything.images[:5])


@pytest.mark.parametrize("width, height", [(178, 218), (218, 178)])
def test_the_short_side_is_resized_and_the_centre_square_kept(width, height):
    """Green centre square with a red top-left corner; blue bands outside the square must be cropped away."""
    side, band = min(width, height), abs(width - height) // 2
    image = Image.new("RGB", (width, height), BLUE)
    left, top = (band, 0) if width > height else (0, band)
    image.paste(GREEN, (left, top, left + side, top + side))
    image.paste(RED, (left, top, left + side // 4, top + side // 4))

    pixels = decode_image(_png_bytes(image), 64).transpose(1, 2, 0).astype(int)  # (64, 64, 3)

    assert pixels.shape == (64, 64, 3)
    interior = pixels[3:-3, 3:-3]  # away from the edges, where resampling blends in the bands
    assert interior[..., 2].max() < 40, "a blue band survived the crop"
    np.testing.assert_allclose(pixels[5, 5], RED, atol=10)  # top left stays top left
    np.testing.assert_allclose(pixels[5, 58], GREEN, atol=10)  # not mirrored
    np.testing.assert_allclose(pixels[58, 5], GREEN, atol=10)  # not flipped
    np.testing.assert_allclose(pixels[32, 32], GREEN, atol=10)


def test_grey_and_rgba_images_become_rgb():
    grey = decode_image(_png_bytes(Image.new("L", (50, 60), 100)), 16)
    rgba = decode_image(_png_bytes(Image.new("RGBA", (60, 50), (10, 20, 30, 128))), 16)
    assert grey.shape == rgba.shape == (3, 16, 16)
    assert (grey == 100).all()
    assert (rgba[:, 8, 8] == (10, 20, 30)).all()


def _assert_one_line_help(error):
    message = str(error.value)
    assert "\n" not in message
    assert CELEBA_PAGE in message and "img_align_celeba.zip" in message and "Align&Cropped Images" in message
    assert "img_align_celeba/ folder" in message  # the layouts --data accepts


def test_a_missing_path_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="does not exist") as error:
        _open(tmp_path / "no_such_folder", tmp_path)
    _assert_one_line_help(error)


def test_an_empty_folder_is_a_data_error(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="is empty") as error:
        _open(tmp_path / "empty", tmp_path)
    _assert_one_line_help(error)


def test_a_folder_without_images_is_a_data_error(tmp_path):
    folder = tmp_path / "texts"
    folder.mkdir()
    (folder / NOT_AN_IMAGE).write_text("000001.jpg 0\n")
    (folder / "000001.jpg").mkdir()  # a folder with an image's name is not an image
    with pytest.raises(DataError, match="holds no images") as error:
        _open(folder, tmp_path)
    _assert_one_line_help(error)


def test_a_zip_without_images_is_a_data_error(tmp_path):
    zip_path = tmp_path / "img_align_celeba.zip"
    with zipfile.ZipFile(zip_path, "w") as archive:
        archive.writestr(f"img_align_celeba/{NOT_AN_IMAGE}", "000001.jpg 0\n")
    with pytest.raises(DataError, match="holds no images") as error:
        _open(zip_path, tmp_path)
    _assert_one_line_help(error)


def test_a_file_that_is_not_a_zip_is_a_data_error(tmp_path):
    download = tmp_path / "celeba_img.h5"  # what the article's download step fetches
    download.write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(100))
    with pytest.raises(DataError, match="as a zip archive") as error:
        _open(download, tmp_path)
    _assert_one_line_help(error)


def test_a_folder_where_no_image_decodes_is_a_data_error(tmp_path):
    folder = tmp_path / "broken"
    folder.mkdir()
    for index in range(3):
        (folder / f"{index:06d}.jpg").write_bytes(celeba_like_jpeg(np.random.default_rng(index))[:200])
    with pytest.raises(DataError, match="none of the 3 image files") as error:
        _open(folder, tmp_path)
    _assert_one_line_help(error)
    assert os.listdir(tmp_path / "cache") == []  # and no cache was left behind


def test_without_data_celeba_is_found_in_its_default_location(celeba, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    os.makedirs(os.path.join("data", "celeba"))
    os.replace(celeba.zip, os.path.join("data", "celeba", "img_align_celeba.zip"))
    with pytest.warns(UserWarning, match="skipped 1"):
        dataset = open_dataset(image_size=32, progress=False)
    assert dataset.is_celeba
    assert dataset.source == os.path.realpath(os.path.join("data", "celeba", "img_align_celeba.zip"))
    assert os.path.dirname(dataset.cache_path) == DEFAULT_CACHE_DIR
    assert os.path.isfile(dataset.cache_path)


def test_an_unusable_default_location_is_a_data_error_not_a_quiet_switch_to_synthetic(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    os.makedirs(os.path.join("data", "celeba", "img_align_celeba"))  # unpacking has not started yet
    with pytest.raises(DataError, match="is empty"):
        open_dataset(image_size=32, progress=False)
