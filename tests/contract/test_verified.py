"""Vendor-verified runs as a downstream suite meets them: its own marked tests, run with
pytest against a second fake that stands in for the real vendor (never the internet)."""
from __future__ import annotations

import json

import pytest

from .conftest import contract, drifted, fake

LIVE_KEY = "sk_live_verified_SECRET_1"
LIVE_TOKEN = "monica-verified-SECRET-2"

DOWNSTREAM = '''
import os

import pytest
import requests

from mockserver.probe import FakeOnlyError


@pytest.mark.vendor_verified
def test_lists_conversations(mockserver):
    v = mockserver.vitally
    r = requests.get(v.base_url + "/conversations", params={"limit": 3}, auth=v.auth)
    assert r.status_code == 200 and len(r.json()["results"]) == 3


@pytest.mark.vendor_verified
def test_creates_a_conversation(mockserver):
    v = mockserver.vitally
    r = requests.post(v.base_url + "/conversations", auth=v.auth, json={"externalId": "verified-1", "subject": "s", "messages": []})
    assert r.status_code == 200
    assert requests.get(v.base_url + "/conversations/verified-1", auth=v.auth).json()["subject"] == "s"


@pytest.mark.vendor_verified
def test_reads_monica(mockserver):
    m = mockserver.monica
    assert requests.get(m.base_url + "/contacts", headers=m.headers).status_code == 200
    assert requests.get(m.base_url + "/conversations/2147483647", headers=m.headers).status_code == 404


@pytest.mark.vendor_verified
def test_points_where_it_should(mockserver, mockserver_target):
    assert mockserver.vitally.base_url.endswith("/resources") and mockserver.monica.base_url.endswith("/api")
    if mockserver_target == "live" and os.environ.get("EXPECT_LIVE_URL"):
        assert mockserver.vitally.base_url == os.environ["MOCKSERVER_VITALLY_URL"].rstrip("/") + "/resources"
        assert mockserver.monica.token == os.environ["MOCKSERVER_MONICA_TOKEN"]
    if mockserver_target == "fake":
        assert mockserver.vitally.api_key == "sk_test_mockserver"


@pytest.mark.vendor_verified
def test_fake_only_features_say_so(mockserver, mockserver_target):
    if mockserver_target != "live":
        pytest.skip("the fake has them")
    with pytest.raises(FakeOnlyError, match=r"mockserver\\.reset is only available on the fake"):
        mockserver.reset()
    with pytest.raises(FakeOnlyError, match=r"mockserver\\.journal is only available on the fake"):
        mockserver.journal
    with pytest.raises(FakeOnlyError, match=r"mockserver\\.vitally\\.conversations is only available on the fake"):
        mockserver.vitally.conversations
    with pytest.raises(FakeOnlyError, match=r"mockserver\\.monica\\.create_contact is only available on the fake"):
        mockserver.monica.create_contact("Ann")
    with pytest.raises(FakeOnlyError, match="other vitally tenants exist only on the fake"):
        mockserver.vitally_workspace("another-key")


def test_unmarked(mockserver):
    mockserver.reset()
    assert mockserver.vitally.conversations
'''


@pytest.fixture
def vendor(monkeypatch):
    """The stand-in for the real vendors: a second fake, with its own credentials and data."""
    with fake(seed=42, vitally_keys=[LIVE_KEY], monica_tokens=[LIVE_TOKEN]) as server:
        monkeypatch.setenv("MOCKSERVER_VITALLY_URL", server.url)
        monkeypatch.setenv("MOCKSERVER_VITALLY_KEY", LIVE_KEY)
        monkeypatch.setenv("MOCKSERVER_MONICA_URL", server.url + "/api/")
        monkeypatch.setenv("MOCKSERVER_MONICA_TOKEN", LIVE_TOKEN)
        yield server


def _run(pytester, *args):
    pytester.makepyfile(test_downstream=DOWNSTREAM)
    return pytester.runpytest("-p", "no:cacheprovider", "-rs", *args)


def test_by_default_marked_tests_run_against_the_fake(pytester, vendor):
    result = _run(pytester)
    result.assert_outcomes(passed=5, skipped=1)
    assert vendor.vitally.conversation("verified-1") is None  # nothing reached the stand-in


def test_live_runs_only_marked_tests_against_the_vendor(pytester, vendor, monkeypatch):
    monkeypatch.setenv("EXPECT_LIVE_URL", "1")  # no recorder in between: the handles hold the vendor's own URL
    result = _run(pytester, "--mockserver-target=live")
    result.assert_outcomes(passed=5, skipped=1)
    result.stdout.fnmatch_lines(["*not marked vendor_verified: --mockserver-target=live runs only those*"])
    assert vendor.vitally.conversation("verified-1") is not None  # the marked test wrote to the "vendor"


