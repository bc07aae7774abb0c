"""The published request schemas (schemas/monica/*.create.json) and the fake's Laravel
rules engine must agree on what Monica accepts, or a contract check built on the schemas
would pass bodies the fake (and Monica) reject, or the other way round."""
from __future__ import annotations

import itertools

import pytest

from mockserver import validation

from .conftest import account, call, strict_app

WRITTEN_AT = ["1998-02-02", " 1998-02-02 ", "1998-02-30", "2018-10-11T10:00:00+02:00", "1998-02-02 10:00", "now", "", 19980202, None]
WRITTEN_BY_ME = [True, False, 0, 1, "0", "1", "true", 2, "", None]
CONTENT = ["lorem ipsum", "  padded  ", "   ", "", 123, None]


@pytest.fixture(scope="module")
def monica():
    app = strict_app()
    acc = account(app)
    conversation = next(c for c in acc.conversations.values() if acc.contacts[c.contact_id].is_active)
    return app, conversation.id


@pytest.mark.parametrize("written_at, written_by_me, content", list(itertools.product(WRITTEN_AT, WRITTEN_BY_ME, CONTENT))[::7])
def test_message_create_schema_accepts_exactly_what_the_rules_accept(monica, written_at, written_by_me, content):
    app, conversation_id = monica
    body = {k: v for k, v in {"written_at": written_at, "written_by_me": written_by_me, "content": content}.items() if v is not None}
    schema_ok = validation.problems("monica", "message.create", body) == []
    response = call(app.test_client(), "POST", f"/api/conversations/{conversation_id}/messages", body)
    app.extensions["mockserver"].store.reset()
    assert response.status_code in (200, 422)
    assert schema_ok == (response.status_code == 200), response.get_json()


@pytest.mark.parametrize("happened_at", WRITTEN_AT)
@pytest.mark.parametrize("contact_field_type_id", ["1", 1, " 1 ", "01", "1.0", 1.0, True, "x", None])
def test_conversation_create_schema_accepts_exactly_what_the_rules_accept(monica, happened_at, contact_field_type_id):
    app, conversation_id = monica
    acc = account(app)
    contact = next(c for c in acc.contacts.values() if c.is_active and not c.is_partial)
    cft = min(acc.contact_field_types)
    if contact_field_type_id in ("1", 1, " 1 ", "1.0", 1.0):
        contact_field_type_id = type(contact_field_type_id)(str(cft).join(str(contact_field_type_id).split("1", 1))) if isinstance(contact_field_type_id, str) else type(contact_field_type_id)(cft)
    body = {k: v for k, v in {"happened_at": happened_at, "contact_id": contact.id, "contact_field_type_id": contact_field_type_id}.items() if v is not None}
    schema_ok = validation.problems("monica", "conversation.create", body) == []
    response = call(app.test_client(), "POST", "/api/conversations", body)
    app.extensions["mockserver"].store.reset()
    assert response.status_code in (201, 422, 404)
    assert schema_ok == (response.status_code == 201), (body, response.get_json())


# -- contacts, contact fields, genders -------------------------------------------------------------------
# Each body is sent to a fresh account state (reset after each call). ABSENT leaves the key out;
# GENDER, CONTACT and TYPE stand for a real id of the account, filled in at run time (a schema
# cannot know which ids exist: `exists` is the one rule it leaves to the server). Each test
# walks its combinations and lists every disagreement.

ABSENT, GENDER, CONTACT, TYPE, FIELD = "<absent>", "<gender>", "<contact>", "<type>", "<field>"
NO_DATES = {"is_birthdate_known": False, "is_deceased": False, "is_deceased_date_known": False}


def disagreements(app, schema: str, method: str, path: str, bodies, success: int) -> list:
    """The bodies on which the schema and the server disagree about success."""
    acc = account(app)
    contact = next(c for c in acc.contacts.values() if c.is_active)
    ids = {GENDER: min(acc.genders), CONTACT: contact.id, TYPE: min(acc.contact_field_types),
           FIELD: next(f.id for f in acc.contact_fields.values() if f.contact_id == contact.id)}
    for token, value in ids.items():
        path = path.replace(token, str(value))
    client, found = app.test_client(), []
    for body in bodies:
        body = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in body.items() if v != ABSENT}
        schema_ok = validation.problems("monica", schema, body) == []
        response = call(client, method, path, body)
        app.extensions["mockserver"].store.reset()
        assert response.status_code in (success, 404, 422, 500), (body, response.get_json())
        if schema_ok != (response.status_code == success):
            found.append((body, response.status_code, response.get_json()))
    return found


