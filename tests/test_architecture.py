"""The package's layers, as docs/README.md draws them, hold: every import points down, and none goes in a circle.

Each import statement of every module under nanogan/ (inside functions too) is read with ast and
resolved to the module it loads. A module may import modules of its own part (its subpackage, or
itself) and of any part in a lower layer; tools may also import other tools; nothing inside the
package imports the package's own __init__ (it re-exports, it defines nothing); and the import
graph has no cycle.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "nanogan"

# Bottom to top: (layer, its parts). A part is a subpackage or a module directly under nanogan/.
LAYERS = [
    ("foundation", ("backend", "blas", "random", "files")),
    ("engine: kernels", ("kernels",)),
    ("engine: layers", ("nn",)),
    ("engine: optimizers", ("optim",)),
    ("engine: penalties", ("penalties",)),
    ("engine: objectives", ("objectives",)),
    ("engine: training and checks", ("gradcheck", "training")),
    ("tools", ("models", "data", "io", "metrics", "images", "plots", "cli")),
    ("applications", ("toy", "dcgan")),
]
LAYER_OF = {part: index for index, (_, parts) in enumerate(LAYERS) for part in parts}
TOOLS = LAYER_OF["models"]


def module_name(path):
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def part_of(module):
    """"nanogan.nn.conv" -> "nn"; "nanogan" (the package's __init__) -> None."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def resolve(module, node):
    """The modules that an Import or ImportFrom node of `module` loads, as dotted names."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
        base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
        base = f"{base}.{node.module}" if node.module else base
    else:
        base = node.module
    return [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]


def imports_of(module):
    """[(imported module, line)] for every nanogan import in `module`'s file."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found += [(target, node.lineno) for target in resolve(module, node)
                      if target == "nanogan" or target.startswith("nanogan.")]
    return found


def violation(module, target):
    """Why `module` may not import `target`, or None when it may."""
    source_part, target_part = part_of(module), part_of(target)
    if target_part is None:
        return "nothing inside the package imports nanogan/__init__.py; import the module that defines the name"
    if source_part is None:  # the package's __init__: a facade over the engine and the tools
        if LAYER_OF[target_part] > TOOLS:
            return "`import nanogan` must not load an application"
        return None
    if source_part == target_part:
        return None
    source_layer, target_layer = LAYER_OF[source_part], LAYER_OF[target_part]
    if target_layer < source_layer or (source_layer == target_layer == TOOLS):
        return None
    return (f"the {LAYERS[source_layer][0]} layer ({source_part}) may import only its own part and the layers "
            f"below it, and {target_part} is in the {LAYERS[target_layer][0]} layer")


def test_every_part_of_the_package_has_a_layer():
    parts = {part_of(module) for module in MODULES} - {None}
    assert parts <= set(LAYER_OF), f"parts with no layer in LAYERS: {sorted(parts - set(LAYER_OF))}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down_the_layers(module):
    problems = [f"{MODULES[module].relative_to(ROOT)}:{line} imports {target}: {reason}"
                for target, line in imports_of(module) if (reason := violation(module, target))]
    assert not problems, "\n".join(problems)


def cycles(graph):
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in graph[node]:
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_one_that_imports_it_back():
    graph = {module: sorted({target for target, _ in imports_of(module) if target in MODULES and target != module})
             for module in MODULES}
    assert not cycles(graph), f"import circles: {cycles(graph)}"


def test_the_checker_finds_a_planted_upward_import_and_a_planted_circle():
    assert violation("nanogan.nn.conv", "nanogan.models.dcgan") is not None
    assert violation("nanogan.kernels.im2col", "nanogan.nn.module") is not None
    assert violation("nanogan.models.dcgan", "nanogan.dcgan.trainer") is not None
    assert violation("nanogan.toy.data", "nanogan.dcgan.run") is not None
    assert violation("nanogan.training", "nanogan") is not None
    assert violation("nanogan.dcgan.trainer", "nanogan.models.dcgan") is None
    assert cycles({"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"]}) == [["a", "b", "c"]]
    assert cycles({"a": ["b"], "b": []}) == []
