"""The exercises of docs/exercises.md keep working solutions: each file of docs/solutions/ ends in a
check() that runs here (on every backend when it takes one), and the page links every solution."""

import importlib.util
import inspect
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = sorted((ROOT / "docs" / "solutions").glob("*.py"))


def load(path):
    spec = importlib.util.spec_from_file_location(f"solution_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def takes_backend(path):
    return "backend" in inspect.signature(load(path).check).parameters


@pytest.mark.parametrize("path", [path for path in SOLUTIONS if not takes_backend(path)], ids=lambda path: path.stem)
def test_the_solution_passes_its_check(path):
    load(path).check()


@pytest.mark.parametrize("path", [path for path in SOLUTIONS if takes_backend(path)], ids=lambda path: path.stem)
def test_the_solution_passes_its_check_on_every_backend(path, backend):
    load(path).check(backend)


def test_the_exercises_page_links_every_solution_and_nothing_else():
    page = (ROOT / "docs" / "exercises.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\(solutions/(\w+\.py)\)", page))
    assert linked == {path.name for path in SOLUTIONS}


def test_each_solution_names_its_exercise_in_page_order():
    page = (ROOT / "docs" / "exercises.md").read_text(encoding="utf-8")
    order = list(dict.fromkeys(re.findall(r"\]\(solutions/(\w+\.py)\)", page)))
    for number, name in enumerate(order, start=1):
        docstring = load(ROOT / "docs" / "solutions" / name).__doc__
        assert docstring.startswith(f"Exercise {number} (docs/exercises.md)"), name
