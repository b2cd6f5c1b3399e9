"""The discrete attributes of the synthetic faces (nanogan/data/synthetic.py), and their modes.

Each face makes five discrete choices, drawn independently:

    hair       bald (1/10), or short (1/2) or long (2/5) in one of six colours (1/6 each): 13 values
    eyes       open (9/10) or closed (1/10)
    glasses    no (17/20) or yes (3/20)
    mouth      closed or open (a wide smile, drawn open with 3/5 chance when the smile's curve,
               uniform in [-0.02, 0.05], exceeds 0.025: 3/14 in all)
    moustache  no (22/25) or yes (3/25)

A mode is one combination: 13 * 2 * 2 * 2 * 2 = 208 of them, as a digit triple
is a mode of Stacked MNIST, but far from equally likely: the commonest (bald,
eyes open, no glasses, mouth closed, no moustache) has probability 0.053, the
rarest (long hair of one colour, eyes closed, glasses, mouth open, moustache)
2.6e-5. `mode_probabilities()` gives all of them.
"""

import numpy as np

HAIR_COLOUR_NAMES = ("black", "dark brown", "brown", "blonde", "auburn", "grey")  # as HAIR_COLOURS in synthetic.py
HAIR_LENGTHS = {"bald": 0.1, "short": 0.5, "long": 0.4}  # the probabilities that synthetic.py draws them with

# attribute -> its values, in label order
ATTRIBUTES = {
    "hair": ("bald", *(f"{length} {colour}" for length in ("short", "long") for colour in HAIR_COLOUR_NAMES)),
    "eyes": ("open", "closed"),
    "glasses": ("no", "yes"),
    "mouth": ("closed", "open"),
    "moustache": ("no", "yes"),
}

# attribute -> the probability of each value, in label order
VALUE_PROBABILITIES = {
    "hair": (HAIR_LENGTHS["bald"], *(HAIR_LENGTHS[length] / len(HAIR_COLOUR_NAMES)
                                     for length in ("short", "long") for _ in HAIR_COLOUR_NAMES)),
    "eyes": (0.9, 0.1),
    "glasses": (0.85, 0.15),
    "mouth": (1 - 3 / 14, 3 / 14),  # P(curve > 0.025) * 3/5 = (0.025 / 0.07) * 0.6
    "moustache": (0.88, 0.12),
}


def hair_class(length, colour_index):
    """The value of "hair" for a face of this length ("bald", "short", "long") and colour index:
    a bald face has no hair colour to see (its eyebrows are one pixel wide at 32x32)."""
    return "bald" if length == "bald" else f"{length} {HAIR_COLOUR_NAMES[colour_index]}"


def num_modes():
    """How many attribute combinations there are: 208."""
    return int(np.prod([len(values) for values in ATTRIBUTES.values()]))


def mode_index(labels):
    """labels: (n, 5) value indices, columns in ATTRIBUTES' order -> (n,) mode numbers in 0..207
    (the labels read as the digits of a mixed-radix number)."""
    return np.ravel_multi_index(tuple(np.asarray(labels).T), [len(values) for values in ATTRIBUTES.values()])


def mode_probabilities():
    """(208,) the probability of each mode, indexed by mode_index: the attributes are independent."""
    probabilities = np.ones(())
    for values in VALUE_PROBABILITIES.values():
        probabilities = np.multiply.outer(probabilities, values)
    return probabilities.reshape(-1)
