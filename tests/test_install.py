"""The package as a new user gets it: a wheel in a fresh virtual environment, used from
another directory. A green suite with a broken install would be a broken product."""
from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (ROOT / "pyproject.toml").exists():
        pytest.skip("not running from a source checkout")
    work = tmp_path_factory.mktemp("install")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(work / "dist"), str(ROOT)], check=True, capture_output=True)
    [wheel] = (work / "dist").glob("conversations_mockserver-*.whl")
    subprocess.run([sys.executable, "-m", "venv", str(work / "venv")], check=True)
    subprocess.run([str(work / "venv/bin/pip"), "install", "--quiet", str(wheel)], check=True, capture_output=True)
    return work


def test_the_wheel_ships_schemas_fixtures_typing_and_the_plugin(installed: Path) -> None:
    probe = (
        "import json, importlib.metadata as md, importlib.util, mockserver\n"
        "from mockserver.resources import data_dir\n"
        "from mockserver import validation\n"
        "dist = md.distribution('conversations-mockserver')\n"
        "print(json.dumps({'file': mockserver.__file__, 'schemas': str(data_dir('schemas')), 'fixtures': str(data_dir('fixtures')),"
        " 'typed': (data_dir('schemas').parent / 'py.typed').exists(),"
        " 'notice': (data_dir('schemas').parent / 'seed_words.LICENSE').read_text().count('Daniele Faraglia'),"
        " 'plugins': [e.value for e in md.entry_points(group='pytest11')],"
        " 'faker': importlib.util.find_spec('faker') is not None,"
        " 'version': [dist.version, mockserver.__version__],"
        " 'licenses': sorted(str(f) for f in dist.files if 'licenses' in str(f) or str(f).endswith('LICENSE')),"
        " 'classifiers': dist.metadata.get_all('Classifier'),"
        " 'problem': validation.first_problem('vitally', 'conversation.create', {}).message,"
        " 'loaded': mockserver.create_app(fixtures=sorted((data_dir('fixtures') / 'datasets').glob('*.json'))).extensions['mockserver'].vendors['vitally'].record_counts()}))\n"
    )
    out = subprocess.run([str(installed / "venv/bin/python"), "-c", probe], cwd=installed, check=True, capture_output=True, text=True).stdout
    found = json.loads(out)
    site = str(installed / "venv")
    assert found["file"].startswith(site), "imported from the checkout, not the wheel"
    assert found["schemas"].startswith(site) and found["fixtures"].startswith(site)
    assert found["typed"]
    assert found["plugins"] == ["mockserver.pytest_plugin"]  # no Faker plugin: Faker is an extra, not a dependency
    assert not found["faker"]
    assert found["notice"] == 1  # Faker's licence notice, next to the word lists copied from it
    assert any(f.endswith("LICENSE") and "dist-info" in f for f in found["licenses"]), found["licenses"]
    assert found["version"][0] == found["version"][1]
    assert {"Framework :: Pytest", "Typing :: Typed"} <= set(found["classifiers"])
    assert found["problem"] == "externalId is required"
    assert found["loaded"]["sk_test_mockserver"]["conversations"] == 3  # the example data sets, from the wheel


def test_the_installed_command_serves_both_vendors(installed: Path) -> None:
    proc = subprocess.Popen([str(installed / "venv/bin/mockserver"), "serve", "--port", "0"], cwd=installed, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline().strip()
        assert first.startswith("mockserver listening on http://"), proc.stderr.read() if proc.poll() is not None else first
        url = first.rsplit(" ", 1)[1]
        auth = ("sk_test_mockserver", "")
        assert requests.get(url + "/resources/conversations", auth=auth, timeout=5).status_code == 200
        bad = requests.post(url + "/resources/conversations", auth=auth, json={"subject": "s", "messages": []}, timeout=5)
        assert bad.status_code == 400 and bad.json()["message"] == "externalId is required"
        monica = requests.get(url + "/api/conversations", headers={"Authorization": "Bearer mockserver-token", "Accept": "application/json"}, timeout=5)
        assert monica.status_code in (200, 404)  # 200 once the Monica API is installed
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=10)
    assert proc.returncode == 0
