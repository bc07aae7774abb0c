"""The control API's page in a real headless browser: what a person opening
http://127.0.0.1:PORT/__mockserver/ sees. Needs Chromium (`.ci/run` installs Debian's)."""
from __future__ import annotations

import shutil
import subprocess

import pytest
import requests
from html_tables import tables

from mockserver import MockServer

BROWSER = next((found for name in ("chromium", "chromium-browser", "google-chrome") if (found := shutil.which(name))), None)


@pytest.mark.skipif(BROWSER is None, reason="no Chromium on the PATH (apt-get install chromium)")
def test_the_page_in_a_headless_browser_shows_tenants_counts_and_the_latest_requests(tmp_path):
    assert BROWSER is not None
    with MockServer(strict_responses=True) as server:
        v = server.vitally
        body = {"externalId": "seen-in-browser", "subject": "s", "messages": []}
        assert requests.post(f"{v.base_url}/conversations", json=body, auth=v.auth, timeout=10).status_code == 200
        assert requests.get(f"{server.monica.base_url}/nope", headers=server.monica.headers, timeout=10).status_code == 404
        # The browser sends its own Accept header (text/html first): content negotiation for real.
        done = subprocess.run(
            [BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", f"--user-data-dir={tmp_path}",
             "--dump-dom", server.url_for("/__mockserver/")],
            capture_output=True, text=True, timeout=120,
        )
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    assert "<title>mockserver</title>" in dom
    found = tables(dom)
    vitally_row, monica_row = found["tenants"]
    assert vitally_row[:3] == ["vitally", "/resources", "sk_test_mockserver"]
    assert "conversations: 26" in vitally_row[3]  # 25 seeded, one created above
    assert monica_row[:3] == ["monica", "/api", "mockserver-token"] and "contacts: 12" in monica_row[3]
    newest, created = found["requests"][:2]
    assert (newest[2], newest[3], newest[4], newest[5]) == ("GET", "/api/nope", "404", "unknown_route")
    assert (created[2], created[3], created[4], created[6]) == ("POST", "/resources/conversations", "200", "vitally.createConversation")
    assert ["GET", "/__mockserver/requests"] in [row[:2] for row in found["routes"]]
