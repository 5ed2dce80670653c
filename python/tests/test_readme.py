"""The README's "From Python" example prints what the README says it prints."""

import contextlib
import io
import re

from conftest import REPO


def test_the_readme_example_prints_its_shown_output():
    readme = (REPO / "README.md").read_text()
    section = readme[readme.index("## From Python"):]
    section = section[: section.index("\n## ", 1)]
    blocks = re.findall(r"```(\w+)\n(.*?)```", section, re.S)
    kinds = [kind for kind, _ in blocks]
    code = blocks[kinds.index("python")][1]
    shown = blocks[kinds.index("python") + 1]
    assert shown[0] == "text"
    assert len([line for line in code.splitlines() if line.strip()]) == 5
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, "README.md", "exec"), {})
    assert printed.getvalue() == shown[1]
