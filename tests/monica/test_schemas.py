"""Every response against its JSON Schema (explicitly, not only through strict mode),
the schemas themselves, and the field order Monica emits."""
from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from mockserver import validation
from mockserver.resources import data_dir

from .conftest import call, seeded

CONVERSATION_ORDER = ["id", "uuid", "object", "happened_at", "messages", "contact_field_type", "url", "account", "contact", "created_at", "updated_at"]
MESSAGE_ORDER = ["id", "uuid", "object", "content", "written_at", "written_by_me", "account", "contact", "conversation", "created_at", "updated_at"]
CFT_ORDER = ["id", "uuid", "object", "name", "fontawesome_icon", "protocol", "delible", "type", "account", "created_at", "updated_at"]
SHORT_ORDER = ["id", "uuid", "object", "hash_id", "first_name", "last_name", "nickname", "complete_name", "initials", "gender", "gender_type",
               "is_starred", "is_partial", "is_active", "is_dead", "is_me", "information", "url", "account"]
CONTACT_ORDER = ["id", "uuid", "object", "hash_id", "first_name", "last_name", "nickname", "complete_name", "initials", "description", "gender",
                 "gender_type", "is_starred", "is_partial", "is_active", "is_dead", "is_me", "last_called", "last_activity_together",
                 "stay_in_touch_frequency", "stay_in_touch_trigger_date", "information", "addresses", "tags", "statistics",
                 "contactFields", "notes", "url", "account", "created_at", "updated_at"]
PARTIAL_ORDER = ["id", "uuid", "object", "hash_id", "first_name", "last_name", "nickname", "complete_name", "initials", "description", "gender",
                 "gender_type", "is_starred", "is_partial", "is_active", "is_dead", "is_me", "information", "account", "created_at", "updated_at"]


def problems(schema: str, payload: Any) -> list[str]:
    return [p.message for p in validation.problems("monica", schema, payload)]


def test_every_schema_file_is_valid_and_named_by_its_id():
    from jsonschema import Draft202012Validator

    names = validation.schema_names("monica")
    assert {"conversation", "message", "contact", "contact-short", "contact-field-type", "contact-field", "error", "laravel-error",
            "conversation.create", "message.create", "contactfieldtype.create"} <= set(names)
    for name in names:
        schema = json.loads((data_dir("schemas") / "monica" / f"{name}.json").read_text())
        Draft202012Validator.check_schema(schema)
        assert schema["$id"] == f"https://mockserver.invalid/schemas/monica/{name}.json"


