"""The live check against a running fake standing in for the vendor: the fake passes its
own contract, writes clean up after themselves, and what cannot run says so (exit 2)."""
from __future__ import annotations

import socket

import pytest

from mockserver.contract.http import Pacer, api_root
from mockserver.contract.live import LiveCheck, Settings
from mockserver.registry import VENDORS

from .conftest import MONICA_TOKEN, VITALLY_KEY, contract, drifted, fake, live

VENDOR = {kind.name: kind for kind in VENDORS}
PREFIX = {"vitally": "/resources", "monica": "/api"}


@pytest.mark.parametrize("vendor", ["vitally", "monica"])
@pytest.mark.parametrize("with_prefix", [False, True])
def test_the_fake_passes_its_own_contract_read_only(vendor, with_prefix):
    with fake() as server:
        url = server.url + (PREFIX[vendor] + "/" if with_prefix else "")
        before = server.vitally.conversations if vendor == "vitally" else server.monica.conversations
        outcome = live(vendor, url, "--page-size", "5", "--json")
        after = server.vitally.conversations if vendor == "vitally" else server.monica.conversations
    report = outcome.report
    assert outcome.code == 0, outcome.out
    assert report["result"] == "conforms" and report["failures"] == [] and report["warnings"] == []
    outcomes = {op["id"]: op for op in report["operations"]}
    # every operation of the table is in the plan's report, in table order
    assert list(outcomes) == [op.id for op in VENDOR[vendor].table]
    lists = [op for op in VENDOR[vendor].table if op.method == "GET" and not op.path_params and any(p.name == "limit" for p in op.query)]
    for op in lists:
        assert outcomes[op.id]["outcome"] == "pass"
    # paged: the conversations list was read twice (page size 5, 2 pages), plus the 401 probe on the first list
    conversations = outcomes[f"{vendor}.listConversations"]
    assert conversations["calls"] >= 2 and 200 in conversations["statuses"]
    assert 401 in outcomes[lists[0].id]["statuses"]
    # the safe errors: an unknown id gives the 404 shape on every item endpoint
    assert 404 in outcomes[f"{vendor}.getConversation"]["statuses"]
    for op in VENDOR[vendor].table:
        if op.method != "GET":
            assert outcomes[op.id]["outcome"] == "skip" and "--write" in outcomes[op.id]["reason"]
    assert after == before  # read-only


def test_admins_are_found_through_their_search_by_email():
    with fake() as server:
        report = live("vitally", server.url, "--json").report
    search = next(op for op in report["operations"] if op["id"] == "vitally.searchAdmins")
    assert search["outcome"] == "pass" and search["calls"] == 3 and search["statuses"] == [200]


@pytest.mark.parametrize("vendor", ["vitally", "monica"])
def test_write_round_trip_uses_the_run_name_and_cleans_up(vendor):
    with fake() as server:
        handle = server.vitally if vendor == "vitally" else server.monica
        before = len(handle.conversations)
        outcome = live(vendor, server.url, "--write", "--json")
        after = handle.conversations
    report = outcome.report
    assert outcome.code == 0, outcome.out
    assert len(report["created"]) == 1
    created = report["created"][0]
    assert created["cleaned"] is True and "mockserver-contract-" in created["what"]
    assert len(after) == before  # deleted again
    calls = {op["id"]: op for op in report["operations"]}
    assert calls[f"{vendor}.createConversation"]["outcome"] == "pass"
    assert calls[f"{vendor}.deleteConversation"]["calls"] == 1  # the round trip's own delete: no clean-up needed


def test_the_text_report_says_what_was_created_and_that_it_was_cleaned_up():
    with fake() as server:
        outcome = live("vitally", server.url, "--write")
    assert outcome.code == 0
    assert "live, with --write" in outcome.out
    assert "(mockserver-contract-" in outcome.out and ": cleaned up" in outcome.out
    assert outcome.out.rstrip().endswith("Result: conforms: 0 broken promises, 0 tolerances (exit 0).")


