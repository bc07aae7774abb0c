"""The benchmark keeps working: `python -m bench --quick` runs and writes well-formed results.

No timing is asserted here; the figures are for bench/README.md, not for pass/fail.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow  # most of a minute: `-m "not slow"` leaves it out while iterating
@pytest.mark.skipif(not (ROOT / "bench" / "run.py").is_file(), reason="not running from a source checkout")
def test_quick_bench_writes_json_and_markdown(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "bench", "--quick", "--out", str(tmp_path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]

    report = json.loads((tmp_path / "latest.json").read_text(encoding="utf-8"))
    assert {"command", "date", "machine", "figures"} <= set(report)
    figures = [f for f in report["figures"] if "skipped" not in f]
    sections = {f["section"] for f in figures}
    assert {"boot", "reset", "in-process", "scale"} <= sections
    assert any(s.startswith("loopback") for s in sections)
    for figure in figures:
        assert figure["runs"], figure["name"]
        assert figure["min"] <= figure["median"] <= figure["max"], figure["name"]
        if figure["baseline"] is not None:
            assert figure["ratio"] is not None and figure["ratio"] > 0, figure["name"]
        assert figure["met"] in (True, False, None)
    assert any(f["target"] for f in figures)
    # Prism is a peer only where it is installed: measured, or skipped with the reason.
    peer = [f for f in report["figures"] if f["section"] == "peer (Prism)"]
    assert peer and all("skipped" in f or f["baseline_label"].startswith("Prism") for f in peer)

    markdown = (tmp_path / "latest.md").read_text(encoding="utf-8")
    assert markdown.startswith("# mockserver benchmark results")
    assert "## Targets" in markdown and "## boot" in markdown