def test_every_endpoint_answers_in_its_schema(client, app):
    s = seeded(app)
    cid, mid = s["conversation"].id, s["conversation"].message_ids[0]
    message = {"written_at": "2020-01-01", "written_by_me": True, "content": "x"}
    cases = [
        ("GET", "/api", None, "root"),
        ("GET", "/api/contacts", None, "contact-page"),
        ("GET", "/api/contacts?with=contactfields&limit=100", None, "contact-page"),
        ("GET", "/api/contacts?query=a", None, "contact-page"),
        ("GET", f"/api/contacts/{s['active'].id}", None, "contact-response"),
        ("GET", f"/api/contacts/{s['partial'].id}", None, "contact-response"),
        ("GET", f"/api/contacts/{s['active'].id}/conversations", None, "conversation-page"),
        ("GET", "/api/conversations", None, "conversation-page"),
        ("GET", f"/api/conversations/{cid}", None, "conversation-response"),
        ("POST", "/api/conversations", {"happened_at": "2020-01-01", "contact_id": s["active"].id, "contact_field_type_id": s["email"].id}, "conversation-response"),
        ("PUT", f"/api/conversations/{cid}", {"happened_at": "2020-01-01", "contact_field_type_id": s["email"].id}, "conversation-response"),
        ("POST", f"/api/conversations/{cid}/messages", message, "conversation-response"),
        ("PATCH", f"/api/conversations/{cid}/messages/{mid}", message, "conversation-response"),
        ("DELETE", f"/api/conversations/{cid}/messages/{mid}", None, "deleted"),
        ("DELETE", f"/api/conversations/{cid}", None, "deleted"),
        ("GET", "/api/contactfieldtypes", None, "contactfieldtype-page"),
        ("POST", "/api/contactfieldtypes", {"name": "Signal"}, "contactfieldtype-response"),
        ("GET", f"/api/contactfieldtypes/{s['email'].id}", None, "contactfieldtype-response"),
        ("PUT", f"/api/contactfieldtypes/{s['email'].id}", {"name": "Mail"}, "contactfieldtype-response"),
        ("DELETE", f"/api/contactfieldtypes/{s['twitter'].id}", None, "deleted"),
        ("POST", "/api/contacts", {"first_name": "A", "email": "a@example.com", **NO_DATES}, "contact-response"),
        ("PUT", f"/api/contacts/{s['active'].id}", {"first_name": "A", **NO_DATES}, "contact-response"),
        ("GET", f"/api/contacts/{s['me'].id}/contactfields", None, "contactfield-page"),
        ("POST", "/api/contactfields", {"contact_id": s["me"].id, "contact_field_type_id": s["email"].id, "data": "x", "labels": ["work", "own"]},
         "contactfield-response"),
        ("GET", "/api/genders", None, "gender-page"),
        ("POST", "/api/genders", {"name": "Nonbinary", "type": "O"}, "gender-response"),
        ("DELETE", f"/api/contacts/{s['dead'].id}", None, "contact-deleted"),
        ("DELETE", "/api/contacts/abc", None, "laravel-validation-error"),
        ("DELETE", f"/api/contacts/{s['archived'].id}", None, "laravel-validation-error"),
        ("DELETE", f"/api/contacts/{s['dead'].id}", None, "laravel-error"),
        ("GET", f"/api/conversations/{s['archived_conversation'].id}", None, "conversation-response"),
        ("POST", "/api/contacts", {"first_name": "Half", "is_birthdate_known": True, "is_deceased": False, "is_deceased_date_known": False}, "error"),
        ("GET", "/api/conversations/99999", None, "error"),
        ("POST", "/api/conversations", {}, "error"),
        ("GET", "/api/conversations?sort=called_at", None, "error"),
        ("GET", "/api/nope", None, "laravel-error"),
        ("GET", "/api/conversations/1/messages", None, "laravel-error"),
        ("DELETE", "/api/conversations/abc", None, "laravel-error"),
    ]
    for method, path, body, schema in cases:
        r = call(client, method, path, body)
        assert r.status_code < 600
        assert problems(schema, r.get_json()) == [], (method, path)
    r = client.get("/api/contacts", headers={"Accept": "application/json"})
    assert problems("laravel-error", r.get_json()) == []


NO_DATES = {"is_birthdate_known": False, "is_deceased": False, "is_deceased_date_known": False}


def test_new_objects_have_monicas_field_order(client, app):
    s = seeded(app)
    gender = call(client, "GET", "/api/genders").get_json()["data"][0]
    assert list(gender) == ["id", "object", "name", "type", "account", "created_at", "updated_at"]
    body = {"contact_id": s["me"].id, "contact_field_type_id": s["email"].id, "data": "x", "labels": ["home"]}
    label = call(client, "POST", "/api/contactfields", body).get_json()["data"]["labels"][0]
    assert list(label) == ["id", "object", "type", "label", "account", "created_at", "updated_at"]
    assert list(call(client, "DELETE", f"/api/contacts/{s['me'].id}").get_json()) == ["deleted", "id"]
    assert list(call(client, "DELETE", "/api/contacts/abc").get_json()) == ["message", "errors"]


def test_schemas_reject_what_monica_never_sends(client, app):
    s = seeded(app)
    conversation = call(client, "GET", f"/api/conversations/{s['conversation'].id}").get_json()["data"]
    extra = copy.deepcopy(conversation)
    extra["subject"] = "x"
    assert problems("conversation", extra)
    fractional = copy.deepcopy(conversation)
    fractional["happened_at"] = "2020-01-01T00:00:00.000Z"
    assert problems("conversation", fractional)
    stringly = copy.deepcopy(conversation)
    stringly["id"] = str(stringly["id"])
    assert problems("conversation", stringly)
    partial_with_url = call(client, "GET", f"/api/contacts/{s['partial'].id}").get_json()["data"]
    partial_with_url["url"] = "http://localhost/api/contacts/1"
    assert problems("contact", partial_with_url)
    real_without_stats = call(client, "GET", f"/api/contacts/{s['active'].id}").get_json()["data"]
    del real_without_stats["statistics"]
    assert problems("contact", real_without_stats)
    assert problems("error", {"error": {"message": "x", "error_code": 32}})  # 32 carries a list
    assert problems("error", {"error": {"message": ["x"], "error_code": 31}})


