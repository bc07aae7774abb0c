"""Contacts (list, get, search, test setup) and contact field types (CRUD)."""
from __future__ import annotations

import pytest

from mockserver.monica.models import DEFAULT_CONTACT_FIELD_TYPES

from .conftest import BASE, NOT_FOUND, account, backend, call, error, seeded, unchanged

# -- contacts ------------------------------------------------------------------------------


def test_list_excludes_partial_and_archived_contacts(client, app):
    s = seeded(app)
    ids = [d["id"] for d in call(client, "GET", "/api/contacts?limit=100").get_json()["data"]]
    assert s["partial"].id not in ids and s["archived"].id not in ids
    assert s["me"].id in ids and s["dead"].id in ids
    assert len(ids) == len(account(app).contacts) - 2


def test_search_keeps_archived_contacts_but_not_partial_ones(client, app):
    s = seeded(app)
    archived = call(client, "GET", f"/api/contacts?query={s['archived'].first_name}").get_json()["data"]
    assert s["archived"].id in [d["id"] for d in archived]
    partial = call(client, "GET", f"/api/contacts?query={s['partial'].first_name}").get_json()["data"]
    assert s["partial"].id not in [d["id"] for d in partial]


def test_search_matches_any_word_in_names_nickname_description_and_job_case_insensitively(client, app):
    acc = account(app)
    ann = acc.create_contact("Annabel", last_name="Zzyzx", job="Lighthouse keeper")
    for needle in ("zzyz", "ZZYZX", "lighthouse", "nomatch zzyzx"):
        assert ann.id in [d["id"] for d in call(client, "GET", f"/api/contacts?query={needle}&limit=100").get_json()["data"]], needle
    assert call(client, "GET", "/api/contacts?query=qqqqq").get_json()["meta"]["total"] == 0


def test_a_falsy_query_is_not_a_search(client):
    body = call(client, "GET", "/api/contacts?query=0").get_json()
    assert "query" not in body["meta"]
    assert "query" not in call(client, "GET", "/api/contacts?query=").get_json()["meta"]


def test_contacts_sort_and_missing_columns(client, app):
    ids = [d["id"] for d in call(client, "GET", "/api/contacts?sort=-updated_at&limit=100").get_json()["data"]]
    acc = account(app)
    assert ids == sorted(ids, key=lambda i: (acc.contacts[i].updated_at, i), reverse=True)
    assert error(call(client, "GET", "/api/contacts?sort=favorited_at")) == (500, 40, "Invalid query")


def test_get_any_contact_of_the_account_and_404_otherwise(client, app, two_accounts):
    s = seeded(app)
    for key in ("me", "archived", "partial", "dead", "active"):
        data = call(client, "GET", f"/api/contacts/{s[key].id}").get_json()["data"]
        assert data["id"] == s[key].id
    for contact_id in ("99999", "0"):
        r = call(client, "GET", f"/api/contacts/{contact_id}")
        assert (r.status_code, r.get_json()) == (404, NOT_FOUND)
    foreign = seeded(two_accounts, "b")["active"].id
    r = call(two_accounts.test_client(), "GET", f"/api/contacts/{foreign}", token="a")
    assert (r.status_code, r.get_json()) == (404, NOT_FOUND)


def test_names_initials_and_flags(client, app):
    acc = account(app)
    dead = acc.create_contact("\u00c9lodie", last_name="de la Tour", is_dead=True)
    data = call(client, "GET", f"/api/contacts/{dead.id}").get_json()["data"]
    assert data["complete_name"] == "\u00c9lodie de la Tour \u26b0"
    assert data["initials"] == "EdlT"
    assert (data["is_dead"], data["is_partial"], data["is_me"]) == (True, False, False)
    assert data["hash_id"].startswith("h:") and len(data["hash_id"]) == 20
    partial = acc.create_contact("Kid", is_partial=True)
    assert call(client, "GET", f"/api/contacts/{partial.id}").get_json()["data"]["hash_id"] == ""


def test_a_partial_contact_has_no_contact_fields_even_when_asked(client, app):
    partial = seeded(app)["partial"]
    data = call(client, "GET", f"/api/contacts/{partial.id}?with=contactfields").get_json()["data"]
    assert "contactFields" not in data and "notes" not in data


def test_seeded_contacts_with_contact_fields(client, app):
    with_fields = [d for d in call(client, "GET", "/api/contacts?with=contactfields&limit=100").get_json()["data"] if d["contactFields"]]
    assert with_fields
    types = {f["contact_field_type"]["name"] for d in with_fields for f in d["contactFields"]}
    assert types == {"Email", "Phone"}


