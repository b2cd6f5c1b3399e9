"""Find the image files of a dataset on disk: a folder of JPEGs, or a zip read in place.

    files = find_image_files("data/celeba/img_align_celeba.zip")
    with files:
        for name in files.names:          # sorted: the same order on every machine
            data = files.read(name)       # the file's bytes, still encoded

Accepted layouts (what --data may point at):
    img_align_celeba.zip       the download itself; members may sit under img_align_celeba/
    img_align_celeba/          the folder the zip unpacks to, images directly inside
    a folder holding either    such as data/celeba/ (its zip is preferred when both are there)

Only names ending in .jpg, .jpeg or .png count as images; other files (a
README, list_eval_partition.txt, macOS's hidden ._ copies) are ignored.
"""

import os
import posixpath
import zipfile

from .errors import WHERE_TO_GET_CELEBA, DataError

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png")
CELEBA_ZIP = "img_align_celeba.zip"
CELEBA_FOLDER = "img_align_celeba"


def is_image_name(name):
    """True for "000001.jpg" or "img_align_celeba/000001.JPG"; False for hidden and non-image files."""
    base = posixpath.basename(name)
    return not base.startswith(".") and base.lower().endswith(IMAGE_EXTENSIONS)


def find_image_files(path):
    """The images at `path` (a zip, an image folder, or a folder holding either), or DataError."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise DataError(f"{path!r} does not exist. {WHERE_TO_GET_CELEBA}")
    if os.path.isfile(path):
        return _zip_images(path)
    try:
        with os.scandir(path) as folder:
            entries = sorted(folder, key=lambda entry: entry.name)
    except OSError as error:
        raise DataError(f"cannot list the folder {path!r} ({error.strerror or error}). {WHERE_TO_GET_CELEBA}") from None
    if not entries:
        raise DataError(f"the folder {path!r} is empty. {WHERE_TO_GET_CELEBA}")
    names = [entry.name for entry in entries if entry.is_file() and is_image_name(entry.name)]
    if names:
        return FolderImages(path, names)
    for nested in (CELEBA_ZIP, CELEBA_FOLDER):
        if any(entry.name == nested for entry in entries):
            return find_image_files(os.path.join(path, nested))
    raise DataError(
        f"the folder {path!r} holds no images (.jpg, .jpeg or .png files), only {len(entries)} other "
        f"entries such as {entries[0].name!r}. {WHERE_TO_GET_CELEBA}"
    )


def _zip_images(path):
    try:
        files = ZipImages(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise DataError(
            f"cannot read {path!r} as a zip archive ({error}); is the download complete? {WHERE_TO_GET_CELEBA}"
        ) from None
    if not files.names:
        files.close()
        raise DataError(f"the zip {path!r} holds no images (.jpg, .jpeg or .png files). {WHERE_TO_GET_CELEBA}")
    return files


class FolderImages:
    """The image files directly inside a folder.

    fingerprint changes when files are added, removed or renamed (the folder's
    modification time and the list of names); it does not see a file edited in place.
    """

    def __init__(self, folder, names):
        self.path = os.path.realpath(folder)
        self.names = names
        listing = "\n".join(names)
        self.fingerprint = f"folder {self.path} mtime={os.stat(self.path).st_mtime_ns} names={listing}"

    def read(self, name):
        """The bytes of image file `name`."""
        with open(os.path.join(self.path, name), "rb") as file:
            return file.read()

    def close(self):
        """Nothing to release for a folder; here so that both sources close alike."""

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


class ZipImages:
    """The image members of a zip file, read without unpacking it.

    fingerprint changes when the zip's size or modification time changes.
    """

    def __init__(self, zip_path):
        self.path = os.path.realpath(zip_path)
        self._zip = zipfile.ZipFile(self.path)
        self.names = sorted(
            info.filename for info in self._zip.infolist()
            if not info.is_dir() and not info.filename.startswith("__MACOSX/") and is_image_name(info.filename)
        )
        stat = os.stat(self.path)
        self.fingerprint = f"zip {self.path} size={stat.st_size} mtime={stat.st_mtime_ns}"

    def read(self, name):
        """The bytes of image file `name`, read from the zip."""
        return self._zip.read(name)

    def close(self):
        """Close the zip file."""
        self._zip.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
