"""Laravel's validation as Monica uses it: rules, messages, order, and the input
clean-up before it. Unit tests of mockserver.monica.laravel, then over HTTP."""
from __future__ import annotations

import pytest

from mockserver.monica import laravel

from .conftest import call, error, seeded, unchanged


def NEVER(table, value):
    return False


def ALWAYS(table, value):
    return True


@pytest.mark.parametrize("value,ok", [
    (5, True), ("5", True), (" 5 ", True), ("-3", True), ("+3", True), (5.0, True), (True, True),
    ("5.5", False), (5.5, False), ("05", False), ("abc", False), ("", False), (False, False), ([5], False), ("1e3", False),
])
def test_integer_is_filter_validate_int(value, ok):
    assert (laravel.validate({"n": value}, [("n", "integer")], NEVER) == []) is ok


@pytest.mark.parametrize("value,ok", [
    (True, True), (False, True), (0, True), (1, True), ("0", True), ("1", True),
    ("true", False), ("false", False), (2, False), (1.0, False), ("yes", False), ([], False),
])
def test_boolean_accepts_exactly_true_false_0_1_and_their_strings(value, ok):
    assert (laravel.validate({"b": value}, [("b", "boolean")], NEVER) == []) is ok


@pytest.mark.parametrize("value,stored", [
    ("1989-02-02", "1989-02-02T00:00:00Z"),
    ("1989-2-2", "1989-02-02T00:00:00Z"),
    ("2018-10-11 01:31:40", "2018-10-11T01:31:40Z"),
    ("2018-10-11T10:00:00+02:00", "2018-10-11T10:00:00Z"),
    ("2018-10-11T10:00:00.5Z", "2018-10-11T10:00:00Z"),
    ("2018/10/11", "2018-10-11T00:00:00Z"),
    ("10/11/2018", "2018-10-11T00:00:00Z"),  # strtotime reads m/d/Y
    ("11-10-2018", "2018-10-11T00:00:00Z"),  # ...and d-m-Y
    ("2024-02-29", "2024-02-29T00:00:00Z"),
])
def test_date_accepts_real_dates_and_stores_the_wall_clock(value, stored):
    assert laravel.timestamp(laravel.parse_date(value)) == stored


@pytest.mark.parametrize("value", ["2018-02-30", "2023-02-29", "2018-13-01", "now", "tomorrow", "", "2018-10-11T25:00:00", 20181011, None, True, "0000-00-00"])
def test_date_rejects_impossible_dates_relative_words_and_non_strings(value):
    assert laravel.validate({"d": value}, [("d", "required|date")], NEVER) != []


def test_string_rule_is_is_string():
    assert laravel.validate({"s": 123}, [("s", "string")], NEVER) == ["The s must be a string."]
    assert laravel.validate({"s": "123"}, [("s", "string")], NEVER) == []


def test_required_stops_the_attribute_other_failures_all_report_in_rule_order():
    rules = [("happened_at", "required|date"), ("contact_id", "required|integer|exists:contacts"), ("kind_id", "required|integer")]
    assert laravel.validate({}, rules, NEVER) == [
        "The happened at field is required.", "The contact id field is required.", "The kind id field is required.",
    ]
    assert laravel.validate({"happened_at": "x", "contact_id": "abc", "kind_id": None}, rules, NEVER) == [
        "The happened at is not a valid date.", "The contact id must be an integer.", "The selected contact id is invalid.",
        "The kind id field is required.",
    ]


def test_absent_attributes_skip_non_required_rules_and_nullable_skips_null():
    rules = [("delible", "integer"), ("type", "nullable|max:3")]
    assert laravel.validate({}, rules, NEVER) == []
    assert laravel.validate({"type": None}, rules, NEVER) == []
    assert laravel.validate({"delible": None, "type": "abcd"}, rules, NEVER) == [
        "The delible must be an integer.", "The type may not be greater than 3 characters.",
    ]


def test_false_passes_required_and_blank_strings_do_not():
    assert laravel.validate({"b": False}, [("b", "required|boolean")], NEVER) == []
    assert laravel.validate({"b": " "}, [("b", "required")], NEVER) == ["The b field is required."]


def test_clean_trims_ascii_whitespace_and_nulls_empty_strings_recursively():
    assert laravel.clean({"a": "  x ", "b": "", "c": ["  ", " y"], "d": {"e": "\t"}, "f": 0, "g": "\u00a0z\u00a0"}) == {
        "a": "x", "b": None, "c": [None, "y"], "d": {"e": None}, "f": 0, "g": "\u00a0z\u00a0",
    }


@pytest.mark.parametrize("value,matched", [(5, 5), ("5", 5), ("5abc", 5), (" 5", 5), ("abc", 0), ("5.0", 5), ("5.5", None), (True, 1), ([5], None)])
def test_mysql_comparison_of_ids(value, matched):
    assert laravel.mysql_id(value) == matched


def test_body_wins_over_query_and_non_objects_have_no_named_fields():
    assert laravel.merged_input({"a": "body"}, {"a": "query", "b": "q"}) == {"a": "body", "b": "q"}
    assert laravel.as_input_bag([1, 2]) == {"0": 1, "1": 2}
    assert laravel.as_input_bag("text") == {"0": "text"}
    assert laravel.as_input_bag(None) == {}


# -- over HTTP ------------------------------------------------------------------------------


def test_create_reports_every_field_in_rule_order(client, app):
    with unchanged(app):
        r = call(client, "POST", "/api/conversations", {"happened_at": "2018-02-30", "contact_id": "abc", "contact_field_type_id": 1.5})
        assert error(r) == (422, 32, [
            "The happened at is not a valid date.",
            "The contact id must be an integer.", "The selected contact id is invalid.",
            "The contact field type id must be an integer.", "The selected contact field type id is invalid.",
        ])