def test_a_live_run_records_a_redacted_har_that_the_offline_check_accepts(pytester, vendor):
    har_path = pytester.path / "live.har"
    result = _run(pytester, "--mockserver-target=live", f"--mockserver-record={har_path}")
    result.assert_outcomes(passed=5, skipped=1)
    result.stdout.fnmatch_lines(["mockserver: 5 exchange(s) with the vendor recorded in *live.har (credentials redacted)"])
    text = har_path.read_text()
    entries = json.loads(text)["log"]["entries"]
    assert len(entries) == 5
    assert all(entry["request"]["url"].startswith(vendor.url) for entry in entries)  # the vendor's URLs, not the recorder's
    import base64

    for secret in (LIVE_KEY, LIVE_TOKEN, base64.b64encode(f"{LIVE_KEY}:".encode()).decode()):
        assert secret not in text
    assert '"[redacted]"' in text
    for vendor_name in ("vitally", "monica"):
        outcome = contract(vendor_name, "--recorded", str(har_path), "--json")
        assert outcome.code == 0, outcome.out
        assert sum(op["calls"] for op in outcome.report["operations"]) == (3 if vendor_name == "vitally" else 2)


# Workers start without the heavy plugins this environment has installed: only startup time.
@pytest.mark.parametrize("workers", [[], ["-n", "2", "-p", "no:schemathesis", "-p", "no:hypothesispytest"]], ids=["one process", "xdist"])
def test_both_runs_marked_tests_twice_and_compares_shapes(pytester, vendor, workers):
    result = _run(pytester, "--mockserver-target=both", *workers)
    result.assert_outcomes(passed=10, skipped=1)  # 5 marked x (fake, live), test_fake_only_features_say_so[fake] skipped, test_unmarked once
    result.stdout.fnmatch_lines(["*mockserver: fake and vendor compared (status, keys, types)*",
                                 "3 test(s) compared on the fake and the vendor: no difference"])


def _renamed(method, path, status, body):
    if path == "/resources/conversations" and status == 200:
        for item in body["results"]:
            item["title"] = item.pop("subject")
        return status, body
    if path == "/api/conversations/2147483647":
        return 410, {"message": "Gone"}
    return None


def test_both_reports_where_the_vendor_answers_differ_in_shape(pytester, monkeypatch):
    with drifted(_renamed, seed=42) as url:
        monkeypatch.setenv("MOCKSERVER_VITALLY_URL", url)
        monkeypatch.setenv("MOCKSERVER_VITALLY_KEY", "sk_test_mockserver")
        monkeypatch.setenv("MOCKSERVER_MONICA_URL", url)
        monkeypatch.setenv("MOCKSERVER_MONICA_TOKEN", "mockserver-token")
        pytester.makepyfile(test_downstream=DOWNSTREAM.replace("assert requests.get(m.base_url + \"/conversations/2147483647\", headers=m.headers).status_code == 404",
                                                               "requests.get(m.base_url + \"/conversations/2147483647\", headers=m.headers)"))
        result = pytester.runpytest("-p", "no:cacheprovider", "--mockserver-target=both", "-k", "lists or monica")
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines([
        "*test_lists_conversations: call 1 (GET vitally.listConversations): $.results[].subject: only on the fake",
        "*test_lists_conversations: call 1 (GET vitally.listConversations): $.results[].title: only on the vendor",
        "*test_reads_monica: call 2 (GET monica.getConversation): status 404 on the fake, 410 on the vendor",
        "2 test(s) compared on the fake and the vendor: 3 difference(s)",
    ])


def test_a_live_run_with_one_vendor_configured_skips_the_others_tests(pytester, vendor, monkeypatch):
    monkeypatch.delenv("MOCKSERVER_VITALLY_URL")
    result = _run(pytester, "--mockserver-target=live", "-k", "lists or monica")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(["*no live vitally to verify against: set MOCKSERVER_VITALLY_URL and MOCKSERVER_VITALLY_KEY*"])


@pytest.mark.parametrize("args, message", [
    (["--mockserver-target=live"], "*--mockserver-target=live needs a vendor to verify against: set MOCKSERVER_VITALLY_URL and*"),
    (["--mockserver-record=x.har"], "*--mockserver-record records a run against the vendor: add --mockserver-target=live*"),
])
def test_a_vendor_verified_run_without_what_it_needs_is_a_usage_error(pytester, monkeypatch, args, message):
    for name in ("MOCKSERVER_VITALLY_URL", "MOCKSERVER_VITALLY_KEY", "MOCKSERVER_MONICA_URL", "MOCKSERVER_MONICA_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    result = _run(pytester, *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])