def names_and_columns(stride: int) -> list[dict]:
    return [
        {"first_name": first, "last_name": last, "gender_id": gender, "is_partial": partial, "email": email, "job": job, **NO_DATES}
        for first, last, gender, partial, email, job in list(itertools.product(
            ["Ann", " Ann ", "", "   ", 5, "x" * 256, ABSENT],  # first_name
            [ABSENT, None, "Lee", ["Lee"]],  # last_name
            [ABSENT, None, GENDER, "abc"],  # gender_id
            [ABSENT, False, "1", None, 2],  # is_partial
            [ABSENT, "ann@example.com", 7],  # email
            [ABSENT, "Pilot", 42, None, ["x"]],  # job
        ))[::stride]
    ]


DAYS = [10, "10", 0, 99, 100, -1, "x", True, None, ABSENT]


def test_contact_create_schema_agrees_on_names_and_columns(monica):
    assert disagreements(monica[0], "contact.create", "POST", "/api/contacts", names_and_columns(13), 201) == []


def test_contact_create_schema_agrees_on_birthdates(monica):
    bodies = [
        {"first_name": "Ann", "is_birthdate_known": known, "birthdate_is_age_based": age_based, "birthdate_day": day, "birthdate_month": month,
         "birthdate_age": age, "birthdate_year": year, "is_deceased": False, "is_deceased_date_known": False}
        for known, age_based, day, month, age, year in list(itertools.product(
            [True, False, "1", "0", "yes", None],  # is_birthdate_known
            [ABSENT, None, True, False, "1", 2],  # birthdate_is_age_based
            DAYS, DAYS,  # birthdate_day, birthdate_month
            [ABSENT, 30, "x", None],  # birthdate_age
            [ABSENT, 1980, 0, "abc"],  # birthdate_year
        ))[::67]
    ]
    assert disagreements(monica[0], "contact.create", "POST", "/api/contacts", bodies, 201) == []


@pytest.mark.parametrize("schema, method, path, success", [
    ("contact.create", "POST", "/api/contacts", 201),
    ("contact.update", "PUT", f"/api/contacts/{CONTACT}", 200),
])
def test_contact_schemas_agree_on_deceased_dates(monica, schema, method, path, success):
    bodies = [
        {"first_name": "Ann", "is_birthdate_known": False, "is_deceased": is_deceased, "is_deceased_date_known": date_known,
         "deceased_date_day": day, "deceased_date_month": month}
        for is_deceased, date_known, day, month in list(itertools.product(
            [True, False, "1", 0, "no", None, ABSENT],  # is_deceased
            [True, False, "0", None, ABSENT],  # is_deceased_date_known
            DAYS, DAYS,  # deceased_date_day, deceased_date_month
        ))[::9]
    ]
    assert disagreements(monica[0], schema, method, path, bodies, success) == []


def test_contact_update_schema_agrees(monica):
    bodies = [{k: v for k, v in body.items() if k != "email"} for body in names_and_columns(29)]
    assert disagreements(monica[0], "contact.update", "PUT", f"/api/contacts/{CONTACT}", bodies, 200) == []


@pytest.mark.parametrize("schema, method, path, success", [
    ("contactfield.create", "POST", "/api/contactfields", 201),
    ("contactfield.update", "PUT", f"/api/contactfields/{FIELD}", 200),
])
def test_contact_field_schemas_agree(monica, schema, method, path, success):
    bodies = [
        {"contact_id": contact_id, "contact_field_type_id": type_id, "data": data, "labels": labels}
        for contact_id, type_id, data, labels in itertools.product(
            [CONTACT, "x", ABSENT],  # contact_id
            [TYPE, " 1 ", True, None],  # contact_field_type_id
            ["ann@example.com", "  ", 5, "x" * 256, ABSENT],  # data
            [ABSENT, None, [], ["work", "Personal"], {"a": "home"}, "work", [["x"]], [None, 5]],  # labels
        )
    ]
    assert disagreements(monica[0], schema, method, path, bodies[::3], success) == []


@pytest.mark.parametrize("schema, method, path, success", [("gender.create", "POST", "/api/genders", 201), ("gender.update", "PUT", f"/api/genders/{GENDER}", 200)])
def test_gender_schemas_agree(monica, schema, method, path, success):
    bodies = [{"name": name, "type": kind} for name, kind in itertools.product(
        ["Nonbinary", " padded ", "", 5, "x" * 256, ABSENT], ["M", "F", "O", " O ", "U", "m", "", 1, True, ABSENT])]
    assert disagreements(monica[0], schema, method, path, bodies, success) == []
