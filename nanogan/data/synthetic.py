"""Synthetic faces: the built-in dataset that trains when CelebA is not on disk.

Each image is a cartoon portrait drawn with Pillow, in the pose of an aligned
CelebA photo: a head in the middle, eyes a little above the centre, shoulders
at the bottom. Everything a DCGAN has to learn varies from face to face, while
the layout stays shared:

    background   a vertical two-colour gradient
    hair         colour, length (bald, short, long), fringe height and parting
    head         skin tone, width, height, position, a slight turn left or right
    eyes         spacing, size, openness (some closed), iris colour, gaze
    eyebrows     thickness and tilt (raised, flat, frowning)
    mouth        from a frown to a wide open smile with teeth
    extras       glasses, a moustache, blush, clothes colour

Faces are drawn SUPERSAMPLING times larger than `image_size` and averaged down
(Image.reduce), which anti-aliases every edge. Face i depends only on
(seed, i), so `synthetic_faces(10, s, seed)` is the first ten of
`synthetic_faces(1000, s, seed)`, and the same seed gives the same bytes.

Five of the choices are discrete and visible at 32x32, and each face says
which it made (`with_attributes=True`): its ATTRIBUTES. One combination of
them is a mode of the dataset, as a digit triple is a mode of Stacked MNIST:
13 * 2 * 2 * 2 * 2 = 208 modes, far from equally likely
(nanogan/data/face_attributes.py). The rest (colours' jitter, sizes,
positions, the smile's curve) varies continuously within each mode.
"""

import numpy as np
from PIL import Image, ImageDraw
from tqdm import tqdm

from .face_attributes import ATTRIBUTES, hair_class

SUPERSAMPLING = 4  # draw at 4x the size, then average 4x4 blocks: smooth edges

# Colours as RGB triples; each face jitters the one it picks.
LIGHT_SKIN = np.array([250, 220, 195])
DARK_SKIN = np.array([95, 60, 40])
HAIR_COLOURS = [(25, 20, 20), (60, 40, 28), (110, 70, 40), (200, 165, 100), (150, 65, 35), (165, 160, 155)]
IRIS_COLOURS = [(70, 45, 25), (40, 90, 150), (60, 110, 60), (110, 110, 120)]
WHITE = (245, 245, 240)
PUPIL = (15, 10, 10)
LIPS = (170, 70, 70)
MOUTH_INSIDE = (80, 20, 25)
GLASSES_FRAME = (30, 30, 30)


def synthetic_faces(n, image_size, seed, progress=False, with_attributes=False):
    """n procedurally drawn faces: uint8 (n, 3, image_size, image_size), RGB in 0..255.

    Face i is drawn from a generator seeded with (seed, i): same seed, same bytes.
    progress: show a progress bar (10,000 faces take a few seconds).
    with_attributes: also return the discrete choices made for each face, an int64 (n, 5) array
    whose column k is the index of the face's value of attribute k in ATTRIBUTES.
    """
    if n < 0 or image_size < 1:
        raise ValueError(f"synthetic_faces: expected n >= 0 and image_size >= 1, got n={n}, image_size={image_size}")
    faces = np.empty((n, 3, image_size, image_size), dtype=np.uint8)
    attributes = np.empty((n, len(ATTRIBUTES)), dtype=np.int64)
    for index in tqdm(range(n), desc="drawing synthetic faces", unit="img", disable=not progress, dynamic_ncols=True):
        rng = np.random.default_rng([seed, index])
        face, choices = draw_face(rng, image_size * SUPERSAMPLING)
        faces[index] = np.asarray(face.reduce(SUPERSAMPLING)).transpose(2, 0, 1)  # (H, W, 3) -> (3, H, W)
        attributes[index] = [ATTRIBUTES[name].index(choices[name]) for name in ATTRIBUTES]
    return (faces, attributes) if with_attributes else faces