def test_a_failing_step_still_deletes_what_was_created():
    def broken_update(method, path, status, body):
        if method == "PUT" and path.startswith("/resources/conversations/"):
            return 500, {"statusCode": 500, "error": "Internal Server Error", "message": "boom"}
        return None

    with drifted(broken_update) as url:
        outcome = live("vitally", url, "--write", "--json")
    report = outcome.report
    assert outcome.code == 1
    assert report["created"][0]["cleaned"] is True  # the finally ran the delete
    statuses = {op["id"]: op["statuses"] for op in report["operations"]}
    assert statuses["vitally.updateConversation"] == [500]
    assert statuses["vitally.deleteConversation"] == [200]
    assert any(f["kind"] == "status" and f["operation"] == "vitally.updateConversation" for f in report["failures"])


def test_created_things_carry_the_unmistakable_name(tmp_path):
    seen = []

    def spy(method, path, status, body):
        if method == "POST" and status == 200 and isinstance(body, dict):
            seen.append(body)
        return None

    with drifted(spy) as url:
        assert live("vitally", url, "--write").code == 0
    conversation, message = seen
    assert conversation["externalId"].startswith("mockserver-contract-") and conversation["subject"] == conversation["externalId"]
    assert message["externalId"].startswith(conversation["externalId"])


# -- the check could not run: exit 2, one line, no secret --------------------------------

def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_connection_refused_is_exit_2_in_one_line():
    outcome = live("monica", f"http://127.0.0.1:{_closed_port()}")
    assert outcome.code == 2 and outcome.out == ""
    assert outcome.err.count("\n") == 1 and "cannot reach" in outcome.err


@pytest.mark.parametrize("fmt", [[], ["--json"]])
def test_rejected_credentials_are_exit_2_and_the_secret_is_never_printed(fmt):
    secret = "sk_live_DO_NOT_PRINT_1234"
    with fake() as server:
        outcome = contract("vitally", "--base-url", server.url, "--api-key", secret, *fmt)
    assert outcome.code == 2 and outcome.err.count("\n") == 1 and "rejected the api key" in outcome.err
    assert secret not in outcome.out + outcome.err


@pytest.mark.parametrize("fmt", [[], ["--json"]])
def test_a_passing_run_never_prints_the_secret(fmt):
    secret = "monica-secret-DO-NOT-PRINT"
    with fake(monica_tokens=[secret]) as server:
        outcome = contract("monica", "--base-url", server.url, "--token", secret, "--write", *fmt)
    assert outcome.code == 0, outcome.out
    assert secret not in outcome.out + outcome.err


def test_credentials_and_url_may_come_from_the_environment(monkeypatch):
    with fake() as server:
        monkeypatch.setenv("MOCKSERVER_MONICA_URL", server.url + "/api")
        monkeypatch.setenv("MOCKSERVER_MONICA_TOKEN", MONICA_TOKEN)
        assert contract("monica", "--json").report["result"] == "conforms"


