"""The reference tools' metric functions, for tests/test_metrics_reference.py, even where torchvision cannot load.

pytorch-fid's fid_score.py and torch-fidelity's package import torchvision at their top,
and the registry's torchvision wheel fails to import beside the CPU build of torch
("operator torchvision::nms does not exist", from torchvision._meta_registrations).
The functions compared here (calculate_frechet_distance; torch-fidelity's KID, IS and
precision/recall on features) use neither torchvision nor a network. So where
`import torchvision` fails, each tool module is imported from its installed file, as
it is, while placeholder modules stand in for torchvision and for the tool modules
that need it (pytorch_fid.inception; torch_fidelity's package __init__ and utils);
afterwards the placeholders and the tool modules are taken out of sys.modules again,
so nothing else in the test session sees a placeholder. The code compared is the tool's
own, unchanged. Where torchvision imports, the tools are imported as usual.
"""

import contextlib
import importlib
import importlib.util
import sys
import types

import pytest

TORCH_FIDELITY_UTILS_NAMES = ("create_feature_extractor", "extract_featuresdict_from_input_id_cached",
                              "resolve_feature_extractor", "resolve_feature_layer_for_metric")


def torchvision_imports():
    try:
        import torchvision  # noqa: F401
    except Exception:  # ImportError, or the RuntimeError of a torchvision built for another torch
        return False
    return True


def placeholder(name, attributes=None, package_path=None):
    """A module named `name` holding `attributes` (a dict); a package when package_path is given."""
    module = types.ModuleType(name, "a placeholder: see tests/reference_tools.py")
    for attribute, value in (attributes or {}).items():
        setattr(module, attribute, value)
    if package_path is not None:
        module.__path__ = package_path
    return module


@contextlib.contextmanager
def only_while_importing(placeholders):
    """Put `placeholders` into sys.modules; afterwards remove them, and every module imported meanwhile
    from their packages (the tool's own modules; torch and the rest stay)."""
    before = set(sys.modules)
    packages = {module.__name__.partition(".")[0] for module in placeholders}
    sys.modules.update({module.__name__: module for module in placeholders})
    try:
        yield
    finally:
        for name in set(sys.modules) - before:
            if name.partition(".")[0] in packages:
                del sys.modules[name]


def import_tool_modules(names, placeholders):
    """The modules `names`, imported normally where torchvision imports, else beside `placeholders`."""
    if torchvision_imports():
        return [importlib.import_module(name) for name in names]
    with only_while_importing(placeholders):
        return [importlib.import_module(name) for name in names]


def pytorch_fid_score():
    """pytorch_fid.fid_score (for calculate_frechet_distance), or skip without pytorch-fid."""
    pytest.importorskip("torch")
    pytest.importorskip("pytorch_fid")
    torchvision = placeholder("torchvision", package_path=[])
    torchvision.transforms = placeholder("torchvision.transforms")
    # fid_score.py reads InceptionV3.BLOCK_INDEX_BY_DIM for its command line's --dims choices
    network = types.SimpleNamespace(BLOCK_INDEX_BY_DIM={2048: 3})
    inception = placeholder("pytorch_fid.inception", {"InceptionV3": network})
    (fid_score,) = import_tool_modules(["pytorch_fid.fid_score"], [torchvision, torchvision.transforms, inception])
    return fid_score


def torch_fidelity_metrics():
    """torch_fidelity's metric_kid, metric_isc, metric_prc and defaults modules, or skip without torch-fidelity."""
    pytest.importorskip("torch")
    spec = importlib.util.find_spec("torch_fidelity")
    if spec is None:
        pytest.skip("torch-fidelity is not installed")
    package = placeholder("torch_fidelity", package_path=list(spec.submodule_search_locations))
    utils = placeholder("torch_fidelity.utils", dict.fromkeys(TORCH_FIDELITY_UTILS_NAMES))
    names = ["torch_fidelity.metric_kid", "torch_fidelity.metric_isc", "torch_fidelity.metric_prc",
             "torch_fidelity.defaults"]
    return import_tool_modules(names, [package, utils])