def test_control_api_creates_contacts_in_the_chosen_account(two_accounts):
    c = two_accounts.test_client()
    r = c.post("/__mockserver/monica/contacts", json={"first_name": "Ann", "is_active": False, "token": "b"})
    assert r.status_code == 201
    created = r.get_json()["data"]
    assert (created["first_name"], created["is_active"], created["account"]["id"]) == ("Ann", False, account(two_accounts, "b").id)
    assert call(c, "GET", f"/api/contacts/{created['id']}", token="b").status_code == 200
    assert call(c, "GET", f"/api/contacts/{created['id']}", token="a").status_code == 404
    by_header = c.post("/__mockserver/monica/contacts", json={"first_name": "Bo", "is_partial": True}, headers={"Authorization": "Bearer a"}).get_json()["data"]
    assert by_header["account"]["id"] == account(two_accounts, "a").id and by_header["is_partial"] is True
    default = c.post("/__mockserver/monica/contacts", json={"first_name": "Cy"}).get_json()["data"]
    assert default["account"]["id"] == account(two_accounts, "a").id  # the first token's account


def test_control_api_rejects_bad_bodies_and_unknown_tokens(client, app):
    with unchanged(app):
        for body in (None, {}, {"first_name": ""}, {"first_name": "A", "colour": "red"}, {"first_name": "A", "gender_type": "X"}):
            r = client.post("/__mockserver/monica/contacts", json=body)
            assert r.status_code == 400 and set(r.get_json()) == {"error", "message"}
        r = client.post("/__mockserver/monica/contacts", json={"first_name": "A", "token": "nope"})
        assert r.status_code == 404
        # What Monica's own rules refuse, in Monica's words.
        r = client.post("/__mockserver/monica/contacts", json={"first_name": "x" * 256})
        assert (r.status_code, r.get_json()["message"]) == (400, "The first name may not be greater than 255 characters.")


def test_setup_contacts_are_made_by_the_same_service_as_post_api_contacts(client, app):
    acc = account(app)
    made = acc.create_contact("Ann", last_name="Lee", gender_type="F", email="ann@example.com", birthdate="1990-05-04", is_starred=True)
    shown = call(client, "GET", f"/api/contacts/{made.id}?with=contactfields").get_json()["data"]
    assert (shown["gender"], shown["is_starred"], shown["information"]["dates"]["birthdate"]["date"]) == ("Woman", True, "1990-05-04T00:00:00Z")
    assert [f["content"] for f in shown["contactFields"]] == ["ann@example.com"]
    assert shown["information"]["avatar"]["url"].startswith(f"http://localhost/store/avatars/{made.uuid}.jpg?")
    over_http = call(client, "POST", "/api/contacts?with=contactfields", {
        "first_name": "Ann", "last_name": "Lee", "gender_id": made.gender_id, "email": "ann@example.com", "is_birthdate_known": True,
        "birthdate_day": 4, "birthdate_month": 5, "birthdate_year": 1990, "is_deceased": False, "is_deceased_date_known": False,
    }).get_json()["data"]
    differs = {"id", "uuid", "hash_id", "url", "contactFields", "information", "is_starred", "created_at", "updated_at"}
    assert {k: v for k, v in over_http.items() if k not in differs} == {k: v for k, v in shown.items() if k not in differs}
    with unchanged(app), pytest.raises(ValueError, match="The first name field is required."):
        acc.create_contact("  ")
    with unchanged(app), pytest.raises(ValueError, match="no gender of type 'N'"):
        acc.create_contact("Ann", gender_type="N")


def test_a_contact_with_conversations_on_a_channel_that_does_not_exist_is_a_value_error_that_makes_nothing(app):
    handle = backend(app).handle(lambda: BASE)
    with unchanged(app), pytest.raises(ValueError, match="The selected contact field type id is invalid."):
        handle.create_contact_with_conversations("Ann", conversations=2, contact_field_type_id=99999)


def test_control_api_takes_the_new_setup_fields(client):
    r = client.post("/__mockserver/monica/contacts", json={"first_name": "Bo", "middle_name": "J", "email": "bo@example.com", "deceased_date": "2001-02-03"})
    data = r.get_json()["data"]
    assert (r.status_code, data["complete_name"], data["is_dead"]) == (201, "Bo J \u26b0", True)
    assert data["information"]["dates"]["deceased_date"]["date"] == "2001-02-03T00:00:00Z"
    assert call(client, "GET", f"/api/contacts/{data['id']}/contactfields").get_json()["data"][0]["content"] == "bo@example.com"


# -- contact field types ------------------------------------------------------------------------


