"""The example notebook runs headless from top to bottom without an error."""

import os
from pathlib import Path

import pytest

from conftest import REPO

NOTEBOOKS = sorted((REPO / "examples").glob("*.ipynb"))


def _require(module):
    try:
        return __import__(module)
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail(f"{module} is needed to run the example notebooks")
        pytest.skip(f"{module} is not installed")


def test_there_is_an_example_notebook():
    assert [p.name for p in NOTEBOOKS] == ["plan-from-estimator.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_the_notebook_runs(path: Path, tmp_path):
    nbformat = _require("nbformat")
    nbclient = _require("nbclient")
    _require("ipykernel")
    _require("matplotlib")
    notebook = nbformat.read(path, as_version=4)
    # Run where a reader would: beside the notebook; a kernel error raises CellExecutionError.
    nbclient.NotebookClient(
        notebook, timeout=600, kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "Set MaxWaitTimeInSeconds = " in text
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert images, "the curve was not plotted"