def draw_face(rng, canvas_size):
    """One face as an RGB Pillow image of canvas_size x canvas_size, its features drawn from rng;
    returns the image and its discrete choices, {attribute name: value} as in ATTRIBUTES."""
    canvas = _Canvas(canvas_size)
    image = _background(rng, canvas_size)
    pen = ImageDraw.Draw(image)

    skin = _skin_colour(rng)
    shadow = tuple(int(c * 0.8) for c in skin)  # skin in shade: neck, nose, ears
    hair_colour = rng.integers(len(HAIR_COLOURS))
    hair = _jitter(rng, HAIR_COLOURS[hair_colour], 15)
    hair_length = str(rng.choice(["bald", "short", "long"], p=[0.1, 0.5, 0.4]))

    # Head geometry, in units of the canvas (0..1); the turn shifts the features sideways.
    head_x = 0.5 + rng.uniform(-0.04, 0.04)
    head_y = 0.48 + rng.uniform(-0.03, 0.03)
    head_rx = rng.uniform(0.21, 0.27)
    head_ry = head_rx * rng.uniform(1.2, 1.4)
    turn = rng.uniform(-0.04, 0.04)
    face_x = head_x + turn

    # Behind the head: long hair, neck, shoulders and clothes, ears.
    if hair_length == "long":
        long_hair = canvas.box(head_x, head_y + 0.2, head_rx * 1.2, 0.35)
        pen.rounded_rectangle(long_hair, radius=canvas.px(0.1), fill=hair)
    pen.rectangle(canvas.box(head_x, head_y + head_ry, head_rx * 0.45, 0.2), fill=shadow)
    clothes = tuple(int(c) for c in rng.integers(30, 220, size=3))
    pen.ellipse(canvas.box(0.5, 1.08, 0.42, 0.25), fill=clothes)
    for side in (-1, 1):
        pen.ellipse(canvas.box(head_x + side * head_rx * 0.97, head_y + 0.02, 0.035, 0.06), fill=shadow)
    if hair_length != "bald":
        pen.ellipse(canvas.box(head_x, head_y - head_ry * 0.12, head_rx * 1.1, head_ry * 0.98), fill=hair)

    # The head, its fringe (a chord across the top of the head's ellipse), and blush.
    head_box = canvas.box(head_x, head_y, head_rx, head_ry)
    pen.ellipse(head_box, fill=skin)
    if hair_length != "bald":
        hairline = rng.uniform(12, 40)  # degrees: larger is a lower fringe
        parting = rng.uniform(-10, 10)  # degrees: moves the fringe's ends up on one side
        pen.chord(head_box, 180 + hairline + parting, 360 - hairline + parting, fill=hair)
    if rng.random() < 0.3:
        blush = _mix(skin, (230, 100, 110), 0.35)
        for side in (-1, 1):
            pen.ellipse(canvas.box(face_x + side * head_rx * 0.55, head_y + 0.08, 0.04, 0.025), fill=blush)

    eyes = _draw_eyes_and_brows(rng, pen, canvas, face_x, head_y, head_rx, hair)
    _draw_nose(rng, pen, canvas, face_x, head_y, shadow)
    mouth = _draw_mouth(rng, pen, canvas, face_x, head_y + head_ry * 0.55, head_rx, hair)
    return image, {"hair": hair_class(hair_length, hair_colour), **eyes, **mouth}


def _draw_eyes_and_brows(rng, pen, canvas, face_x, head_y, head_rx, hair):
    """Returns the choices made: {"eyes": "open" | "closed", "glasses": "no" | "yes"}."""
    eye_y = head_y - rng.uniform(0.0, 0.05)
    spacing = head_rx * rng.uniform(0.38, 0.5)  # from the face's middle to each eye
    eye_rx = rng.uniform(0.032, 0.045)
    openness = rng.uniform(0.45, 0.85) if rng.random() > 0.1 else 0.0  # 0: closed
    iris = _jitter(rng, IRIS_COLOURS[rng.integers(len(IRIS_COLOURS))], 15)
    gaze_x, gaze_y = rng.uniform(-0.4, 0.4), rng.uniform(-0.2, 0.2)  # in eye radii
    brow_lift = rng.uniform(0.04, 0.08)
    brow_tilt = rng.uniform(-0.025, 0.02)  # positive: inner ends lower, a frown
    brow_width = max(1, canvas.px(rng.uniform(0.008, 0.02)))
    glasses = rng.random() < 0.15
    for side in (-1, 1):
        eye_x = face_x + side * spacing
        if openness == 0.0:
            closed_eye = canvas.box(eye_x, eye_y - eye_rx * 0.3, eye_rx, eye_rx * 0.5)
            pen.arc(closed_eye, 20, 160, fill=PUPIL, width=max(1, canvas.px(0.008)))  # the lower rim: a lash line
        else:
            eye_ry = eye_rx * openness
            pen.ellipse(canvas.box(eye_x, eye_y, eye_rx, eye_ry), fill=WHITE)
            iris_x, iris_y = eye_x + gaze_x * eye_rx * 0.5, eye_y + gaze_y * eye_ry
            iris_r = min(eye_rx * 0.55, eye_ry)
            pen.ellipse(canvas.box(iris_x, iris_y, iris_r, iris_r), fill=iris)
            pen.ellipse(canvas.box(iris_x, iris_y, iris_r * 0.45, iris_r * 0.45), fill=PUPIL)
        inner_x, outer_x = face_x + side * spacing * 0.45, eye_x + side * eye_rx * 1.3
        brow_y = eye_y - brow_lift
        brow = [canvas.point(inner_x, brow_y + brow_tilt), canvas.point(outer_x, brow_y)]
        pen.line(brow, fill=hair, width=brow_width)
        if glasses:
            lens = canvas.box(eye_x, eye_y, eye_rx * 1.6, eye_rx * 1.4)
            pen.ellipse(lens, outline=GLASSES_FRAME, width=max(1, canvas.px(0.01)))
    if glasses:
        bridge_half = spacing - eye_rx * 1.6
        bridge = [canvas.point(face_x - bridge_half, eye_y), canvas.point(face_x + bridge_half, eye_y)]
        pen.line(bridge, fill=GLASSES_FRAME, width=max(1, canvas.px(0.01)))
    return {"eyes": "closed" if openness == 0.0 else "open", "glasses": "yes" if glasses else "no"}


