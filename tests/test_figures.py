"""The docs' figures come from their scripts: each PNG under docs/images/ (outside training/) is one that
scripts/draw_figures.py or scripts/toy_gan_log.py draws, and each one they draw is shown on a page.
(tests/test_docs.py runs both scripts, with fast arguments, into a temporary folder.)"""

import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"
SCRIPTS = ROOT / "scripts"


def load(name, monkeypatch):
    monkeypatch.syspath_prepend(str(SCRIPTS))  # toy_gan_log.py imports its text module from next to it
    spec = importlib.util.spec_from_file_location(f"script_{name}", SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def shown_on_pages():
    """Image paths, relative to docs/images/, that the docs pages show."""
    shown = set()
    for page in (ROOT / "docs").glob("*.md"):
        shown.update(re.findall(r"!\[[^\]]*\]\(images/([^)\s]+\.png)\)", page.read_text(encoding="utf-8")))
    return shown


def test_draw_figures_draws_exactly_the_figures_in_docs_images_and_each_is_shown(monkeypatch):
    drawn = set(load("draw_figures", monkeypatch).FIGURES)
    assert drawn == {path.name for path in IMAGES.glob("*.png")}
    assert drawn <= shown_on_pages()


def test_the_toy_gan_log_draws_exactly_its_figures_and_its_page_shows_them(monkeypatch):
    drawn = {f"toy-gan-log/{name}" for name in load("toy_gan_log", monkeypatch).FIGURES}
    assert drawn == {f"toy-gan-log/{path.name}" for path in (IMAGES / "toy-gan-log").glob("*.png")}
    assert drawn <= shown_on_pages()
