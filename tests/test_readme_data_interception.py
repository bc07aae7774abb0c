"""The README's Interception and Data for tests sections, run as written: every Python
example (a pytest example in a suite of its own), and the data set example loaded."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mockserver import create_app

README = Path(__file__).resolve().parents[1] / "README.md"
SECTIONS = ("Interception", "Data for tests")


def _blocks(language: str) -> list[tuple[str, str]]:
    text = README.read_text(encoding="utf-8")
    found = []
    for title in SECTIONS:
        section = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## )", text, flags=re.S | re.M)
        assert section is not None, f"README has no '## {title}' section"
        found += [(title, code) for code in re.findall(rf"^```{language}\n(.*?)^```", section.group(1), flags=re.S | re.M)]
    return found


def test_the_sections_have_examples():
    assert {title for title, _ in _blocks("python")} == set(SECTIONS)
    assert len(_blocks("json")) == 1


@pytest.mark.parametrize("code", [code for _, code in _blocks("python") if "def test_" not in code])
def test_python_example_runs(code):
    exec(compile(code, str(README), "exec"), {"__name__": "readme_example"})


@pytest.mark.parametrize("code", [code for _, code in _blocks("python") if "def test_" in code])
def test_pytest_example_passes(pytester, code):
    pytester.makepyfile(test_readme_example=code)
    result = pytester.runpytest("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=code.count("\ndef test_") + code.startswith("def test_"))


def test_the_data_set_example_loads(tmp_path):
    [(_, document)] = _blocks("json")
    path = tmp_path / "example.json"
    path.write_text(document)
    app = create_app(fixtures=path, strict_responses=True)
    client = app.test_client()
    thread = client.get("/resources/conversations/thread-1", auth=("sk_test_mockserver", "")).get_json()
    assert thread["users"][0]["externalId"] == "user-ann" and thread["admins"][0]["name"] == "Sam Support"
    page = client.get("/api/conversations", headers={"Authorization": "Bearer mockserver-token", "Accept": "application/json"}).get_json()
    assert page["data"][0]["contact"]["first_name"] == "Ann" and json.loads(document)["monica"]["accounts"][0]["me"]["first_name"] == "Regis"
