"""Monica's own API tests for these endpoints (fact sheet section 7), translated from
PHPUnit to HTTP calls against the fake. Names are Monica's test method names.

`createConversation($user)` makes a new contact and a new contact field type in the
user's account; the apps here start with no seeded conversations (or contacts) so
counts are the tests' own.
"""
from __future__ import annotations

from typing import Any

import pytest

from .conftest import NOT_FOUND, account, call, error, strict_app

JSON_CONVERSATION = ["id", "object", "happened_at", "messages", "contact_field_type", "account", "contact", "created_at", "updated_at"]
JSON_CFT = ["id", "object", "name", "protocol", "delible", "type", "account", "created_at", "updated_at"]


def assert_structure(item: dict[str, Any], keys: list[str]) -> None:
    for key in keys:
        assert key in item, key
    for nested in ("contact_field_type", "account", "contact"):
        if nested in keys:
            assert "id" in item[nested]


@pytest.fixture
def empty() -> Any:
    """An account with its default types but no seeded conversations."""
    return strict_app(monica_sizes={"conversations": 0})


@pytest.fixture
def c(empty: Any) -> Any:
    return empty.test_client()


def create_conversation(client: Any, app: Any, token: str = "mockserver-token") -> dict[str, Any]:
    acc = account(app, token)
    contact = acc.create_contact("John", last_name="Doe")
    cft = call(client, "POST", "/api/contactfieldtypes", {"name": "Email", "protocol": "mailto:", "type": "email"}, token=token).get_json()["data"]
    response = call(client, "POST", "/api/conversations", {"happened_at": "2024-05-04 10:06:05", "contact_id": contact.id, "contact_field_type_id": cft["id"]}, token=token)
    assert response.status_code == 201
    return response.get_json()["data"]


# -- 7.1 ApiConversationControllerTest --------------------------------------------------


def test_it_gets_a_list_of_conversations(c, empty):
    for _ in range(10):
        create_conversation(c, empty)
    r = call(c, "GET", "/api/conversations")
    assert r.status_code == 200
    body = r.get_json()
    assert len(body["data"]) == 10
    assert body["meta"]["total"] == 10 and body["meta"]["current_page"] == 1
    for item in body["data"]:
        assert_structure(item, JSON_CONVERSATION)


def test_it_applies_the_limit_parameter_in_search(c, empty):
    for _ in range(10):
        create_conversation(c, empty)
    meta = call(c, "GET", "/api/conversations?limit=1").get_json()["meta"]
    assert (meta["total"], meta["current_page"], meta["per_page"], meta["last_page"]) == (10, 1, 1, 10)
    meta = call(c, "GET", "/api/conversations?limit=2").get_json()["meta"]
    assert (meta["total"], meta["current_page"], meta["per_page"], meta["last_page"]) == (10, 1, 2, 5)


def test_it_gets_a_conversation(c, empty):
    conversation = create_conversation(c, empty)
    r = call(c, "GET", f"/api/conversations/{conversation['id']}")
    assert r.status_code == 200
    assert_structure(r.get_json()["data"], JSON_CONVERSATION)


def test_it_gets_a_conversation_for_a_specific_contact(c, empty):
    conversation = create_conversation(c, empty)
    create_conversation(c, empty)  # another contact's
    r = call(c, "GET", f"/api/contacts/{conversation['contact']['id']}/conversations")
    assert r.status_code == 200
    data = r.get_json()["data"]
    assert [item["id"] for item in data] == [conversation["id"]]
    assert_structure(data[0], JSON_CONVERSATION)


def test_it_creates_a_conversation(c, empty):
    acc = account(empty)
    contact = acc.create_contact("John")
    cft = next(iter(acc.contact_field_types.values()))
    r = call(c, "POST", "/api/conversations", {"contact_id": contact.id, "happened_at": "1989-02-02", "contact_field_type_id": cft.id})
    assert r.status_code == 201
    assert_structure(r.get_json()["data"], JSON_CONVERSATION)


def test_it_updates_a_conversation(c, empty):
    conversation = create_conversation(c, empty)
    new_type = call(c, "POST", "/api/contactfieldtypes", {"name": "Signal"}).get_json()["data"]
    r = call(c, "PUT", f"/api/conversations/{conversation['id']}", {"happened_at": "1989-02-02", "contact_field_type_id": new_type["id"]})
    assert r.status_code == 200
    data = r.get_json()["data"]
    assert_structure(data, JSON_CONVERSATION)
    assert data["contact_field_type"]["id"] == new_type["id"] and data["happened_at"] == "1989-02-02T00:00:00Z"


