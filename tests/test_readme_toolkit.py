"""The README's sections on the journal, faults and the control API, executed: their
Python examples as a downstream test suite (the plugin's fixture, no conftest), their
shell examples with curl against a running server."""
from __future__ import annotations

import re
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from mockserver import MockServer

README = Path(__file__).resolve().parent.parent / "README.md"
SECTIONS = ("Journal and assertions", "Faults and latency", "Control API")
FENCE = re.compile(r"^( *)```(\w+)\n(.*?)^\1```$", re.S | re.M)


def blocks(language: str) -> list[str]:
    text = README.read_text()
    found = []
    for title in SECTIONS:
        start = text.index(f"\n## {title}\n")
        end = text.find("\n## ", start + 1)
        section = text[start:end]
        found += [textwrap.dedent(body) for indent, lang, body in FENCE.findall(section) if lang == language]
    return found


def test_the_sections_have_examples():
    assert len(blocks("python")) >= 4 and len(blocks("sh")) >= 1


def test_the_python_examples_pass_as_a_downstream_suite(pytester):
    examples = blocks("python")
    for number, code in enumerate(examples):
        pytester.makepyfile(**{f"test_readme_{number}": code})
    expected = sum(len(re.findall(r"^def test_", code, re.M)) for code in examples)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=expected)


@pytest.mark.skipif(shutil.which("curl") is None, reason="no curl on the PATH")
def test_the_shell_examples_run_against_a_server():
    with MockServer() as server:
        for script in blocks("sh"):
            done = subprocess.run(["bash", "-euo", "pipefail", "-c", script.replace("http://127.0.0.1:8080", server.url)],
                                  capture_output=True, text=True, timeout=60)
            assert done.returncode == 0, (script, done.stdout, done.stderr)
            assert "503" in done.stdout
