"""Genuine Monica output (Monica 2.x, from Monica's published API documentation, kept in
../shared/realdata/monica/ by others) through the offline check: what changed since then
must be classified as it is. The files are read where they lie and never copied here;
the docs show bodies only, so this test says which request each block answers."""
from __future__ import annotations

import json
import re

import pytest

from .conftest import REALDATA, contract

MONICA = REALDATA / "monica"
pytestmark = pytest.mark.skipif(not (MONICA / "INDEX.json").is_file(),
                                reason=f"no realdata at {MONICA} (a checkout without ../shared/realdata; MOCKSERVER_REALDATA points elsewhere)")

# block (doc__number) -> the request the docs show it answering, and the operation's success status
REQUESTS = {
    "conversations__00": ("GET", "/api/conversations", 200),
    "conversations__01": ("GET", "/api/contacts/1/conversations", 200),
    "conversations__02": ("GET", "/api/conversations/1", 200),
    "conversations__04": ("POST", "/api/conversations", 201),
    "conversations__06": ("PUT", "/api/conversations/1", 200),
    "conversations__07": ("DELETE", "/api/conversations/1", 200),
    "conversations__09": ("POST", "/api/conversations/1/messages", 200),
    "conversations__11": ("PUT", "/api/conversations/1/messages/1", 200),
    "conversations__12": ("DELETE", "/api/conversations/1/messages/1", 200),
    "contactfieldtypes__00": ("GET", "/api/contactfieldtypes", 200),
    "contactfieldtypes__01": ("GET", "/api/contactfieldtypes/1", 200),
    "contactfieldtypes__03": ("POST", "/api/contactfieldtypes", 201),
    "contactfieldtypes__05": ("PUT", "/api/contactfieldtypes/1", 200),
    "contactfieldtypes__06": ("DELETE", "/api/contactfieldtypes/1", 200),
    "contacts__10": ("GET", "/api/contacts?limit=1&with=contactfields", 200),
    "contacts__11": ("GET", "/api/contacts/1", 200),
    "contacts__12": ("GET", "/api/contacts/2", 200),
    "contacts__13": ("GET", "/api/contacts/1?with=contactfields", 200),
    "contacts__22": ("GET", "/api/contacts?query=regis", 200),
}


@pytest.fixture(scope="module")
def findings(tmp_path_factory):
    folder = tmp_path_factory.mktemp("realdata-exchanges")
    entries = json.loads((MONICA / "INDEX.json").read_text(encoding="utf-8"))["entries"]
    written = 0
    for entry in entries:
        block = "__".join(entry["file"].split("__")[:2])
        if block in REQUESTS and entry.get("json"):
            method, url, status = REQUESTS[block]
            body = json.loads((MONICA / entry["json"]).read_text(encoding="utf-8"))
            exchange = {"request": {"method": method, "url": "https://app.monicahq.com" + url}, "response": {"status": status, "body": body}}
            (folder / f"{block}.json").write_text(json.dumps(exchange))
            written += 1
    assert written == len(REQUESTS)
    outcome = contract("monica", "--recorded", str(folder), "--json")
    assert outcome.code == 1  # Monica 2.x is not Monica 4.x
    report = outcome.report
    return report["failures"] + report["warnings"]


def _where(findings, path_pattern, **match):
    rx = re.compile(path_pattern)
    return [f for f in findings if rx.fullmatch(f["path"]) and all(f[k] == v for k, v in match.items())]


@pytest.mark.parametrize("operation, path, source", [
    ("monica.listConversations", r"\$\.data\[0\]\.uuid", "schemas/monica/conversation.json#/properties/uuid"),
    ("monica.listConversations", r"\$\.data\[0\]\.url", "schemas/monica/conversation.json#/properties/url"),
    ("monica.listConversations", r"\$\.meta\.links", "schemas/monica/defs.json#/$defs/page_meta/properties/links"),
    ("monica.listConversations", r"\$\.data\[0\]\.messages\[0\]\.uuid", "schemas/monica/message.json#/properties/uuid"),
    ("monica.getContactFieldType", r"\$\.data\.uuid", "schemas/monica/contact-field-type.json#/properties/uuid"),
])
def test_fields_added_since_are_missing_from_the_recording(findings, operation, path, source):
    found = _where(findings, path, operation=operation, kind="missing")
    assert len(found) == 1, found
    assert found[0]["level"] == "promise" and found[0]["got"] == "absent" and found[0]["source"] == source


def test_no_field_added_since_is_mistaken_for_something_else(findings):
    added = _where(findings, r".*\.(uuid|url)|\$\.meta\.links")
    assert added and {f["kind"] for f in added} <= {"missing", "type"}
    assert all(f["kind"] == "missing" for f in added if f["path"].endswith(".uuid") or f["path"] == "$.meta.links")


def test_gender_male_is_not_a_4x_default_gender_name_and_lacks_gender_type(findings):
    # 2.x wrote the old gender column's enum ("male"); 4.x writes the name of the
    # contact's gender record: any name an account gave is allowed (a tolerance), but a
    # new account's are "Man", "Woman", "Rather not say"; and 4.x always adds gender_type.
    found = _where(findings, r".*\.gender", got='"male"')
    assert found and all(f["kind"] == "value" and f["level"] == "tolerance" for f in found)
    assert found[0]["expected"] == 'one of "Man", "Woman", "Rather not say", null'
    assert found[0]["source"] == "schemas/monica/defs.json#/$defs/gender/x-expected"
    assert "populateDefaultGendersTable" in found[0]["why"]
    missing = _where(findings, r"\$\.data\.gender_type", operation="monica.getContact", kind="missing")
    assert missing and missing[0]["level"] == "promise"


def test_a_date_serialized_as_an_object_is_a_wrong_type(findings):
    found = _where(findings, r"\$\.data\.last_activity_together", operation="monica.getContact", kind="type")
    assert len(found) == 1
    assert found[0]["got"].startswith('{"date": "1977-07-17 00:00:00.000000"')
    assert found[0]["expected"] == "must be a string or null"
    assert found[0]["source"] == "schemas/monica/defs.json#/$defs/carbon"


def test_per_page_as_a_string_is_a_wrong_type(findings):
    found = _where(findings, r"\$\.meta\.per_page", kind="type")
    assert len(found) == 1
    assert found[0]["operation"] == "monica.listContacts" and found[0]["got"] == '"1"'
    assert found[0]["expected"] == "must be an integer"


def test_2x_fields_unknown_to_4x_are_only_tolerances(findings):
    found = _where(findings, r".*\.(has_avatar|avatar_url|food_preferencies)", kind="extra")
    assert found and all(f["level"] == "tolerance" for f in found)