def test_it_destroys_a_conversation(c, empty):
    conversation = create_conversation(c, empty)
    r = c.delete(f"/api/conversations/{conversation['id']}", headers={"Authorization": "Bearer mockserver-token"})  # plain delete()
    assert r.status_code == 200
    assert r.get_json() == {"deleted": True, "id": conversation["id"]}
    assert conversation["id"] not in account(empty).conversations


# -- 7.2 ApiMessageControllerTest -----------------------------------------------------------


def add_message(client: Any, conversation_id: int) -> dict[str, Any]:
    r = call(client, "POST", f"/api/conversations/{conversation_id}/messages", {"written_at": "1998-02-02", "written_by_me": True, "content": "lorem ipsum"})
    assert r.status_code == 200
    return r.get_json()["data"]


def test_it_adds_a_message_to_a_conversation(c, empty):
    conversation = create_conversation(c, empty)
    r = call(c, "POST", f"/api/conversations/{conversation['id']}/messages", {"written_at": "1998-02-02", "written_by_me": True, "content": "lorem ipsum"})
    assert r.status_code == 200
    data = r.get_json()["data"]
    assert_structure(data, JSON_CONVERSATION)
    assert data["messages"] and "id" in data["messages"][0]


def test_it_updates_a_message(c, empty):
    conversation = add_message(c, create_conversation(c, empty)["id"])
    mid = conversation["messages"][0]["id"]
    r = call(c, "PUT", f"/api/conversations/{conversation['id']}/messages/{mid}", {"written_at": "1989-02-02", "written_by_me": True, "content": "lorem ipsum"})
    assert r.status_code == 200
    data = r.get_json()["data"]
    assert_structure(data, JSON_CONVERSATION)
    assert data["messages"][0]["written_at"] == "1989-02-02T00:00:00Z"


def test_it_destroys_a_message(c, empty):
    conversation = add_message(c, create_conversation(c, empty)["id"])
    mid = conversation["messages"][0]["id"]
    r = c.delete(f"/api/conversations/{conversation['id']}/messages/{mid}", headers={"Authorization": "Bearer mockserver-token"})
    assert r.status_code == 200
    assert r.get_json() == {"deleted": True, "id": mid}
    assert mid not in account(empty).messages


# -- 7.3 ApiContactFieldTypeControllerTest ---------------------------------------------------


def test_contact_field_type_get_one(client):
    first = call(client, "POST", "/api/contactfieldtypes", {"name": "Email", "protocol": "mailto:", "type": "email"}).get_json()["data"]
    second = call(client, "POST", "/api/contactfieldtypes", {"name": "Email", "protocol": "mailto:", "type": "email"}).get_json()["data"]
    r = call(client, "GET", f"/api/contactfieldtypes/{first['id']}")
    assert r.status_code == 200
    data = r.get_json()["data"]
    assert_structure(data, JSON_CFT)
    assert (data["object"], data["id"]) == ("contactfieldtype", first["id"])
    assert data != second


def test_contact_field_type_get_one_error(client):
    r = call(client, "GET", "/api/contactfieldtypes/0")
    assert (r.status_code, r.get_json()) == (404, NOT_FOUND)


def test_contact_field_type_create(client, app):
    r = call(client, "POST", "/api/contactfieldtypes", {"name": "Email", "protocol": "mailto:", "type": "email"})
    assert r.status_code == 201
    data = r.get_json()["data"]
    assert_structure(data, JSON_CFT)
    assert data["object"] == "contactfieldtype"
    row = account(app).contact_field_types[data["id"]]
    assert (row.account_id, row.name, row.protocol, row.type) == (account(app).id, "Email", "mailto:", "email")


def test_contact_field_type_create_error(client):
    assert error(call(client, "POST", "/api/contactfieldtypes", {})) == (422, 32, ["The name field is required."])


