"""Monica's own API tests for contact writes, contact fields and genders, translated from
PHPUnit to HTTP calls against the fake (tag v4.1.2):

- tests/Api/Contact/ApiContactControllerTest.php (create, update, delete; list and get
  are in test_monica_suite.py; career, food and introduction are routes the fake does
  not serve),
- tests/Api/ContactField/ApiContactFieldControllerTest.php,
- tests/Api/Account/ApiGenderControllerTest.php.

Names are Monica's test method names. Monica's factories become the model's setup
methods; `Carbon::setTestNow(...)` becomes the account's clock.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from .conftest import NOT_FOUND, account, call, error, strict_app

JSON_CONTACT = ["id", "object", "hash_id", "first_name", "last_name", "nickname", "gender", "gender_type", "is_starred", "is_partial",
                "is_dead", "is_me", "last_called", "last_activity_together", "stay_in_touch_frequency", "stay_in_touch_trigger_date",
                "information", "addresses", "tags", "statistics", "account", "created_at", "updated_at"]
JSON_INFORMATION = ["relationships", "dates", "career", "avatar", "food_preferences", "how_you_met"]
JSON_CONTACT_FIELD = ["id", "object", "content", "contact_field_type", "account", "contact", "created_at", "updated_at"]
JSON_GENDER = ["id", "object", "name", "type", "account", "created_at", "updated_at"]

# The body most of Monica's contact tests send.
JOHN = {"first_name": "John", "middle_name": "Freaking", "last_name": "Doe", "nickname": "Titi", "description": "A great guy",
        "is_partial": False}
NO_DATES = {"is_birthdate_known": False, "is_deceased": False, "is_deceased_date_known": False}


def assert_structure(item: dict[str, Any], keys: list[str]) -> None:
    for key in keys:
        assert key in item, key


@pytest.fixture
def app() -> Any:
    """A fresh account (default genders and types, no seeded contacts), on 2018-01-01 07:00."""
    app = strict_app(monica_sizes={"contacts": 0, "conversations": 0})
    account(app).clock = lambda: datetime(2018, 1, 1, 7, 0, 0)
    return app


@pytest.fixture
def c(app: Any) -> Any:
    return app.test_client()


def gender(app: Any, token: str = "mockserver-token") -> Any:
    """factory(Gender::class)->create(['account_id' => ...])."""
    return account(app, token).create_gender({"name": "Male", "type": "M"})


def dates(data: dict[str, Any], which: str) -> dict[str, Any]:
    return data["information"]["dates"][which]


# -- ApiContactControllerTest: create ------------------------------------------------------------


def test_it_creates_a_contact(c, app):
    g = gender(app)
    r = call(c, "POST", "/api/contacts/", {**JOHN, "gender_id": g.id, **NO_DATES})
    assert r.status_code == 201
    data = r.get_json()["data"]
    assert_structure(data, JSON_CONTACT)
    assert_structure(data["information"], JSON_INFORMATION)
    assert data["object"] == "contact" and data["id"] > 0
    row = account(app).contacts[data["id"]]
    assert (row.account_id, row.first_name, row.last_name, row.gender_id) == (account(app).id, "John", "Doe", g.id)
    assert (row.is_starred, row.is_partial, row.is_dead) == (False, False, False)


def test_creating_contact_is_not_possible_if_parameters_are_missing(c):
    assert error(call(c, "POST", "/api/contacts/", {"first_name": "John", "last_name": "Doe"})) == (422, 32, [
        "The is birthdate known field is required.",
        "The is deceased field is required.",
        "The is deceased date known field is required.",
    ])


def test_it_creates_a_birthdate(c, app):
    r = call(c, "POST", "/api/contacts/", {
        **JOHN, "gender_id": gender(app).id, "is_birthdate_known": True, "birthdate_day": 10, "birthdate_month": 10,
        "birthdate_year": 1980, "birthdate_is_age_based": False, "birthdate_add_reminder": True, "is_deceased": False,
        "is_deceased_date_known": False,
    })
    assert r.status_code == 201
    data = r.get_json()["data"]
    assert_structure(data, JSON_CONTACT)
    assert dates(data, "birthdate") == {"date": "1980-10-10T00:00:00Z", "is_age_based": False, "is_year_unknown": False}
    birthdate = account(app).contacts[data["id"]].birthdate
    assert birthdate is not None and birthdate.date == datetime(1980, 10, 10)


def test_contact_create_birthdate_year_unknown(c, app):
    r = call(c, "POST", "/api/contacts/", {
        **JOHN, "gender_id": gender(app).id, "is_birthdate_known": True, "birthdate_day": 10, "birthdate_month": 10,
        "birthdate_year": 0, "birthdate_is_age_based": False, "birthdate_add_reminder": True, "is_deceased": False,
        "is_deceased_date_known": False,
    })
    assert r.status_code == 201
    assert dates(r.get_json()["data"], "birthdate") == {"date": "2018-10-10T00:00:00Z", "is_age_based": False, "is_year_unknown": True}


def test_contact_create_birthdate_age_based(c, app):
    r = call(c, "POST", "/api/contacts/", {
        **JOHN, "gender_id": gender(app).id, "is_birthdate_known": True, "birthdate_day": 10, "birthdate_month": 10,
        "birthdate_year": 0, "birthdate_is_age_based": True, "birthdate_age": 30, "birthdate_add_reminder": True,
        "is_deceased": False, "is_deceased_date_known": False,
    })
    assert r.status_code == 201
    assert dates(r.get_json()["data"], "birthdate") == {"date": "1988-01-01T00:00:00Z", "is_age_based": True, "is_year_unknown": False}


def test_contact_create_deceased_date(c, app):
    r = call(c, "POST", "/api/contacts/", {
        **JOHN, "gender_id": gender(app).id, "is_birthdate_known": False, "is_deceased": True, "is_deceased_date_known": True,
        "deceased_date_day": 10, "deceased_date_month": 10, "deceased_date_year": 1900, "deceased_date_add_reminder": False,
    })
    assert r.status_code == 201
    data = r.get_json()["data"]
    assert dates(data, "deceased_date") == {"date": "1900-10-10T00:00:00Z", "is_age_based": False, "is_year_unknown": False}
    assert data["is_dead"] is True


def test_contact_create_deceased_date_year_unknown(c, app):
    r = call(c, "POST", "/api/contacts/", {
        **JOHN, "gender_id": gender(app).id, "is_birthdate_known": False, "is_deceased": True, "is_deceased_date_known": True,
        "deceased_date_day": 10, "deceased_date_month": 10, "deceased_date_year": 0, "deceased_date_add_reminder": False,
    })
    assert r.status_code == 201
    assert dates(r.get_json()["data"], "deceased_date") == {"date": "2018-10-10T00:00:00Z", "is_age_based": False, "is_year_unknown": True}


# -- ApiContactControllerTest: update ------------------------------------------------------------


def test_it_updates_a_contact(c, app):
    contact = account(app).create_contact("Someone", gender_type="F")
    r = call(c, "PUT", f"/api/contacts/{contact.id}", {
        **JOHN, "gender_id": contact.gender_id, "is_birthdate_known": True, "birthdate_day": 1, "birthdate_month": 1,
        "birthdate_year": 1900, "birthdate_is_age_based": False, "birthdate_age": 0, "birthdate_add_reminder": True,
        "is_deceased": False, "is_deceased_date_known": False,
    })
    assert r.status_code == 200
    data = r.get_json()["data"]
    assert_structure(data, JSON_CONTACT)
    assert (data["object"], data["id"], data["first_name"]) == ("contact", contact.id, "John")
    assert dates(data, "birthdate") == {"date": "1900-01-01T00:00:00Z", "is_age_based": False, "is_year_unknown": False}


def test_contact_update_bad_account(two_accounts):
    foreign = account(two_accounts, "b").create_contact("Foreign")
    r = call(two_accounts.test_client(), "PUT", f"/api/contacts/{foreign.id}", {
        **JOHN, "gender_id": None, "is_birthdate_known": True, "birthdate_day": 1, "birthdate_month": 1, "birthdate_year": 1900,
        "birthdate_is_age_based": False, "birthdate_age": 0, "birthdate_add_reminder": True, "is_deceased": False,
        "is_deceased_date_known": False,
    }, token="a")
    assert (r.status_code, r.get_json()) == (404, NOT_FOUND)


def test_it_cant_update_the_contact_if_parameters_are_missing(c, app):
    contact = account(app).create_contact("Someone")
    assert error(call(c, "PUT", f"/api/contacts/{contact.id}", {"first_name": "Jane", "last_name": "Doe"})) == (422, 32, [
        "The is birthdate known field is required.",
        "The is deceased date known field is required.",
    ])


@pytest.mark.parametrize("year, is_age_based, age, expected", [
    (1980, False, None, {"date": "1980-10-10T00:00:00Z", "is_age_based": False, "is_year_unknown": False}),  # contact_update_birthdate
    (0, False, None, {"date": "2018-10-10T00:00:00Z", "is_age_based": False, "is_year_unknown": True}),  # ..._year_unknown
    (0, True, 30, {"date": "1988-01-01T00:00:00Z", "is_age_based": True, "is_year_unknown": False}),  # ..._age_based
])
def test_contact_update_birthdate(c, app, year, is_age_based, age, expected):
    contact = account(app).create_contact("Someone")
    body = {**JOHN, "gender_id": gender(app).id, "is_birthdate_known": True, "birthdate_day": 10, "birthdate_month": 10,
            "birthdate_year": year, "birthdate_is_age_based": is_age_based, "birthdate_add_reminder": True, "is_deceased": False,
            "is_deceased_date_known": False}
    if age is not None:
        body["birthdate_age"] = age
    r = call(c, "PUT", f"/api/contacts/{contact.id}", body)
    assert r.status_code == 200
    assert dates(r.get_json()["data"], "birthdate") == expected


def test_contact_update_deceased_date(c, app):
    contact = account(app).create_contact("Someone")
    r = call(c, "PUT", f"/api/contacts/{contact.id}", {
        **JOHN, "gender_id": gender(app).id, "is_birthdate_known": False, "is_deceased": True, "is_deceased_date_known": True,
        "deceased_date_day": 10, "deceased_date_month": 10, "deceased_date_year": 1910, "deceased_date_add_reminder": False,
    })
    assert r.status_code == 200
    assert dates(r.get_json()["data"], "deceased_date") == {"date": "1910-10-10T00:00:00Z", "is_age_based": False, "is_year_unknown": False}


# -- ApiContactControllerTest: delete ------------------------------------------------------------


def test_it_deletes_a_contact(c, app):
    contact = account(app).create_contact("Someone")
    r = call(c, "DELETE", f"/api/contacts/{contact.id}")
    assert r.status_code == 200
    # assertDatabaseMissing(... 'deleted_at' => null): the row stays, soft-deleted.
    assert contact.id not in account(app).contacts and contact.id in account(app).trashed_contacts


# -- ApiContactFieldControllerTest ---------------------------------------------------------------


def email_type(app: Any) -> Any:
    return next(t for t in account(app).contact_field_types.values() if t.type == "email")


def test_contact_fields_get_contact_all(c, app):
    acc = account(app)
    contact1, contact2 = acc.create_contact("One"), acc.create_contact("Two")
    field1 = acc.add_contact_field(contact1.id, email_type(app).id, "one@example.com")
    field2 = acc.add_contact_field(contact2.id, email_type(app).id, "two@example.com")
    r = call(c, "GET", f"/api/contacts/{contact1.id}/contactfields")
    assert r.status_code == 200
    data = r.get_json()["data"]
    for item in data:
        assert_structure(item, JSON_CONTACT_FIELD)
    assert [(d["object"], d["id"]) for d in data] == [("contactfield", field1.id)]
    assert field2.id not in [d["id"] for d in data]


def test_contact_fields_get_contact_all_error(c):
    r = call(c, "GET", "/api/contacts/0/contactfields")
    assert (r.status_code, r.get_json()) == (404, NOT_FOUND)


def test_contact_fields_get_one(c, app):
    acc = account(app)
    contact = acc.create_contact("One")
    field1 = acc.add_contact_field(contact.id, email_type(app).id, "one@example.com")
    acc.add_contact_field(contact.id, email_type(app).id, "other@example.com")
    r = call(c, "GET", f"/api/contactfields/{field1.id}")
    assert r.status_code == 200
    data = r.get_json()["data"]
    assert_structure(data, JSON_CONTACT_FIELD)
    assert (data["object"], data["id"], data["content"]) == ("contactfield", field1.id, "one@example.com")


def test_contact_fields_get_one_error(c):
    r = call(c, "GET", "/api/contactfields/0")
    assert (r.status_code, r.get_json()) == (404, NOT_FOUND)


def test_contact_fields_create(c, app):
    acc = account(app)
    contact = acc.create_contact("One")
    field_type = acc.create_contact_field_type({"name": "Email", "protocol": "mailto:", "type": "email"})
    r = call(c, "POST", "/api/contactfields", {"contact_id": contact.id, "contact_field_type_id": field_type.id, "data": "ok"})
    assert r.status_code == 201
    data = r.get_json()["data"]
    assert_structure(data, JSON_CONTACT_FIELD)
    assert data["object"] == "contactfield" and data["id"] > 0
    row = acc.contact_fields[data["id"]]
    assert (row.account_id, row.contact_id, row.contact_field_type_id, row.data) == (acc.id, contact.id, field_type.id, "ok")


def test_contact_fields_create_error(c, app):
    contact = account(app).create_contact("One")
    assert error(call(c, "POST", "/api/contactfields", {"contact_id": contact.id})) == (422, 32, [
        "The contact field type id field is required.",
        "The data field is required.",
    ])


def test_contact_fields_create_error_bad_account(two_accounts):
    foreign = account(two_accounts, "b").create_contact("Foreign")
    field_type = email_type_of(two_accounts, "a")
    r = call(two_accounts.test_client(), "POST", "/api/contactfields",
             {"contact_id": foreign.id, "contact_field_type_id": field_type.id, "data": "ok"}, token="a")
    assert (r.status_code, r.get_json()) == (404, NOT_FOUND)


def email_type_of(app: Any, token: str) -> Any:
    return next(t for t in account(app, token).contact_field_types.values() if t.type == "email")


def test_contact_fields_update(c, app):
    acc = account(app)
    contact = acc.create_contact("One")
    field = acc.add_contact_field(contact.id, email_type(app).id, "one@example.com")
    r = call(c, "PUT", f"/api/contactfields/{field.id}", {"contact_id": contact.id, "contact_field_type_id": field.contact_field_type_id, "data": "ok"})
    assert r.status_code == 200
    data = r.get_json()["data"]
    assert_structure(data, JSON_CONTACT_FIELD)
    assert (data["object"], data["id"]) == ("contactfield", field.id)
    row = acc.contact_fields[field.id]
    assert (row.contact_id, row.contact_field_type_id, row.data) == (contact.id, field.contact_field_type_id, "ok")


def test_contact_fields_update_error(c, app):
    acc = account(app)
    field = acc.add_contact_field(acc.create_contact("One").id, email_type(app).id, "one@example.com")
    assert error(call(c, "PUT", f"/api/contactfields/{field.id}", {"contact_id": field.contact_id})) == (422, 32, [
        "The contact field type id field is required.",
        "The data field is required.",
    ])


def test_contact_fields_update_error_bad_account(two_accounts):
    # A field of account a whose contact is in account b: the contact lookup is scoped.
    acc_a = account(two_accounts, "a")
    field = acc_a.add_contact_field(acc_a.create_contact("Mine").id, email_type_of(two_accounts, "a").id, "x@example.com")
    foreign = account(two_accounts, "b").create_contact("Foreign")
    r = call(two_accounts.test_client(), "PUT", f"/api/contactfields/{field.id}",
             {"contact_id": foreign.id, "contact_field_type_id": field.contact_field_type_id, "data": "ok"}, token="a")
    assert (r.status_code, r.get_json()) == (404, NOT_FOUND)
    assert acc_a.contact_fields[field.id].data == "x@example.com"


def test_contact_fields_delete(c, app):
    acc = account(app)
    field = acc.add_contact_field(acc.create_contact("One").id, email_type(app).id, "one@example.com")
    assert field.id in acc.contact_fields
    assert call(c, "DELETE", f"/api/contactfields/{field.id}").status_code == 200
    assert field.id not in acc.contact_fields


def test_contact_fields_delete_error(c):
    assert error(call(c, "DELETE", "/api/contactfields/0")) == (422, 32, ["The selected contact field id is invalid."])


# -- ApiGenderControllerTest ---------------------------------------------------------------------


def test_it_gets_a_list_of_genders(c, app):
    for _ in range(3):
        gender(app)
    r = call(c, "GET", "/api/genders")
    assert r.status_code == 200
    for item in r.get_json()["data"]:
        assert_structure(item, JSON_GENDER)


def test_it_applies_the_limit_parameter_in_search():
    app = strict_app()
    acc = account(app)
    for gender_id in list(acc.genders):  # Monica's factory account has none of the default three
        acc.delete_gender(gender_id)
    for _ in range(10):
        gender(app)
    c = app.test_client()
    meta = call(c, "GET", "/api/genders?limit=1").get_json()["meta"]
    assert (meta["total"], meta["current_page"], meta["per_page"], meta["last_page"]) == (10, 1, 1, 10)
    meta = call(c, "GET", "/api/genders?limit=2").get_json()["meta"]
    assert (meta["total"], meta["current_page"], meta["per_page"], meta["last_page"]) == (10, 1, 2, 5)


def test_it_gets_one_gender(c, app):
    g = gender(app)
    r = call(c, "GET", f"/api/genders/{g.id}")
    assert r.status_code == 200
    data = r.get_json()["data"]
    assert_structure(data, JSON_GENDER)
    assert (data["object"], data["id"]) == ("gender", g.id)


def test_it_cant_get_a_gender_with_unexistent_id(c):
    r = call(c, "GET", "/api/genders/0")
    assert (r.status_code, r.get_json()) == (404, NOT_FOUND)


def test_it_creates_a_gender(c, app):
    r = call(c, "POST", "/api/genders", {"name": "man", "type": "M"})
    assert r.status_code == 201
    data = r.get_json()["data"]
    assert_structure(data, JSON_GENDER)
    assert data["object"] == "gender"
    row = account(app).genders[data["id"]]
    assert (row.account_id, row.name, row.type) == (account(app).id, "man", "M")


def test_it_updates_a_gender(c, app):
    g = gender(app)
    r = call(c, "PUT", f"/api/genders/{g.id}", {"name": "man", "type": "M"})
    assert r.status_code == 200
    data = r.get_json()["data"]
    assert_structure(data, JSON_GENDER)
    assert (data["object"], data["id"]) == ("gender", g.id)
    assert (account(app).genders[g.id].name, account(app).genders[g.id].type) == ("man", "M")


@pytest.mark.parametrize("extra", [{}, {"account_id": "b"}])  # ..._not_linked_to_gender and ..._gender2
def test_it_cant_update_a_gender_if_account_is_not_linked_to_gender(two_accounts, extra):
    foreign = gender(two_accounts, "b")
    body = {"name": "man", "type": "M", **({"account_id": account(two_accounts, "b").id} if extra else {})}
    r = call(two_accounts.test_client(), "PUT", f"/api/genders/{foreign.id}", body, token="a")
    assert (r.status_code, r.get_json()) == (404, NOT_FOUND)


def test_it_deletes_a_gender(c, app):
    g = gender(app)
    assert call(c, "DELETE", f"/api/genders/{g.id}").status_code == 200
    assert g.id not in account(app).genders


def test_it_cant_delete_a_gender_if_gender_doesnt_exist(c):
    assert error(call(c, "DELETE", "/api/genders/0")) == (422, 32, ["The selected gender id is invalid."])
