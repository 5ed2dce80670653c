"""The stubs describe the extension module as built: the same names, the same signatures."""

import ast
import inspect
from pathlib import Path

import spotsim
from spotsim import _spotsim

STUBS = Path(spotsim.__file__).with_name("_spotsim.pyi")


def _stubbed():
    tree = ast.parse(STUBS.read_text())
    names = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            names[node.name] = [a.arg for a in node.args.args]
        elif isinstance(node, ast.ClassDef) and node.name != "JobSource":
            names[node.name] = None
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names[node.target.id] = None
    return names


def test_every_member_is_stubbed_and_every_stub_exists():
    public = {n for n in dir(_spotsim) if not n.startswith("_") or n == "__version__"}
    public -= {"__builtins__"}
    assert set(_stubbed()) == public


def test_function_signatures_match():
    for name, parameters in _stubbed().items():
        if parameters is None:
            continue
        actual = list(inspect.signature(getattr(_spotsim, name)).parameters)
        assert actual == parameters, name


def test_the_package_is_typed():
    assert STUBS.with_name("py.typed").exists()
