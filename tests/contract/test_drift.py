"""Deliberately drifted vendors (the fake behind a rewriting WSGI layer): each drift is
reported at its JSON path, with the file that declares it, and fails the run (exit 1);
tolerances are warnings unless --strict."""
from __future__ import annotations

import re

import pytest

from .conftest import drifted, live

CONVERSATION_LIST = re.compile(r"^/resources/conversations/?$")


def _items(body, key):
    return body[key] if isinstance(body, dict) and isinstance(body.get(key), list) else []


def rename_subject(method, path, status, body):
    if CONVERSATION_LIST.match(path) and status == 200:
        for item in _items(body, "results"):
            item["title"] = item.pop("subject")
        return status, body
    return None


def timestamp_as_number(method, path, status, body):
    if re.match(r"^/resources/conversations/[^/]+$", path) and status == 200:
        body["messages"][0]["timestamp"] = 1608740187370
        return status, body
    return None


def drop_total(method, path, status, body):
    if path == "/api/conversations" and status == 200:
        del body["meta"]["total"]
        return status, body
    return None


def problem_details_for_404(method, path, status, body):
    if path.startswith("/resources/") and status == 404:
        return 404, {"errors": [{"detail": "not found"}]}
    return None


def monica_404_as_laravel(method, path, status, body):
    if path.startswith("/api/") and status == 404:
        return 404, {"message": "No query results for model [App\\Models\\Contact\\Conversation]."}
    return None


def forbidden_accounts(method, path, status, body):
    if re.match(r"^/resources/accounts/[^/]+$", path) and status == 200:
        return 403, {"statusCode": 403, "error": "Forbidden", "message": "no access"}
    return None


@pytest.mark.parametrize("vendor, rewrite, expected", [
    ("vitally", rename_subject, dict(operation="vitally.listConversations", kind="missing", path="$.results[0].subject",
                                     source="schemas/vitally/conversation-item.json#/properties/subject")),
    ("vitally", timestamp_as_number, dict(operation="vitally.getConversation", kind="type", path="$.messages[0].timestamp",
                                          expected="must be a string", got="1608740187370",
                                          source="schemas/vitally/message.json#/properties/timestamp")),
    ("monica", drop_total, dict(operation="monica.listConversations", kind="missing", path="$.meta.total", got="absent",
                                source="schemas/monica/defs.json#/$defs/page_meta/properties/total")),
    ("vitally", problem_details_for_404, dict(operation="vitally.getConversation", kind="missing", path="$.error",
                                              source="schemas/vitally/error.json#/properties/error")),
    ("monica", monica_404_as_laravel, dict(operation="monica.getConversation", kind="missing", path="$.error",
                                           source="schemas/monica/error.json#/properties/error")),
    ("vitally", forbidden_accounts, dict(operation="vitally.getAccount", kind="status", path="status",
                                         source="mockserver/vitally/operations.py (vitally.getAccount)")),
], ids=["renamed field", "wrong type", "missing key", "changed error shape", "changed error shape (monica)", "undeclared status"])
def test_each_drift_is_a_broken_promise_at_its_json_path(vendor, rewrite, expected):
    with drifted(rewrite) as url:
        outcome = live(vendor, url, "--json")
    assert outcome.code == 1, outcome.out
    assert outcome.report["result"] == "drift"
    found = outcome.failures(**expected)
    assert len(found) == 1, (expected, outcome.report["failures"])
    failure = found[0]
    assert failure["level"] == "promise" and failure["expected"] and failure["got"]
    outcomes = {op["id"]: op["outcome"] for op in outcome.report["operations"]}
    assert outcomes[expected["operation"]] == "fail"


def test_a_renamed_field_is_also_an_unknown_extra_one_which_only_warns():
    with drifted(rename_subject) as url:
        outcome = live("vitally", url, "--json")
    extra = outcome.warnings(kind="extra", path="$.results[0].title")
    assert len(extra) == 1 and extra[0]["count"] == 25  # one group for every item of the page
    assert extra[0]["level"] == "tolerance" and "may add fields" in extra[0]["why"]


def test_an_undeclared_status_shows_what_came_back():
    with drifted(forbidden_accounts) as url:
        failure = live("vitally", url, "--json").failures(kind="status")[0]
    assert failure["got"].startswith("403 ") and "no access" in failure["got"]
    assert failure["expected"] == "one of the declared statuses (200, 401, 404, 429)"


def test_a_documented_header_missing_is_a_broken_promise():
    with drifted(lambda *a: None, drop=("RateLimit-Remaining",)) as url:
        outcome = live("vitally", url, "--json")
    assert outcome.code == 1
    missing = outcome.failures(kind="header", path="header RateLimit-Remaining")
    assert missing and all(f["level"] == "promise" for f in missing)


def test_the_failing_text_report_names_path_expectation_value_and_schema():
    with drifted(timestamp_as_number) as url:
        outcome = live("vitally", url)
    assert outcome.code == 1
    text = outcome.out
    assert "FAIL  vitally.getConversation" in text
    assert "Broken promises (1):" in text
    assert "    $.messages[0].timestamp  (type, x3)" in text
    assert "      expected  must be a string" in text
    assert "      got       1608740187370" in text
    assert "      declared  schemas/vitally/message.json#/properties/timestamp" in text
    assert text.rstrip().endswith("Result: drift: 1 broken promise, 0 tolerances (exit 1).")


# -- tolerances ----------------------------------------------------------------------------

def drop_external_url(method, path, status, body):
    if CONVERSATION_LIST.match(path) and status == 200:
        for item in _items(body, "results"):
            del item["externalUrl"]
        return status, body
    return None


def test_a_field_the_schema_tolerates_is_a_warning_and_strict_makes_it_a_failure():
    with drifted(drop_external_url) as url:
        relaxed = live("vitally", url, "--json")
        strict = live("vitally", url, "--json", "--strict")
    assert relaxed.code == 0 and relaxed.report["result"] == "conforms"
    warning = relaxed.warnings(kind="missing", path="$.results[0].externalUrl")
    assert len(warning) == 1 and warning[0]["level"] == "tolerance"
    assert warning[0]["source"] == "schemas/vitally/conversation-item.json#/properties/externalUrl"
    assert "live observations" in warning[0]["why"]
    assert strict.code == 1 and strict.failures(path="$.results[0].externalUrl")


def test_the_passing_text_report_lists_tolerances_as_warnings():
    with drifted(drop_external_url) as url:
        outcome = live("vitally", url)
    assert outcome.code == 0
    assert "warn  vitally.listConversations" in outcome.out
    assert "Tolerances (1): warnings; --strict makes them failures:" in outcome.out
    assert outcome.out.rstrip().endswith("Result: conforms: 0 broken promises, 1 tolerance (exit 0).")


def extra_monica_field(method, path, status, body):
    if path == "/api/conversations" and status == 200:
        for item in _items(body, "data"):
            item["labels"] = ["new in Monica 5"]
        return status, body
    return None


def test_an_unknown_extra_field_is_a_tolerance():
    with drifted(extra_monica_field) as url:
        outcome = live("monica", url, "--json")
    assert outcome.code == 0
    assert outcome.warnings(kind="extra", path="$.data[0].labels", source="schemas/monica/conversation.json#")
