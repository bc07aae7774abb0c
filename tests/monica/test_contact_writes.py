"""Contact writes as Monica 4.1.2's services make them (CreateContact, UpdateContact,
DestroyContact and the special-date services they call), including what a client meets
when a step fails half-way (Monica's answer; the writes before it undone, or kept as
Monica keeps them with `monica_partial_writes`), and what a soft-deleted contact leaves readable."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from mockserver.monica.models import AVATAR_COLORS

from .conftest import ARCHIVED_MESSAGE, NOT_FOUND, account, auth, call, error, seeded, strict_app, unchanged

NO_DATES = {"is_birthdate_known": False, "is_deceased": False, "is_deceased_date_known": False}
CONTACT_MODEL = "App\\Models\\Contact\\Contact"


def create(client: Any, token: str = "mockserver-token", **fields: Any) -> Any:
    return call(client, "POST", "/api/contacts", {**NO_DATES, **fields}, token=token)


def fresh_app(**options: Any) -> Any:
    """An account without seeded contacts or conversations, on a fixed clock."""
    app = strict_app(monica_sizes={"contacts": 0, "conversations": 0}, **options)
    account(app).clock = lambda: datetime(2024, 5, 4, 10, 6, 5)
    return app


@pytest.fixture
def fresh() -> Any:
    return fresh_app()


@pytest.fixture
def partial_writes() -> Any:
    """As `fresh`, on a server that keeps what a failing service wrote, as Monica does."""
    return fresh_app(monica_partial_writes=True)


# -- create ---------------------------------------------------------------------------------------------


def test_create_answers_201_with_the_full_contact_its_avatar_and_the_email_as_a_contact_field(fresh):
    c = fresh.test_client()
    r = call(c, "POST", "/api/contacts?with=contactfields", {"first_name": " Ann ", "last_name": "Lee", "email": "ann@example.com", **NO_DATES})
    assert r.status_code == 201
    data = r.get_json()["data"]
    assert (data["first_name"], data["complete_name"], data["initials"], data["is_active"], data["is_me"]) == ("Ann", "Ann Lee", "AL", True, False)
    assert data["hash_id"].startswith("h:") and data["created_at"] == data["updated_at"] == "2024-05-04T10:06:05Z"
    avatar = data["information"]["avatar"]
    assert avatar["url"] == f"http://localhost/store/avatars/{data['uuid']}.jpg?1714817165"
    assert avatar["source"] == "default" and avatar["default_avatar_color"] in AVATAR_COLORS
    [field] = data["contactFields"]
    assert (field["content"], field["contact_field_type"]["type"], field["contact"]["id"]) == ("ann@example.com", "email", data["id"])
    assert call(c, "GET", f"/api/contacts/{data['id']}?with=contactfields").get_json()["data"] == data


def test_without_an_email_type_the_email_is_dropped(fresh):
    c = fresh.test_client()
    email = next(t for t in account(fresh).contact_field_types.values() if t.type == "email")
    call(c, "DELETE", f"/api/contactfieldtypes/{email.id}")
    created = create(c, first_name="Ann", email="ann@example.com").get_json()["data"]
    assert call(c, "GET", f"/api/contacts/{created['id']}/contactfields").get_json()["meta"]["total"] == 0


@pytest.mark.parametrize("body, messages", [
    ({}, ["The first name field is required.", "The is birthdate known field is required.", "The is deceased field is required.",
          "The is deceased date known field is required."]),
    ({"first_name": "x" * 256, "nickname": 5, **NO_DATES},
     ["The first name may not be greater than 255 characters.", "The nickname must be a string."]),
    ({"first_name": "A", "gender_id": "abc", "is_partial": "yes", **NO_DATES},
     ["The gender id must be an integer.", "The selected gender id is invalid.", "The is partial field must be true or false."]),
    ({"first_name": "A", "address_book_id": 1, "uuid": 5, **NO_DATES},  # the fake keeps no address books
     ["The uuid must be a string.", "The selected address book id is invalid."]),
    ({"first_name": "A", "author_id": 999999, **NO_DATES}, ["The selected author id is invalid."]),  # a client-sent author_id wins
    ({"first_name": "A", "birthdate_day": "1st", "is_birthdate_known": 2, "is_deceased": False, "is_deceased_date_known": False},
     ["The is birthdate known field must be true or false.", "The birthdate day must be an integer."]),
])
def test_create_rules_report_every_message_in_the_services_order_and_change_nothing(client, app, body, messages):
    with unchanged(app):
        assert error(call(client, "POST", "/api/contacts", body)) == (422, 32, messages)


# CreateContact writes the contact, then UpdateBirthdayInformation validates its own rules:
# Monica's 422 comes after the row exists (no transaction), before the avatar or the email.
HALF_MADE_BIRTHDATE = {"first_name": "Half", "email": "half@example.com", "is_birthdate_known": True}
BIRTHDATE_REFUSED = (422, 32, ["The day field is required.", "The month field is required."])
AGE_REFUSED = (422, 32, ["The age field is required."])
# UpdateDeceasedInformation saves `is_dead`, then hands a null month to an int parameter.
HALF_MADE_DEATH = {"first_name": "Gone", "is_deceased": True, "is_deceased_date_known": True, "deceased_date_day": 3}
DEATH_REFUSED = "App\\Models\\Contact\\Contact::setSpecialDate(): Argument #3 ($month) must be of type int, null given"


def test_a_birthdate_the_birthday_service_refuses_is_monicas_422_and_creates_nothing(fresh):
    c = fresh.test_client()
    with unchanged(fresh):
        assert error(create(c, **HALF_MADE_BIRTHDATE)) == BIRTHDATE_REFUSED
        assert error(create(c, first_name="Age", is_birthdate_known=True, birthdate_is_age_based=True)) == AGE_REFUSED


def test_with_partial_writes_a_refused_birthdate_leaves_the_contact_monica_already_created(partial_writes):
    c = partial_writes.test_client()
    assert error(create(c, **HALF_MADE_BIRTHDATE)) == BIRTHDATE_REFUSED
    [half] = account(partial_writes).contacts.values()
    data = call(c, "GET", f"/api/contacts/{half.id}?with=contactfields").get_json()["data"]
    assert data["first_name"] == "Half" and data["contactFields"] == []
    assert data["information"]["avatar"] == {"url": "", "source": "default", "default_avatar_color": ""}
    assert error(create(c, first_name="Age", is_birthdate_known=True, birthdate_is_age_based=True)) == AGE_REFUSED
    assert len(account(partial_writes).contacts) == 2


def test_a_known_date_of_death_without_day_or_month_is_a_php_type_error_and_creates_nothing(fresh):
    with unchanged(fresh):
        r = create(fresh.test_client(), **HALF_MADE_DEATH)
    assert r.status_code == 500 and r.get_json()["message"].startswith(DEATH_REFUSED)


def test_with_partial_writes_a_date_of_death_without_a_month_leaves_a_dead_contact_without_the_date(partial_writes):
    c = partial_writes.test_client()
    r = create(c, **HALF_MADE_DEATH)
    assert r.status_code == 500 and r.get_json()["message"].startswith(DEATH_REFUSED)
    [gone] = account(partial_writes).contacts.values()
    data = call(c, "GET", f"/api/contacts/{gone.id}").get_json()["data"]
    assert (data["is_dead"], data["complete_name"], data["information"]["dates"]["deceased_date"]["date"]) == (True, "Gone \u26b0", None)


def test_a_refused_create_takes_no_id_and_no_uuid_from_the_next_contact():
    """The id sequence and the seeded uuid generator are put back too: the next contact is
    the one a server that never saw the refused request makes."""
    refused, untouched = fresh_app(), fresh_app()
    assert error(create(refused.test_client(), **HALF_MADE_BIRTHDATE)) == BIRTHDATE_REFUSED
    made, expected = (create(app.test_client(), first_name="Next").get_json()["data"] for app in (refused, untouched))
    assert (made["id"], made["uuid"], made["information"]["avatar"]) == (expected["id"], expected["uuid"], expected["information"]["avatar"])


@pytest.mark.parametrize("fields, expected", [
    ({"is_partial": None}, (500, 40, "Invalid query")),  # INSERT of null into a NOT NULL column
    ({"is_dead": None}, (500, 40, "Invalid query")),
])
def test_null_in_a_not_null_column_fails_the_insert(client, app, fields, expected):
    with unchanged(app):
        assert error(create(client, first_name="A", **fields)) == expected


@pytest.mark.parametrize("column", ["job", "company", "food_preferences", "first_met_additional_info", "is_dead"])
def test_an_array_in_a_column_no_rule_checks_is_a_php_error(client, app, column):
    with unchanged(app):
        r = create(client, first_name="A", **{column: ["x"]})
    assert (r.status_code, r.get_json()) == (500, {"message": "Array to string conversion"})


def test_fillable_columns_without_rules_are_stored_as_mysql_stores_them(fresh):
    c = fresh.test_client()
    data = create(c, first_name="A", job="x" * 300, company=42, food_preferences=True, is_starred=True, is_active=False).get_json()["data"]
    assert data["information"]["career"] == {"job": "x" * 255, "company": "42"}  # varchar(255), without strict mode
    assert data["information"]["food_preferences"] == "1"
    assert (data["is_starred"], data["is_active"]) == (False, True)  # not fillable: ignored


def test_names_go_through_contacts_mutators(fresh):
    data = create(fresh.test_client(), first_name="A", last_name="0", nickname="0", middle_name="0").get_json()["data"]
    # `$value ? trim($value) : null`: "0" is falsy in PHP; middle_name has no mutator
    assert (data["last_name"], data["nickname"], data["complete_name"]) == (None, None, "A 0")


def test_a_client_uuid_is_kept_on_create_as_a_char_36_column_keeps_it(fresh):
    c = fresh.test_client()
    data = create(c, first_name="A", uuid="my-own-id").get_json()["data"]
    assert data["uuid"] == "my-own-id"
    assert data["information"]["avatar"]["url"].startswith("http://localhost/store/avatars/my-own-id.jpg?")
    assert create(c, first_name="B", uuid="z" * 40).get_json()["data"]["uuid"] == "z" * 36


def test_gender_id_may_name_another_accounts_gender_the_exists_rule_is_global(two_accounts):
    c = two_accounts.test_client()
    foreign = next(g for g in account(two_accounts, "b").genders.values() if g.type == "F")
    data = create(c, "a", first_name="A", gender_id=foreign.id).get_json()["data"]
    assert (data["gender"], data["gender_type"]) == ("Woman", "F")
    call(c, "DELETE", f"/api/genders/{foreign.id}", token="b")
    shown = call(c, "GET", f"/api/contacts/{data['id']}", token="a").get_json()["data"]
    assert (shown["gender"], shown["gender_type"]) == (None, None)  # no foreign key: the contact keeps the id


@pytest.mark.parametrize("day, month, year, stored", [
    (31, 2, 1990, "1990-03-03T00:00:00Z"),  # Carbon overflows into the next month
    (0, 3, 1990, "1990-02-28T00:00:00Z"),
    (1, 13, 1990, "1991-01-01T00:00:00Z"),
    ("5", "6", None, "2024-06-05T00:00:00Z"),  # no year: the current one, flagged unknown
])
def test_birthdates_are_what_carbon_makes_of_day_month_year(fresh, day, month, year, stored):
    body = {"first_name": "A", "is_birthdate_known": True, "birthdate_day": day, "birthdate_month": month, "birthdate_year": year,
            "is_deceased": False, "is_deceased_date_known": False}
    birthdate = call(fresh.test_client(), "POST", "/api/contacts", body).get_json()["data"]["information"]["dates"]["birthdate"]
    assert birthdate == {"is_age_based": False, "is_year_unknown": year is None, "date": stored}


def test_a_month_carbon_cannot_read_is_a_500(fresh):
    r = create(fresh.test_client(), first_name="A", is_birthdate_known=True, birthdate_day=1, birthdate_month=-1)
    assert (r.status_code, r.get_json()) == (500, {"message": "A two digit month could not be found"})


def test_reminders_are_made_for_exact_dates_only_and_counted_in_the_statistics(fresh):
    c = fresh.test_client()
    exact = {"is_birthdate_known": True, "birthdate_day": 1, "birthdate_month": 2, "birthdate_add_reminder": True,
             "is_deceased": True, "is_deceased_date_known": True, "deceased_date_day": 3, "deceased_date_month": 4, "deceased_date_add_reminder": "1"}
    data = call(c, "POST", "/api/contacts", {"first_name": "A", **exact}).get_json()["data"]
    assert data["statistics"]["number_of_reminders"] == 2
    by_age = {**NO_DATES, "is_birthdate_known": True, "birthdate_is_age_based": True, "birthdate_age": 40, "birthdate_add_reminder": True}
    assert call(c, "POST", "/api/contacts", {"first_name": "B", **by_age}).get_json()["data"]["statistics"]["number_of_reminders"] == 0


# -- update ---------------------------------------------------------------------------------------------


def test_update_changes_the_columns_sent_and_clears_an_absent_description(fresh):
    c = fresh.test_client()
    created = create(c, first_name="Ann", last_name="Lee", nickname="Annie", description="Pilot", job="Pilot").get_json()["data"]
    data = call(c, "PATCH", f"/api/contacts/{created['id']}", {"first_name": "Anna", "nickname": None, **NO_DATES}).get_json()["data"]
    assert (data["first_name"], data["last_name"], data["nickname"], data["description"]) == ("Anna", "Lee", None, None)
    assert data["information"]["career"]["job"] == "Pilot"


# UpdateContact's rule says `nullable`, but it reads $data['is_deceased'] anyway: a PHP
# warning, 500, after the names and the description were saved.
WITHOUT_IS_DECEASED = {"first_name": "Anna", "is_birthdate_known": False, "is_deceased_date_known": False}
UNDEFINED_IS_DECEASED = (500, {"message": 'Undefined array key "is_deceased"'})
# A null `is_deceased` is refused by UpdateDeceasedInformation, after the birthdate was saved.
NULL_IS_DECEASED = {"first_name": "Ann", "is_birthdate_known": True, "birthdate_day": 1, "birthdate_month": 2, "birthdate_year": 1990,
                    "is_deceased": None, "is_deceased_date_known": False}
IS_DECEASED_REFUSED = (422, 32, ["The is deceased field is required."])


def test_update_without_is_deceased_is_monicas_500_and_changes_nothing(fresh):
    c = fresh.test_client()
    created = create(c, first_name="Ann", description="Pilot").get_json()["data"]
    with unchanged(fresh):
        r = call(c, "PUT", f"/api/contacts/{created['id']}", WITHOUT_IS_DECEASED)
        assert (r.status_code, r.get_json()) == UNDEFINED_IS_DECEASED


def test_with_partial_writes_update_without_is_deceased_keeps_the_names_and_description_it_saved(partial_writes):
    c = partial_writes.test_client()
    created = create(c, first_name="Ann", description="Pilot").get_json()["data"]
    r = call(c, "PUT", f"/api/contacts/{created['id']}", WITHOUT_IS_DECEASED)
    assert (r.status_code, r.get_json()) == UNDEFINED_IS_DECEASED
    data = call(c, "GET", f"/api/contacts/{created['id']}").get_json()["data"]
    assert (data["first_name"], data["description"]) == ("Anna", None)


def test_update_with_a_null_is_deceased_is_refused_by_the_deceased_service_and_changes_nothing(fresh):
    c = fresh.test_client()
    created = create(c, first_name="Ann").get_json()["data"]
    with unchanged(fresh):
        assert error(call(c, "PUT", f"/api/contacts/{created['id']}", NULL_IS_DECEASED)) == IS_DECEASED_REFUSED


def test_with_partial_writes_update_with_a_null_is_deceased_keeps_the_birthdate_it_saved(partial_writes):
    c = partial_writes.test_client()
    created = create(c, first_name="Ann").get_json()["data"]
    assert error(call(c, "PUT", f"/api/contacts/{created['id']}", NULL_IS_DECEASED)) == IS_DECEASED_REFUSED
    shown = call(c, "GET", f"/api/contacts/{created['id']}").get_json()["data"]["information"]["dates"]["birthdate"]["date"]
    assert shown == "1990-02-01T00:00:00Z"


def test_update_checks_the_id_by_rule_then_the_account_then_the_archive(client, app, two_accounts):
    s = seeded(app)
    body = {"first_name": "X", **NO_DATES}
    with unchanged(app):
        assert error(call(client, "PUT", "/api/contacts/abc", body)) == (422, 32, ["The contact id must be an integer."])  # no exists rule
        assert call(client, "PUT", "/api/contacts/99999", body).get_json() == NOT_FOUND
        assert error(call(client, "PUT", f"/api/contacts/{s['archived'].id}", body)) == (422, 32, [ARCHIVED_MESSAGE])
        assert error(call(client, "PUT", f"/api/contacts/{s['active'].id}", {})) == (422, 32, [
            "The first name field is required.", "The is birthdate known field is required.", "The is deceased date known field is required."])
    foreign = seeded(two_accounts, "b")["active"].id
    with unchanged(two_accounts, "b"):
        assert call(two_accounts.test_client(), "PUT", f"/api/contacts/{foreign}", body, token="a").get_json() == NOT_FOUND


def test_update_keeps_updated_at_when_nothing_changes_and_regenerates_the_avatar_when_the_name_does(fresh):
    c, acc = fresh.test_client(), account(fresh)
    created = create(c, first_name="Ann").get_json()["data"]
    acc.clock = lambda: datetime(2024, 6, 1, 0, 0, 0)
    same = call(c, "PUT", f"/api/contacts/{created['id']}", {"first_name": "Ann", **NO_DATES}).get_json()["data"]
    assert same == created
    renamed = call(c, "PUT", f"/api/contacts/{created['id']}", {"first_name": "Anna", **NO_DATES}).get_json()["data"]
    assert renamed["updated_at"] == "2024-06-01T00:00:00Z"
    assert renamed["information"]["avatar"]["url"].endswith(f"{created['uuid']}.jpg?1717200000")


def test_update_takes_a_new_uuid_only_when_it_is_a_valid_uuid_and_null_is_partial_as_false(fresh):
    c = fresh.test_client()
    created = create(c, first_name="Ann", is_partial=True).get_json()["data"]
    path = f"/api/contacts/{created['id']}"
    kept = call(c, "PUT", path, {"first_name": "Ann", "uuid": "not-a-uuid", **NO_DATES}).get_json()["data"]
    assert kept["uuid"] == created["uuid"]
    new = "2F1B6A0E-3C7D-4E8F-9A0B-1C2D3E4F5A6B"
    changed = call(c, "PUT", path, {"first_name": "Ann", "uuid": new, "is_partial": None, **NO_DATES}).get_json()["data"]
    assert (changed["uuid"], changed["is_partial"]) == (new, False)  # an UPDATE stores null as the column's implicit default


# -- delete ---------------------------------------------------------------------------------------------


def test_delete_answers_the_route_segment_as_a_string_id(client, app):
    s = seeded(app)
    r = call(client, "DELETE", f"/api/contacts/{s['active'].id}")
    assert (r.status_code, r.get_json()) == (200, {"deleted": True, "id": str(s["active"].id)})


def test_delete_errors_come_from_laravels_handler_not_monicas_error_body(client, app, two_accounts):
    s = seeded(app)
    with unchanged(app):
        r = call(client, "DELETE", "/api/contacts/abc")
        assert (r.status_code, r.get_json()) == (422, {
            "message": "The contact id must be an integer. (and 1 more error)",
            "errors": {"contact_id": ["The contact id must be an integer.", "The selected contact id is invalid."]},
        })
        r = call(client, "DELETE", "/api/contacts/99999")
        assert r.get_json() == {"message": "The selected contact id is invalid.", "errors": {"contact_id": ["The selected contact id is invalid."]}}
        r = call(client, "DELETE", f"/api/contacts/{s['archived'].id}")
        # ValidationException::withMessages([...]) keys its message 0: json_encode makes a list
        assert (r.status_code, r.get_json()) == (422, {"message": ARCHIVED_MESSAGE, "errors": [[ARCHIVED_MESSAGE]]})
        # Not asking for JSON: the validation failure redirects back, to the Referer or the root URL
        r = client.delete("/api/contacts/abc", headers={"Authorization": "Bearer mockserver-token"})
        assert (r.status_code, r.headers["Location"]) == (302, "http://localhost")
        r = client.delete("/api/contacts/abc", headers={"Authorization": "Bearer mockserver-token", "Referer": "http://app.example/x"})
        assert r.headers["Location"] == "http://app.example/x"
    foreign = seeded(two_accounts, "b")["active"].id
    with unchanged(two_accounts, "b"):
        r = call(two_accounts.test_client(), "DELETE", f"/api/contacts/{foreign}", token="a")
        assert (r.status_code, r.get_json()) == (404, {"message": f"No query results for model [{CONTACT_MODEL}] {foreign}"})
        r = two_accounts.test_client().delete(f"/api/contacts/{foreign}", headers={"Authorization": "Bearer a"})
        assert (r.status_code, r.mimetype) == (404, "text/html")


def test_a_deleted_contact_is_gone_from_the_api_but_its_conversations_stay_with_a_null_contact(client, app):
    s = seeded(app)
    contact, conversation = s["active"], s["conversation"]
    field = account(app).add_contact_field(contact.id, s["email"].id, "gone@example.com")
    assert call(client, "DELETE", f"/api/contacts/{contact.id}").status_code == 200

    assert call(client, "GET", f"/api/contacts/{contact.id}").get_json() == NOT_FOUND
    for path in (f"/api/contacts/{contact.id}/conversations", f"/api/contacts/{contact.id}/contactfields"):
        assert call(client, "GET", path).get_json() == NOT_FOUND
    listed = [d["id"] for d in call(client, "GET", "/api/contacts?limit=100").get_json()["data"]]
    searched = [d["id"] for d in call(client, "GET", f"/api/contacts?query={contact.first_name}").get_json()["data"]]
    assert contact.id not in listed and contact.id not in searched

    shown = call(client, "GET", f"/api/conversations/{conversation.id}").get_json()["data"]
    assert shown["contact"] is None and all(m["contact"] is None for m in shown["messages"]) and shown["messages"]
    assert conversation.id in [d["id"] for d in call(client, "GET", "/api/conversations?limit=100").get_json()["data"]]
    assert call(client, "GET", f"/api/contactfields/{field.id}").get_json()["data"]["contact"] is None


def test_what_writes_meet_once_a_contact_is_deleted(client, app):
    s = seeded(app)
    contact, conversation, cft = s["active"], s["conversation"], s["email"].id
    field = account(app).add_contact_field(contact.id, cft, "gone@example.com")
    other = s["me"]
    call(client, "DELETE", f"/api/contacts/{contact.id}")
    null_contact = {"message": "Call to a member function throwInactive() on null"}
    mid = conversation.message_ids[0]
    message = {"written_at": "2020-01-01", "written_by_me": True, "content": "x"}
    with unchanged(app):
        # `exists:contacts` still sees the row; the scoped lookups do not
        assert call(client, "POST", "/api/conversations", {"happened_at": "2020-01-01", "contact_id": contact.id, "contact_field_type_id": cft}).get_json() == NOT_FOUND
        assert error(call(client, "POST", "/api/conversations", {"happened_at": "2020-01-01", "contact_id": 99999, "contact_field_type_id": cft})) == (
            422, 32, ["The selected contact id is invalid."])
        assert call(client, "POST", f"/api/conversations/{conversation.id}/messages", message).get_json() == NOT_FOUND
        assert call(client, "PUT", f"/api/conversations/{conversation.id}/messages/{mid}", message).get_json() == NOT_FOUND
        assert call(client, "PUT", f"/api/contacts/{contact.id}", {"first_name": "X", **NO_DATES}).get_json() == NOT_FOUND
        assert call(client, "POST", "/api/contactfields", {"contact_id": contact.id, "contact_field_type_id": cft, "data": "x"}).get_json() == NOT_FOUND
        # services that follow `$model->contact` meet null
        for method, path, body in (("PUT", f"/api/conversations/{conversation.id}", {"happened_at": "2020-01-01", "contact_field_type_id": cft}),
                                   ("DELETE", f"/api/conversations/{conversation.id}", None),
                                   ("DELETE", f"/api/conversations/{conversation.id}/messages/{mid}", None),
                                   ("DELETE", f"/api/contactfields/{field.id}", None)):
            r = call(client, method, path, body)
            assert (r.status_code, r.get_json()) == (500, null_contact), (method, path)
        r = call(client, "DELETE", f"/api/contacts/{contact.id}")
        assert (r.status_code, r.get_json()) == (404, {"message": f"No query results for model [{CONTACT_MODEL}] {contact.id}"})
    # A field of the deleted contact can still be moved to a live one.
    moved = call(client, "PUT", f"/api/contactfields/{field.id}", {"contact_id": other.id, "contact_field_type_id": cft, "data": "x"})
    assert moved.get_json()["data"]["contact"]["id"] == other.id, moved.get_json()


def test_reset_brings_a_deleted_contact_back(client, app):
    s = seeded(app)
    call(client, "DELETE", f"/api/contacts/{s['active'].id}")
    app.extensions["mockserver"].store.reset()
    assert call(client, "GET", f"/api/contacts/{s['active'].id}").status_code == 200


# -- routing, as on the other Monica routes -------------------------------------------------------------------


@pytest.mark.parametrize("method, path, supported", [
    ("POST", "/api/contacts/1", ["GET", "HEAD", "PUT", "PATCH", "DELETE"]),
    ("GET", "/api/contactfields", ["POST"]),
    ("POST", "/api/contactfields/1", ["GET", "HEAD", "PUT", "PATCH", "DELETE"]),
    ("DELETE", "/api/contacts/1/contactfields", ["GET", "HEAD"]),
    ("DELETE", "/api/genders", ["GET", "HEAD", "POST"]),
])
def test_new_routes_answer_405_and_options_like_the_others(client, app, method, path, supported):
    with unchanged(app):
        r = client.open(path, method=method, headers=auth())
    assert (r.status_code, r.headers["Allow"]) == (405, ", ".join(supported))
    assert client.options(path).headers["Allow"] == ",".join(supported)


def test_method_override_deletes_a_contact_and_the_rate_limit_counts_contact_writes():
    app = strict_app(monica_rate_limit=2)
    c = app.test_client()
    contact = seeded(app)["active"]
    r = call(c, "POST", f"/api/contacts/{contact.id}", headers={"X-HTTP-Method-Override": "DELETE"})
    assert (r.status_code, r.headers["X-RateLimit-Remaining"]) == (200, "1")
    assert contact.id in account(app).trashed_contacts
    call(c, "POST", "/api/contacts", {"first_name": "A", **NO_DATES})
    with unchanged(app):
        assert error(call(c, "POST", "/api/contacts", {"first_name": "B", **NO_DATES}))[:2] == (429, 34)