def test_seeded_default_types_match_monicas_migrations(client, app):
    data = call(client, "GET", "/api/contactfieldtypes").get_json()["data"]
    assert [(d["name"], d["fontawesome_icon"], d["protocol"], d["delible"], d["type"]) for d in data] == list(DEFAULT_CONTACT_FIELD_TYPES)
    assert [d["name"] for d in data] == ["Email", "Phone", "Facebook", "Twitter", "Whatsapp", "Telegram", "LinkedIn"]
    assert all(d["account"]["id"] == account(app).id for d in data)


def test_type_crud_round_trip(client, app):
    created = call(client, "POST", "/api/contactfieldtypes", {"name": "Signal", "fontawesome_icon": "fa fa-comment", "protocol": "sgnl://", "delible": 1, "type": "im"})
    assert created.status_code == 201
    cft = created.get_json()["data"]
    assert call(client, "GET", f"/api/contactfieldtypes/{cft['id']}").get_json()["data"] == cft
    patched = call(client, "PATCH", f"/api/contactfieldtypes/{cft['id']}", {"name": "Signal2"}).get_json()["data"]
    # Only the given columns change.
    assert (patched["name"], patched["protocol"], patched["fontawesome_icon"], patched["type"]) == ("Signal2", "sgnl://", "fa fa-comment", "im")
    cleared = call(client, "PUT", f"/api/contactfieldtypes/{cft['id']}", {"name": "Signal2", "protocol": None}).get_json()["data"]
    assert cleared["protocol"] is None
    same = call(client, "PUT", f"/api/contactfieldtypes/{cft['id']}", {"name": "Signal2"}).get_json()["data"]
    assert same["updated_at"] == cleared["updated_at"]
    assert call(client, "DELETE", f"/api/contactfieldtypes/{cft['id']}").get_json() == {"deleted": True, "id": cft["id"]}
    assert call(client, "GET", f"/api/contactfieldtypes/{cft['id']}").get_json() == NOT_FOUND


def test_type_update_looks_for_the_type_before_validating(client, app, two_accounts):
    with unchanged(app):
        r = call(client, "PUT", "/api/contactfieldtypes/99999", {})
        assert (r.status_code, r.get_json()) == (404, NOT_FOUND)
    foreign = next(iter(account(two_accounts, "b").contact_field_types))
    with unchanged(two_accounts, "b"):
        r = call(two_accounts.test_client(), "PATCH", f"/api/contactfieldtypes/{foreign}", {}, token="a")
        assert (r.status_code, r.get_json()) == (404, NOT_FOUND)
        r = call(two_accounts.test_client(), "GET", f"/api/contactfieldtypes/{foreign}", token="a")
        assert (r.status_code, r.get_json()) == (404, NOT_FOUND)


def test_deleting_a_type_deletes_its_contact_fields(client, app):
    acc = account(app)
    email = seeded(app)["email"]
    assert any(f.contact_field_type_id == email.id for f in acc.contact_fields.values())
    assert call(client, "DELETE", f"/api/contactfieldtypes/{email.id}").status_code == 200
    assert not any(f.contact_field_type_id == email.id for f in acc.contact_fields.values())


def test_non_deletable_defaults_can_still_be_deleted_through_the_api(client, app):
    # `delible` only drives Monica's web UI; the API controller does not check it.
    phone = next(t for t in account(app).contact_field_types.values() if t.name == "Phone")
    assert phone.delible is False
    assert call(client, "DELETE", f"/api/contactfieldtypes/{phone.id}").status_code == 200


def test_avatars_are_the_default_file_served_by_monicas_storage_route(client, app):
    s = seeded(app)
    avatar = call(client, "GET", f"/api/contacts/{s['active'].id}").get_json()["data"]["information"]["avatar"]
    assert avatar["source"] == "default"
    assert avatar["url"].startswith(f"http://localhost/store/avatars/{s['active'].uuid}.jpg?")
    created = client.post("/__mockserver/monica/contacts", json={"first_name": "New"}).get_json()["data"]
    assert created["information"]["avatar"]["url"].startswith(f"http://localhost/store/avatars/{created['uuid']}.jpg?")


def test_with_compares_loosely_like_php(client, app):
    me = seeded(app)["me"].id
    assert "contactFields" in client.get(f"/api/contacts/{me}", json={"with": True}, headers={"Authorization": "Bearer mockserver-token"}).get_json()["data"]
    assert "contactFields" not in client.get(f"/api/contacts/{me}", json={"with": 1}, headers={"Authorization": "Bearer mockserver-token"}).get_json()["data"]
    assert "contactFields" not in call(client, "GET", f"/api/contacts/{me}?with=contactfield").get_json()["data"]