def test_contact_field_type_update(client, app):
    created = call(client, "POST", "/api/contactfieldtypes", {"name": "Email", "protocol": "mailto:", "type": "email"}).get_json()["data"]
    r = call(client, "PUT", f"/api/contactfieldtypes/{created['id']}", {"name": "Email2", "protocol": "mailto:", "type": "email"})
    assert r.status_code == 200
    assert r.get_json()["data"]["id"] == created["id"]
    assert account(app).contact_field_types[created["id"]].name == "Email2"


def test_contact_field_type_update_error(client):
    created = call(client, "POST", "/api/contactfieldtypes", {"name": "Email"}).get_json()["data"]
    assert error(call(client, "PUT", f"/api/contactfieldtypes/{created['id']}", {})) == (422, 32, ["The name field is required."])


def test_contact_field_type_update_error_bad_account(two_accounts):
    c = two_accounts.test_client()
    foreign = next(iter(account(two_accounts, "b").contact_field_types))
    r = call(c, "PUT", f"/api/contactfieldtypes/{foreign}", {"name": "Email2"}, token="a")
    assert (r.status_code, r.get_json()) == (404, NOT_FOUND)


def test_contact_field_type_delete(client, app):
    created = call(client, "POST", "/api/contactfieldtypes", {"name": "Email"}).get_json()["data"]
    assert call(client, "DELETE", f"/api/contactfieldtypes/{created['id']}").status_code == 200
    assert created["id"] not in account(app).contact_field_types


def test_contact_field_type_delete_error(client):
    r = call(client, "DELETE", "/api/contactfieldtypes/0")
    assert (r.status_code, r.get_json()) == (404, NOT_FOUND)


def test_contact_field_type_delete_bad_account(two_accounts):
    c = two_accounts.test_client()
    foreign = next(iter(account(two_accounts, "b").contact_field_types))
    r = call(c, "DELETE", f"/api/contactfieldtypes/{foreign}", token="a")
    assert (r.status_code, r.get_json()) == (404, NOT_FOUND)
    assert foreign in account(two_accounts, "b").contact_field_types


# -- 7.4 ApiControllerTest (HTTP level) and 7.5 ApiAuthenticateTest --------------------------


def test_calling_api_with_insane_limit_number_raises_an_error(client):
    assert error(call(client, "GET", "/api/contacts?limit=10000")) == (400, 30, "The limit parameter is too big")


def test_calling_api_with_a_wrong_sort_parameter_raises_an_error(client):
    assert error(call(client, "GET", "/api/contacts?sort=anything")) == (400, 39, "The sorting criteria is invalid")


def test_root_api(client):
    r = call(client, "GET", "/api")
    assert r.status_code == 200
    body = r.get_json()
    assert body["success"] == {"message": "Welcome to Monica"}
    assert body["links"]["contacts_url"] == "http://localhost/api/contacts"
    assert list(body["links"]) == [
        "activities_url", "addresses_url", "calls_url", "contacts_url", "conversations_url", "countries_url", "currencies_url",
        "documents_url", "journal_url", "notes_url", "relationships_url", "reminders_url", "statistics_url",
    ]
    assert body["links"]["relationships_url"] == "http://localhost/api/contacts/:contactId/relationships"


def test_guest_is_rejected(client):
    r = client.get("/api/contacts", headers={"Accept": "application/json", "Content-Type": "application/json"})
    assert r.status_code == 401
    assert r.get_json()["message"] == "Unauthenticated."


# -- 7.6 ApiContactControllerTest (list and get) ------------------------------------------------


@pytest.fixture
def bare() -> Any:
    """An account without seeded contacts (nor conversations)."""
    return strict_app(monica_sizes={"contacts": 0, "conversations": 0})


def test_it_gets_a_list_of_contacts(bare):
    c, acc = bare.test_client(), account(bare)
    for i in range(10):
        acc.create_contact(f"Person{i}", last_name="Doe", gender_type=None if i % 2 else "M")  # also ..._without_gender
    r = call(c, "GET", "/api/contacts")
    assert r.status_code == 200
    body = r.get_json()
    assert len(body["data"]) == 10
    assert (body["meta"]["total"], body["meta"]["current_page"]) == (10, 1)  # it_contains_pagination_when_fetching_contacts
    meta = call(c, "GET", "/api/contacts?limit=1").get_json()["meta"]
    assert (meta["total"], meta["current_page"], meta["per_page"], meta["last_page"]) == (10, 1, 1, 10)
    meta = call(c, "GET", "/api/contacts?limit=2").get_json()["meta"]
    assert (meta["total"], meta["current_page"], meta["per_page"], meta["last_page"]) == (10, 1, 2, 5)


