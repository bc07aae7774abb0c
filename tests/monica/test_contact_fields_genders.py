"""Contact fields (ApiContactFieldController, CreateContactField, UpdateContactField,
DestroyContactField, UpdateContactFieldLabels) and genders (ApiGenderController and its
services, Account::populateDefaultGendersTable)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from .conftest import ARCHIVED_MESSAGE, NOT_FOUND, account, call, error, seeded, strict_app, unchanged


def field_body(contact_id: int, type_id: int, data: str = "ann@example.com", **extra: Any) -> dict[str, Any]:
    return {"contact_id": contact_id, "contact_field_type_id": type_id, "data": data, **extra}


# -- contact fields -------------------------------------------------------------------------------------


def test_create_checks_the_rules_then_the_contact_the_archive_and_the_type(client, app, two_accounts):
    s = seeded(app)
    active, email = s["active"].id, s["email"].id
    with unchanged(app):
        assert error(call(client, "POST", "/api/contactfields", {})) == (422, 32, [
            "The contact id field is required.", "The contact field type id field is required.", "The data field is required."])
        assert error(call(client, "POST", "/api/contactfields", field_body(99999, 99999, "x" * 256, labels="work"))) == (422, 32, [
            "The selected contact id is invalid.", "The selected contact field type id is invalid.",
            "The data may not be greater than 255 characters.", "The labels must be an array."])
        assert error(call(client, "POST", "/api/contactfields", field_body(s["archived"].id, email))) == (422, 32, [ARCHIVED_MESSAGE])
    b = seeded(two_accounts, "b")
    with unchanged(two_accounts, "a"):
        c = two_accounts.test_client()
        a = seeded(two_accounts, "a")
        assert call(c, "POST", "/api/contactfields", field_body(b["active"].id, a["email"].id), token="a").get_json() == NOT_FOUND
        assert call(c, "POST", "/api/contactfields", field_body(a["active"].id, b["email"].id), token="a").get_json() == NOT_FOUND
    r = call(client, "POST", "/api/contactfields", field_body(active, email))
    assert r.status_code == 201 and r.get_json()["data"]["contact"]["id"] == active


def test_adding_a_field_touches_its_contact(client, app):
    s = seeded(app)
    account(app).clock = lambda: datetime(2030, 1, 2, 3, 4, 5)
    call(client, "POST", "/api/contactfields", field_body(s["active"].id, s["email"].id))
    assert call(client, "GET", f"/api/contacts/{s['active'].id}").get_json()["data"]["updated_at"] == "2030-01-02T03:04:05Z"


def test_labels_standard_ones_by_key_in_any_case_others_as_given_and_shared_in_the_account(client, app):
    s = seeded(app)
    r = call(client, "POST", "/api/contactfields", field_body(s["active"].id, s["email"].id, labels=["WORK", "cell", "Personal"]))
    labels = r.get_json()["data"]["labels"]
    assert [(x["object"], x["type"], x["label"]) for x in labels] == [
        ("contactfieldlabel", "work", "Work"), ("contactfieldlabel", "cell", "Mobile"), ("contactfieldlabel", "Personal", "Personal")]
    again = call(client, "POST", "/api/contactfields", field_body(s["me"].id, s["email"].id, labels=["personal", "work"])).get_json()["data"]
    assert sorted(x["id"] for x in again["labels"]) == sorted(x["id"] for x in labels if x["type"] != "cell")  # found, not made again


def test_update_replaces_labels_but_an_empty_list_keeps_them(client, app):
    s = seeded(app)
    created = call(client, "POST", "/api/contactfields", field_body(s["active"].id, s["email"].id, labels=["home"])).get_json()["data"]
    path = f"/api/contactfields/{created['id']}"
    kept = call(client, "PUT", path, field_body(s["active"].id, s["email"].id, labels=[])).get_json()["data"]
    assert [x["type"] for x in kept["labels"]] == ["home"]
    replaced = call(client, "PATCH", path, field_body(s["active"].id, s["email"].id, labels={"a": "other"})).get_json()["data"]
    assert [x["type"] for x in replaced["labels"]] == ["other"]


# UpdateContactFieldLabels runs after CreateContactField / UpdateContactField saved the
# row; a label that is an array fails there (no transaction).
LABEL_REFUSED = "mb_strtolower(): Argument #1 ($string) must be of type string, array given"


def test_a_label_that_is_an_array_is_a_php_error_and_writes_no_field(client, app):
    s = seeded(app)
    field = account(app).add_contact_field(s["active"].id, s["email"].id, "old@example.com")
    with unchanged(app):
        r = call(client, "POST", "/api/contactfields", field_body(s["active"].id, s["email"].id, labels=["home", ["work"]]))
        assert r.status_code == 500 and r.get_json()["message"].startswith(LABEL_REFUSED)
        r = call(client, "PUT", f"/api/contactfields/{field.id}", field_body(s["me"].id, s["email"].id, "new@example.com", labels=[["work"]]))
        assert r.status_code == 500 and r.get_json()["message"].startswith(LABEL_REFUSED)


def test_with_partial_writes_a_label_that_is_an_array_leaves_the_field_monica_wrote_first():
    app = strict_app(monica_partial_writes=True)
    client, acc, s = app.test_client(), account(app), seeded(app)
    field = acc.add_contact_field(s["active"].id, s["email"].id, "old@example.com")
    before = set(acc.contact_fields)
    r = call(client, "POST", "/api/contactfields", field_body(s["active"].id, s["email"].id, labels=[["work"]]))
    assert r.status_code == 500 and r.get_json()["message"].startswith(LABEL_REFUSED)
    [made] = set(acc.contact_fields) - before
    assert (acc.contact_fields[made].data, acc.contact_fields[made].label_ids) == ("ann@example.com", ())
    r = call(client, "PUT", f"/api/contactfields/{field.id}", field_body(s["me"].id, s["email"].id, "new@example.com", labels=[["work"]]))
    assert r.status_code == 500 and r.get_json()["message"].startswith(LABEL_REFUSED)
    assert (acc.contact_fields[field.id].data, acc.contact_fields[field.id].contact_id) == ("new@example.com", s["me"].id)


def test_update_can_move_a_field_to_another_contact_and_a_body_contact_field_id_wins(client, app):
    s = seeded(app)
    acc = account(app)
    first = acc.add_contact_field(s["active"].id, s["email"].id, "one@example.com")
    second = acc.add_contact_field(s["active"].id, s["email"].id, "two@example.com")
    moved = call(client, "PUT", f"/api/contactfields/{first.id}", field_body(s["me"].id, s["email"].id, "one@example.com")).get_json()["data"]
    assert moved["contact"]["id"] == s["me"].id
    assert first.id in [f["id"] for f in call(client, "GET", f"/api/contacts/{s['me'].id}/contactfields").get_json()["data"]]
    # `$request->except([...]) + ['contact_field_id' => $id]`: the body's id is the one updated
    r = call(client, "PUT", f"/api/contactfields/{first.id}", field_body(s["active"].id, s["email"].id, "changed", contact_field_id=second.id))
    assert r.get_json()["data"]["id"] == second.id
    assert (acc.contact_fields[second.id].data, acc.contact_fields[first.id].data) == ("changed", "one@example.com")


def test_update_validates_then_scopes_the_field_the_contact_and_the_type(client, app, two_accounts):
    s = seeded(app)
    field = account(app).add_contact_field(s["active"].id, s["email"].id, "x@example.com")
    path = f"/api/contactfields/{field.id}"
    with unchanged(app):
        assert error(call(client, "PUT", "/api/contactfields/abc", field_body(s["active"].id, s["email"].id))) == (422, 32, [
            "The contact field id must be an integer.", "The selected contact field id is invalid."])
        assert error(call(client, "PUT", path, field_body(s["archived"].id, s["email"].id))) == (422, 32, [ARCHIVED_MESSAGE])
    a, b = seeded(two_accounts, "a"), seeded(two_accounts, "b")
    foreign = account(two_accounts, "b").add_contact_field(b["active"].id, b["email"].id, "b@example.com")
    with unchanged(two_accounts, "b"):
        r = call(two_accounts.test_client(), "PUT", f"/api/contactfields/{foreign.id}", field_body(a["active"].id, a["email"].id), token="a")
        assert r.get_json() == NOT_FOUND


def test_delete_is_int_typed_checks_exists_then_the_account_then_the_archive(client, app, two_accounts):
    s = seeded(app)
    acc = account(app)
    archived_field = acc.add_contact_field(s["archived"].id, s["email"].id, "old@example.com")  # setup adds it to an archived contact
    with unchanged(app):
        r = call(client, "DELETE", "/api/contactfields/abc")
        assert r.status_code == 500 and r.get_json()["message"].startswith(
            "App\\Http\\Controllers\\Api\\ApiContactFieldController::destroy(): Argument #2 ($contactFieldId) must be of type int")
        assert error(call(client, "DELETE", "/api/contactfields/99999")) == (422, 32, ["The selected contact field id is invalid."])
        assert error(call(client, "DELETE", f"/api/contactfields/{archived_field.id}")) == (422, 32, [ARCHIVED_MESSAGE])
    b = seeded(two_accounts, "b")
    foreign = account(two_accounts, "b").add_contact_field(b["active"].id, b["email"].id, "b@example.com")
    with unchanged(two_accounts, "b"):
        assert call(two_accounts.test_client(), "DELETE", f"/api/contactfields/{foreign.id}", token="a").get_json() == NOT_FOUND
    field = acc.add_contact_field(s["active"].id, s["email"].id, "x@example.com")
    assert call(client, "DELETE", f"/api/contactfields/{field.id}").get_json() == {"deleted": True, "id": field.id}


def test_a_contacts_fields_page_in_id_order_and_ignore_sort(client, app):
    s = seeded(app)
    acc = account(app)
    ids = [acc.add_contact_field(s["me"].id, s["email"].id, f"{i}@example.com").id for i in range(3)]
    path = f"/api/contacts/{s['me'].id}/contactfields"
    everything = [f["id"] for f in call(client, "GET", path + "?sort=-created_at").get_json()["data"]]
    assert everything == sorted(everything) and set(ids) <= set(everything)
    body = call(client, "GET", path + "?limit=1&page=2").get_json()
    assert ([f["id"] for f in body["data"]], body["meta"]["total"]) == ([everything[1]], len(everything))
    assert body["links"]["next"] == f"http://localhost{path}?page=3"


# -- genders --------------------------------------------------------------------------------------------


def test_every_account_has_monicas_three_default_genders_with_ids_from_one_sequence(two_accounts):
    c = two_accounts.test_client()
    a = call(c, "GET", "/api/genders", token="a").get_json()["data"]
    b = call(c, "GET", "/api/genders", token="b").get_json()["data"]
    assert [(g["name"], g["type"]) for g in a] == [(g["name"], g["type"]) for g in b] == [("Man", "M"), ("Woman", "F"), ("Rather not say", "O")]
    assert not {g["id"] for g in a} & {g["id"] for g in b}
    assert call(c, "GET", f"/api/genders/{b[0]['id']}", token="a").get_json() == NOT_FOUND


def test_gender_rules_and_checks(client, app, two_accounts):
    with unchanged(app):
        assert error(call(client, "POST", "/api/genders", {})) == (422, 32, ["The name field is required.", "The type field is required."])
        assert error(call(client, "POST", "/api/genders", {"name": ["x"], "type": "U"})) == (422, 32, [
            "The name must be a string.", "The selected type is invalid."])  # U and N exist in Monica's list, not in the rule
        assert error(call(client, "PUT", "/api/genders/abc", {"name": "x", "type": "M"})) == (422, 32, [
            "The gender id must be an integer.", "The selected gender id is invalid."])
        r = call(client, "DELETE", "/api/genders/abc")
        assert r.status_code == 500 and "ApiGenderController::destroy(): Argument #2 ($genderId)" in r.get_json()["message"]
        assert error(call(client, "GET", "/api/genders?sort=called_at")) == (500, 40, "Invalid query")
    foreign = next(iter(account(two_accounts, "b").genders))
    with unchanged(two_accounts, "b"):
        assert call(two_accounts.test_client(), "DELETE", f"/api/genders/{foreign}", token="a").get_json() == NOT_FOUND
    created = call(client, "POST", "/api/genders", {"name": "Nonbinary", "type": " O "}).get_json()["data"]
    assert (created["name"], created["type"]) == ("Nonbinary", "O")


def test_genders_sort_like_every_list(client, app):
    acc = account(app)
    acc.clock = lambda: datetime(2030, 1, 1)
    call(client, "POST", "/api/genders", {"name": "Later", "type": "O"})
    names = [g["name"] for g in call(client, "GET", "/api/genders?sort=-created_at").get_json()["data"]]
    assert names == ["Later", "Rather not say", "Woman", "Man"]


def test_a_custom_gender_shows_on_its_contacts_until_it_is_deleted(client, app):
    created = call(client, "POST", "/api/genders", {"name": "Nonbinary", "type": "O"}).get_json()["data"]
    body = {"first_name": "Sam", "gender_id": created["id"], "is_birthdate_known": False, "is_deceased": False, "is_deceased_date_known": False}
    contact = call(client, "POST", "/api/contacts", body).get_json()["data"]
    assert (contact["gender"], contact["gender_type"]) == ("Nonbinary", "O")
    call(client, "PUT", f"/api/genders/{created['id']}", {"name": "Enby", "type": "O"})
    assert call(client, "GET", f"/api/contacts/{contact['id']}").get_json()["data"]["gender"] == "Enby"
    assert call(client, "DELETE", f"/api/genders/{created['id']}").get_json() == {"deleted": True, "id": created["id"]}
    assert call(client, "GET", f"/api/contacts/{contact['id']}").get_json()["data"]["gender"] is None


@pytest.mark.parametrize("same", [True, False])
def test_updating_a_gender_to_the_same_values_keeps_updated_at(client, app, same):
    gender = next(iter(account(app).genders.values()))
    account(app).clock = lambda: datetime(2030, 1, 1)
    name = gender.name if same else "Male"
    updated = call(client, "PUT", f"/api/genders/{gender.id}", {"name": name, "type": gender.type}).get_json()["data"]
    assert (updated["updated_at"] == "2030-01-01T00:00:00Z") is (not same)
