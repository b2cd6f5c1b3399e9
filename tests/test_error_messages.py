"""Error messages name only things that exist: every `nanogan.x.y` quoted in a message the package raises
(or prints through cli.fail) resolves to a module or an attribute."""

import ast
import re
from pathlib import Path

import pytest

from test_docs import resolve_module_path

PACKAGE = Path(__file__).resolve().parent.parent / "nanogan"
NAME = re.compile(r"\bnanogan(?:\.[A-Za-z_][A-Za-z0-9_]*)+")
MESSAGE_CALLS = {"fail", "_error", "_no_gpu"}  # functions that build a message for the user


def is_message_call(node):
    """A call that builds an error message: an exception class (SomethingError(...)) or a message helper."""
    if not isinstance(node, ast.Call):
        return False
    function = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
    return function in MESSAGE_CALLS or function.endswith("Error") or function.endswith("Exception")


def constants(tree):
    """Module-level names bound to strings (FORMATS = "..."), which messages may quote by name."""
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            strings = [inner.value for inner in ast.walk(node.value)
                       if isinstance(inner, ast.Constant) and isinstance(inner.value, str)]
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = strings
    return found


def message_texts(tree):
    """The string pieces of every raise statement and every message-building call, with the
    module-level string constants that they use."""
    named = constants(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) or is_message_call(node):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Constant) and isinstance(inner.value, str):
                    yield inner.value
                elif isinstance(inner, ast.Name):
                    yield from named.get(inner.id, ())


def quoted_names():
    names = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for text in message_texts(ast.parse(path.read_text(encoding="utf-8"))):
            for name in NAME.findall(text):
                names.setdefault(name, str(path.relative_to(PACKAGE.parent)))
    return names


NAMES = quoted_names()


def test_the_messages_quote_names_at_all():
    assert {"nanogan.nn.BCEWithLogitsLoss", "nanogan.backend.to_backend", "nanogan.io.load_checkpoint"} <= set(NAMES)


@pytest.mark.parametrize("name", sorted(NAMES))
def test_each_name_quoted_in_an_error_message_exists(name):
    assert resolve_module_path(name), f"{NAMES[name]} quotes {name} in an error message, and it does not exist"


def test_no_grad_is_at_the_top_level_as_the_backward_error_says():
    import nanogan
    from nanogan import nn

    assert nanogan.no_grad is nn.no_grad
    layer = nn.Linear(2, 2)
    with pytest.raises(ValueError, match=r"outside nanogan\.no_grad\(\)"):
        layer.backward(layer.weight.data)