def test_it_is_possible_to_search_contacts_with_query(bare):
    c, acc = bare.test_client(), account(bare)
    acc.create_contact("roger")
    acc.create_contact("john")
    body = call(c, "GET", "/api/contacts?query=ro").get_json()
    assert [d["first_name"] for d in body["data"]] == ["roger"]
    assert (body["meta"]["total"], body["meta"]["query"]) == (1, "ro")
    acc.create_contact("robert")
    meta = call(c, "GET", "/api/contacts?query=ro&limit=1").get_json()["meta"]
    assert (meta["total"], meta["per_page"], meta["current_page"]) == (2, 1, 1)
    meta = call(c, "GET", "/api/contacts?query=ro&limit=1&page=2").get_json()["meta"]
    assert meta["current_page"] == 2


def test_it_gets_a_contact(bare):
    c = bare.test_client()
    roger = account(bare).create_contact("roger")
    r = call(c, "GET", f"/api/contacts/{roger.id}")
    assert r.status_code == 200
    data = r.get_json()["data"]
    assert (data["first_name"], data["object"]) == ("roger", "contact")
    assert data["information"]["dates"]["birthdate"] == {"date": None, "is_age_based": None, "is_year_unknown": None}


def test_getting_a_partial_contact_matches_a_specific_json_structure(bare):
    c = bare.test_client()
    partial = account(bare).create_contact("Partial", is_partial=True)
    data = call(c, "GET", f"/api/contacts/{partial.id}").get_json()["data"]
    assert "dates" in data["information"] and "created_at" in data and "updated_at" in data
    for key in ("last_called", "addresses", "tags", "statistics", "url"):
        assert key not in data
    assert list(data["information"]) == ["dates"]


def test_it_gets_a_contact_with_the_contact_fields(bare):
    c, acc = bare.test_client(), account(bare)
    john = acc.create_contact("john")
    email = next(t for t in acc.contact_field_types.values() if t.name == "Email")
    acc.add_contact_field(john.id, email.id, "john@doe.com")
    data = call(c, "GET", f"/api/contacts/{john.id}?with=contactfields").get_json()["data"]
    field = data["contactFields"][0]
    assert (field["object"], field["content"]) == ("contactfield", "john@doe.com")
    assert (field["contact_field_type"]["object"], field["contact_field_type"]["name"]) == ("contactfieldtype", "Email")
    assert data["notes"] == []
    # it_gets_list_of_contacts_with_parameter_and_limit_and_page
    listed = call(c, "GET", "/api/contacts?with=contactfields&limit=1&page=1").get_json()["data"]
    assert listed[0]["contactFields"][0]["content"] == "john@doe.com"
    # without the parameter there is no contactFields key
    assert "contactFields" not in call(c, "GET", f"/api/contacts/{john.id}").get_json()["data"]


def test_it_prevents_a_contact_query_injection(two_accounts):
    c = two_accounts.test_client()
    b_names = {x.first_name for x in account(two_accounts, "b").contacts.values()}
    for needle in ("' OR 1=1 --", "%", "_", "a"):
        data = call(c, "GET", f"/api/contacts?query={needle}", token="a").get_json()["data"]
        assert all(d["account"]["id"] == account(two_accounts, "a").id for d in data)
    assert b_names  # account b has contacts to leak


def test_contact_query_internationalphone(bare):
    c, acc = bare.test_client(), account(bare)
    phone_type = next(t for t in acc.contact_field_types.values() if t.name == "Phone")
    someone = acc.create_contact("Someone")
    acc.create_contact("Nobody")
    acc.add_contact_field(someone.id, phone_type.id, "+447007007007")
    body = call(c, "GET", "/api/contacts?query=Phone:%2B447007007007").get_json()
    assert [d["id"] for d in body["data"]] == [someone.id]
    assert body["meta"]["query"] == "Phone:+447007007007"


def test_it_gets_me_contact(client, app):
    me = account(app).me_contact_id
    assert call(client, "GET", f"/api/contacts/{me}").get_json()["data"]["is_me"] is True
