"""DataError, and what its messages tell the user: where CelebA comes from,
where nanogan looks for it, and which layouts --data accepts.

A DataError's message is one line that says what is wrong and what to do; the
command-line examples print it and exit with code 2.
"""

CELEBA_PAGE = "https://mmlab.ie.cuhk.edu.hk/projects/CelebA.html"

# Where the program looks when --data is not given, relative to the folder it runs from;
# the first that exists is used.
DEFAULT_CELEBA_PATHS = ("data/celeba/img_align_celeba.zip", "data/celeba/img_align_celeba")

ACCEPTED_LAYOUTS = (
    "--data takes img_align_celeba.zip itself (read directly, no need to unpack it), "
    "the img_align_celeba/ folder of JPEGs it unpacks to, or a folder holding either (such as data/celeba/)"
)

WHERE_TO_GET_CELEBA = (
    f"nanogan cannot download CelebA: get img_align_celeba.zip by hand from the official CelebA page "
    f'({CELEBA_PAGE}, "Align&Cropped Images"; 202,599 JPEGs of 178x218) and put it at '
    f"{DEFAULT_CELEBA_PATHS[0]}, or point --data at it. {ACCEPTED_LAYOUTS}; "
    f"--data synthetic trains on nanogan's built-in faces instead"
)


class DataError(Exception):
    """A dataset that cannot be used: a missing path, an empty folder, no images, no room for the cache."""