def _draw_nose(rng, pen, canvas, face_x, head_y, shadow):
    tip_y = head_y + rng.uniform(0.08, 0.12)
    half_width = rng.uniform(0.025, 0.04)
    pen.polygon([canvas.point(face_x, head_y + 0.01), canvas.point(face_x - half_width, tip_y),
                 canvas.point(face_x + half_width, tip_y)], fill=shadow)


def _draw_mouth(rng, pen, canvas, mouth_x, mouth_y, head_rx, hair):
    """A mouth whose corners are `smile` canvas units above its middle (negative: a frown).

    Each lip is a parabola through the corners: y = mouth_y + depth * (1 - t^2), t from -1 to 1.
    Returns the choices made: {"mouth": "closed" | "open", "moustache": "no" | "yes"}.
    """
    half_width = head_rx * rng.uniform(0.35, 0.55)
    smile = rng.uniform(-0.02, 0.05)
    along = np.linspace(-1.0, 1.0, 9)  # t: -1 at the left corner, 1 at the right one

    def lip(depth, width_scale=1.0):
        return [canvas.point(mouth_x + t * half_width * width_scale, mouth_y + depth * (1 - t * t)) for t in along]

    upper_lip = lip(smile)
    open_mouth = smile > 0.025 and rng.random() < 0.6
    if open_mouth:  # a wide smile, open: dark inside, teeth under the upper lip
        opening = rng.uniform(0.5, 1.3) * smile
        lower_lip = lip(smile + opening)
        pen.polygon(upper_lip + lower_lip[::-1], fill=MOUTH_INSIDE, outline=LIPS, width=max(1, canvas.px(0.008)))
        pen.polygon(upper_lip[1:-1] + lip(smile + 0.3 * opening, width_scale=0.8)[::-1][1:-1], fill=WHITE)
    else:
        pen.line(upper_lip, fill=LIPS, width=max(1, canvas.px(rng.uniform(0.01, 0.02))), joint="curve")
    moustache = rng.random() < 0.12
    if moustache:
        top, bottom = mouth_y - 0.037, mouth_y - 0.013
        outline = [canvas.point(mouth_x - half_width, bottom), canvas.point(mouth_x, top),
                   canvas.point(mouth_x + half_width, bottom), canvas.point(mouth_x, mouth_y - 0.019)]
        pen.polygon(outline, fill=hair)
    return {"mouth": "open" if open_mouth else "closed", "moustache": "yes" if moustache else "no"}


def _background(rng, canvas_size):
    """A vertical gradient between two colours of similar hue: an RGB image."""
    top = rng.integers(0, 256, size=3)
    bottom = np.array(_jitter(rng, top * rng.uniform(0.5, 1.0), 30))
    weight = np.linspace(0.0, 1.0, canvas_size)[:, None, None]  # 0 at the top row, 1 at the bottom
    column = ((1 - weight) * top + weight * bottom).astype(np.uint8)  # (canvas_size, 1, 3)
    return Image.fromarray(column).resize((canvas_size, canvas_size), Image.Resampling.NEAREST)


def _skin_colour(rng):
    shade = rng.random()
    return _jitter(rng, (1 - shade) * LIGHT_SKIN + shade * DARK_SKIN, 10)


def _jitter(rng, colour, amount):
    """colour plus uniform noise in [-amount, amount] per channel, as an int RGB tuple."""
    noisy = np.asarray(colour, dtype=float) + rng.uniform(-amount, amount, size=3)
    return tuple(int(c) for c in np.clip(noisy, 0, 255))


def _mix(colour_a, colour_b, weight_b):
    return tuple(int((1 - weight_b) * a + weight_b * b) for a, b in zip(colour_a, colour_b))


class _Canvas:
    """Converts canvas units (0..1, origin top left) to pixels on a canvas_size square."""

    def __init__(self, canvas_size):
        self.canvas_size = canvas_size

    def px(self, length):
        return round(length * self.canvas_size)

    def point(self, x, y):
        return (x * self.canvas_size, y * self.canvas_size)

    def box(self, centre_x, centre_y, radius_x, radius_y):
        """The bounding box [x0, y0, x1, y1] of an ellipse or rectangle, in pixels."""
        size = self.canvas_size
        return [(centre_x - radius_x) * size, (centre_y - radius_y) * size,
                (centre_x + radius_x) * size, (centre_y + radius_y) * size]