def test_integer_strings_and_mysql_prefixes_pass_exists(client, app):
    s = seeded(app)
    r = call(client, "POST", "/api/conversations", {"happened_at": "2020-01-01", "contact_id": str(s["active"].id), "contact_field_type_id": f" {s['email'].id} "})
    assert r.status_code == 201 and r.get_json()["data"]["contact"]["id"] == s["active"].id
    with unchanged(app):
        # "7abc" fails integer but MySQL finds id 7, so exists passes: only one message.
        r = call(client, "POST", "/api/conversations", {"happened_at": "2020-01-01", "contact_id": f"{s['active'].id}abc", "contact_field_type_id": s["email"].id})
        assert error(r) == (422, 32, ["The contact id must be an integer."])


@pytest.mark.parametrize("value,stored", [(True, True), (False, False), (1, True), (0, False), ("1", True), ("0", False)])
def test_written_by_me_accepts_the_boolean_set(client, app, value, stored):
    cid = seeded(app)["conversation"].id
    r = call(client, "POST", f"/api/conversations/{cid}/messages", {"written_at": "2020-01-01", "written_by_me": value, "content": "x"})
    assert r.status_code == 200 and r.get_json()["data"]["messages"][-1]["written_by_me"] is stored


@pytest.mark.parametrize("value", ["true", "false", 2, "yes"])
def test_written_by_me_rejects_everything_else(client, app, value):
    cid = seeded(app)["conversation"].id
    with unchanged(app):
        r = call(client, "POST", f"/api/conversations/{cid}/messages", {"written_at": "2020-01-01", "written_by_me": value, "content": "x"})
        assert error(r) == (422, 32, ["The written by me field must be true or false."])


def test_content_must_be_a_string_with_no_maximum(client, app):
    cid = seeded(app)["conversation"].id
    with unchanged(app):
        r = call(client, "POST", f"/api/conversations/{cid}/messages", {"written_at": "2020-01-01", "written_by_me": 1, "content": 123})
        assert error(r) == (422, 32, ["The content must be a string."])
    long = "x" * 100_000
    r = call(client, "POST", f"/api/conversations/{cid}/messages", {"written_at": "2020-01-01", "written_by_me": 1, "content": long})
    assert r.get_json()["data"]["messages"][-1]["content"] == long


def test_form_encoded_and_query_string_input_is_read_too(client, app):
    cid = seeded(app)["conversation"].id
    r = client.post(f"/api/conversations/{cid}/messages?content=from+query", data={"written_at": "2020-01-01", "written_by_me": "1"}, headers={"Authorization": "Bearer mockserver-token", "Accept": "application/json"})
    assert r.status_code == 200 and r.get_json()["data"]["messages"][-1]["content"] == "from query"
    with unchanged(app):
        r = client.post(f"/api/conversations/{cid}/messages", data={"written_at": "2020-01-01", "written_by_me": "true", "content": "x"}, headers={"Authorization": "Bearer mockserver-token", "Accept": "application/json"})
        assert error(r) == (422, 32, ["The written by me field must be true or false."])


def test_client_ids_in_the_body_are_overridden(client, app):
    s = seeded(app)
    conversation = s["conversation"]
    body = {"written_at": "2020-01-01", "written_by_me": 1, "content": "x", "account_id": 999, "contact_id": s["dead"].id, "conversation_id": 99999}
    r = call(client, "POST", f"/api/conversations/{conversation.id}/messages", body)
    data = r.get_json()["data"]
    assert data["id"] == conversation.id and data["account"]["id"] == s["active"].account_id
    assert data["messages"][-1]["contact"]["id"] == conversation.contact_id


def test_contact_field_type_rules(client, app):
    with unchanged(app):
        r = call(client, "POST", "/api/contactfieldtypes", {"name": "x" * 256, "fontawesome_icon": "y" * 256, "delible": "maybe", "type": "z" * 300})
        assert error(r) == (422, 32, [
            "The name may not be greater than 255 characters.",
            "The fontawesome icon may not be greater than 255 characters.",
            "The delible must be an integer.",
            "The type may not be greater than 255 characters.",
        ])
        assert error(call(client, "POST", "/api/contactfieldtypes", {"name": "ok", "delible": ""})) == (422, 32, ["The delible must be an integer."])
    r = call(client, "POST", "/api/contactfieldtypes", {"name": 12345, "delible": "0", "protocol": ""})
    data = r.get_json()["data"]
    assert (data["name"], data["delible"], data["protocol"]) == ("12345", False, None)
    assert call(client, "POST", "/api/contactfieldtypes", {"name": "x" * 255}).get_json()["data"]["delible"] is True  # column default 1


def test_required_uses_php_trim_and_max_counts_array_items_with_the_string_message():
    assert laravel.validate({"s": "\u00a0"}, [("s", "required")], NEVER) == []  # PHP trim() leaves U+00A0
    assert laravel.validate({"s": ["a"] * 4}, [("s", "max:3")], NEVER) == ["The s may not be greater than 3 characters."]
    assert laravel.validate({"s": 12345}, [("s", "max:4")], NEVER) == ["The s may not be greater than 4 characters."]


def test_exists_on_an_array_needs_every_item():
    found = lambda table, value: value in (1, 2)  # noqa: E731
    assert laravel.validate({"i": [1, 2]}, [("i", "integer|exists:t")], found) == ["The i must be an integer."]
    assert laravel.validate({"i": [1, 3]}, [("i", "integer|exists:t")], found) == ["The i must be an integer.", "The selected i is invalid."]