def test_request_schemas_describe_the_accepted_bodies():
    assert problems("conversation.create", {"happened_at": "1989-02-02", "contact_id": 1, "contact_field_type_id": "2"}) == []
    assert problems("conversation.create", {"happened_at": "1989-02-02"})
    assert problems("message.create", {"written_at": "1998-02-02", "written_by_me": "1", "content": "lorem ipsum"}) == []
    assert problems("message.create", {"written_at": "1998-02-02", "written_by_me": "true", "content": "x"})
    assert problems("contactfieldtype.create", {"name": "Email", "protocol": "mailto:", "type": "email"}) == []
    assert problems("contactfieldtype.create", {"name": "x" * 256})
    assert problems("contact.create", {"first_name": "Ann", **NO_DATES}) == []
    assert problems("contact.create", {"first_name": "Ann", **NO_DATES, "is_birthdate_known": True})  # then day and month are needed
    assert problems("contact.update", {"first_name": "Ann", "is_birthdate_known": False, "is_deceased_date_known": False})
    assert problems("contactfield.create", {"contact_id": 1, "contact_field_type_id": 1, "data": "a@example.com", "labels": ["work"]}) == []
    assert problems("gender.create", {"name": "Nonbinary", "type": "N"})


def test_field_order_is_monicas(client, app):
    s = seeded(app)
    conversation = call(client, "GET", f"/api/conversations/{s['conversation'].id}").get_json()["data"]
    assert list(conversation) == CONVERSATION_ORDER
    assert list(conversation["messages"][0]) == MESSAGE_ORDER
    assert list(conversation["contact_field_type"]) == CFT_ORDER
    assert list(conversation["contact"]) == SHORT_ORDER
    assert list(conversation["contact"]["information"]) == ["birthdate", "deceased_date", "avatar"]
    assert list(conversation["contact"]["information"]["avatar"]) == ["url", "source", "default_avatar_color"]
    assert list(conversation["contact"]["information"]["birthdate"]) == ["is_age_based", "is_year_unknown", "date"]

    full = call(client, "GET", f"/api/contacts/{s['me'].id}?with=contactfields").get_json()["data"]
    assert list(full) == CONTACT_ORDER
    assert list(full["information"]) == ["relationships", "dates", "career", "avatar", "food_preferences", "how_you_met"]
    assert list(full["information"]["how_you_met"]) == ["general_information", "first_met_date", "first_met_through_contact"]
    assert list(full["contactFields"][0]) == ["id", "uuid", "object", "content", "contact_field_type", "labels", "account", "contact", "created_at", "updated_at"]
    assert list(full["statistics"]) == ["number_of_calls", "number_of_notes", "number_of_activities", "number_of_reminders",
                                        "number_of_tasks", "number_of_gifts", "number_of_debts"]
    without = call(client, "GET", f"/api/contacts/{s['me'].id}").get_json()["data"]
    assert list(without) == [k for k in CONTACT_ORDER if k not in ("contactFields", "notes")]

    partial = call(client, "GET", f"/api/contacts/{s['partial'].id}").get_json()["data"]
    assert list(partial) == PARTIAL_ORDER

    partial_short = call(client, "POST", "/api/conversations", {"happened_at": "2020-01-01", "contact_id": s["partial"].id, "contact_field_type_id": s["email"].id}).get_json()["data"]["contact"]
    assert list(partial_short) == [k for k in SHORT_ORDER if k != "url"]

    assert list(call(client, "GET", "/api/conversations/99999").get_json()["error"]) == ["message", "error_code"]
    assert list(call(client, "DELETE", f"/api/conversations/{s['conversation'].id}").get_json()) == ["deleted", "id"]


def test_error_bodies_are_exactly_monicas(client):
    r = call(client, "GET", "/api/conversations/99999")
    assert r.get_data(as_text=True).strip() == '{"error":{"message":"The resource has not been found","error_code":31}}'


@pytest.mark.parametrize("path,schema", [
    ("/api/conversations", "conversation-page"),
    ("/api/contacts", "contact-page"),
    ("/api/contactfieldtypes", "contactfieldtype-page"),
    ("/api/genders", "gender-page"),
])
def test_pages_validate_at_every_limit(client, path, schema):
    for limit in (1, 7, 100, -1):
        assert problems(schema, call(client, "GET", f"{path}?limit={limit}").get_json()) == []
