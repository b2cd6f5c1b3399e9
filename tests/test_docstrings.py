"""help() answers: every public module, class, function and method of the package has a docstring
(a method may inherit its base class's, as forward and backward do from Module), and nanogan.__doc__
lists every public submodule."""

import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

import nanogan

PACKAGE = Path(nanogan.__file__).parent


def public_modules():
    return [info.name for info in pkgutil.walk_packages(nanogan.__path__, "nanogan.")
            if not any(part.startswith("_") for part in info.name.split("."))]


def undocumented(module_name):
    module = importlib.import_module(module_name)
    missing = [] if inspect.getdoc(module) else [module_name]
    for name, value in vars(module).items():
        if name.startswith("_") or getattr(value, "__module__", None) != module_name:
            continue
        if inspect.isfunction(value) and not inspect.getdoc(value):
            missing.append(f"{module_name}.{name}")
        if inspect.isclass(value):
            if not inspect.getdoc(value):
                missing.append(f"{module_name}.{name}")
            for member, attribute in vars(value).items():
                documentable = inspect.isfunction(attribute) or isinstance(attribute, property)
                if documentable and not member.startswith("_") and not inspect.getdoc(getattr(value, member)):
                    missing.append(f"{module_name}.{name}.{member}")
    return missing


@pytest.mark.parametrize("module_name", public_modules())
def test_every_public_name_has_a_docstring(module_name):
    assert undocumented(module_name) == []


def test_layers_explain_forward_backward_train_and_eval():
    from nanogan import nn

    for method in (nn.Module.forward, nn.Module.backward, nn.Module.train, nn.Module.eval, nn.Linear.forward,
                   nn.Dropout.backward, nn.Sequential.append):
        assert len(inspect.getdoc(method)) > 20, method


def test_the_package_docstring_lists_every_public_submodule():
    submodules = {path.stem if path.suffix == ".py" else path.name for path in PACKAGE.iterdir()
                  if (path.suffix == ".py" or (path / "__init__.py").exists()) and not path.name.startswith("_")}
    missing = [name for name in sorted(submodules) if f"nanogan.{name} " not in nanogan.__doc__]
    assert not missing, f"nanogan.__doc__ does not list {missing}"