@pytest.mark.parametrize("args, message", [
    (["vitally", "--base-url", "http://127.0.0.1:1", "--token", "t"], "vitally takes --api-key, not --token"),
    (["monica", "--token", "t"], "give --base-url"),
    (["vitally", "--base-url", "http://127.0.0.1:1"], "give --api-key"),
    (["vitally", "--base-url", "ftp://host", "--api-key", "k"], "must be an http(s) URL"),
    (["vitally", "--base-url", "https://user:pw@host", "--api-key", "k"], "not in the base URL"),
    (["vitally", "--recorded", "nowhere.har", "--write"], "takes no --base-url and no --write"),
    (["vitally", "--recorded", "no/such/file.har"], "no such file or folder"),
])
def test_bad_arguments_are_exit_2_in_one_line(args, message, monkeypatch):
    for name in ("MOCKSERVER_VITALLY_URL", "MOCKSERVER_VITALLY_KEY", "MOCKSERVER_MONICA_URL", "MOCKSERVER_MONICA_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    outcome = contract(*args)
    assert outcome.code == 2 and message in outcome.err and outcome.err.count("\n") == 1


def test_argparse_errors_are_exit_2_too():
    outcome = contract("zendesk", "--base-url", "http://x")
    assert outcome.code == 2 and "invalid choice" in outcome.err


@pytest.mark.parametrize("given, root", [
    ("https://acme.rest.vitally.io", "https://acme.rest.vitally.io"),
    ("https://acme.rest.vitally.io/resources/", "https://acme.rest.vitally.io"),
    ("http://127.0.0.1:8080/resources", "http://127.0.0.1:8080"),
])
def test_the_api_prefix_is_added_when_missing_and_accepted_when_given(given, root):
    assert api_root(VENDOR["vitally"], given) == root


def test_a_self_hosted_monica_under_a_sub_path_keeps_it():
    assert api_root(VENDOR["monica"], "https://example.org/monica/api") == "https://example.org/monica"


# -- rate limits -------------------------------------------------------------------------

class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_the_pacer_keeps_any_window_under_the_limit():
    clock = FakeClock()
    pacer = Pacer(3, window=60.0, clock=clock, sleep=clock.sleep)
    sent = []
    for _ in range(7):
        pacer.before()
        sent.append(clock.now)
        clock.now += 1.0  # each request takes a second
    for index, started in enumerate(sent):
        assert sum(1 for other in sent if started <= other < started + 60.0) <= 3, (index, sent)
    assert clock.slept == [57.0, 57.0]  # the 4th and the 7th waited for the oldest to leave the window


def test_a_long_plan_stays_under_monicas_limit_of_60_a_minute(monkeypatch):
    import mockserver.contract.live as live_module

    clock = FakeClock()
    sent_at: list[float] = []
    real_send = live_module.send

    def timed_send(*args, **kwargs):
        sent_at.append(clock.now)
        clock.now += 0.1
        return real_send(*args, **kwargs)

    monkeypatch.setattr(live_module, "send", timed_send)
    with fake(monica_rate_limit=10_000) as server:  # the stand-in does not limit; the checker keeps Monica's 60
        check = LiveCheck(VENDOR["monica"], server.url, MONICA_TOKEN, Settings(page_size=1, max_pages=15, max_items=10, clock=clock, sleep=clock.sleep))
        report = check.run()
    assert report.exit_code == 0
    assert check.pacer.limit == 60 and len(sent_at) > 60
    assert max(sum(1 for t in sent_at if start <= t < start + 60.0) for start in sent_at) == 60
    assert any("paced under the rate limit of 60" in note for note in report.notes)


def _real_sleep(waits: list[float]):
    def sleep(seconds: float) -> None:
        import time

        waits.append(seconds)
        time.sleep(seconds)

    return sleep


def test_a_429_is_honoured_with_its_retry_after():
    waits: list[float] = []
    with fake(monica_rate_limit=1, rate_limit_window=1.0) as server:
        check = LiveCheck(VENDOR["monica"], server.url, MONICA_TOKEN, Settings(rate_limit=1000, sleep=_real_sleep(waits)))
        operation = VENDOR["monica"].table.get("monica.listContactFieldTypes")
        first = check.call(operation)
        second = check.call(operation)
    assert (first.status, second.status) == (200, 200)
    assert check.report.calls["monica.listContactFieldTypes"] == [200, 429, 200]
    assert waits == [1.0]  # the fake's Retry-After: 1
    assert check.report.findings == []  # the 429 itself has the declared shape and headers


def test_no_request_goes_out_while_the_vendor_says_none_is_left():
    waits: list[float] = []
    with fake(vitally_rate_limit=1, rate_limit_window=1.0) as server:
        check = LiveCheck(VENDOR["vitally"], server.url, VITALLY_KEY, Settings(rate_limit=1000, sleep=_real_sleep(waits)))
        operation = VENDOR["vitally"].table.get("vitally.listAdmins")
        check.call(operation)
        check.call(operation)
    assert check.report.calls["vitally.listAdmins"] == [200, 200]  # RateLimit-Remaining: 0 -> waited RateLimit-Reset
    assert waits[0] == 1.0
