"""Data for tests: data set files, starting empty, reseeding, factories on the handles."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import requests
from conftest import MONICA_TOKEN, VITALLY_KEY, basic
from test_cli import _command, _serve

from mockserver import MockServer, create_app
from mockserver.app import state_of
from mockserver.errors import DataSetError
from mockserver.resources import data_dir

EXAMPLES = data_dir("fixtures") / "datasets"
MONICA = {"Authorization": f"Bearer {MONICA_TOKEN}", "Accept": "application/json"}
ADMIN = "6f7a8b9c-0d1e-4f6a-9b7c-8d9e0f1a2b3c"
USER = "3c4d5e6f-7a8b-4c3d-8e4f-5a6b7c8d9e0f"


def _app(**options: Any) -> Any:
    app = create_app(strict_responses=True, **options)
    app.testing = True
    return app


def _write(tmp_path: Path, document: Any, name: str = "data.json") -> Path:
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return path


def _conversation(external_id: str = "t-1", **extra: Any) -> dict[str, Any]:
    return {"externalId": external_id, "subject": "Renewal", "traits": {"stage": "late"}, **extra, "messages": [
        {"externalId": "m-1", "message": "<p>Hi</p>", "timestamp": "2025-04-01T10:00:00.000Z",
         "from": {"type": "admin", "id": ADMIN}, "to": [{"type": "user", "id": USER}], "cc": [{"type": "user", "id": USER}]},
    ]}


def _people() -> dict[str, Any]:
    return {"admins": [{"id": ADMIN, "name": "Sam", "email": "sam@vendor.example"}],
            "users": [{"id": USER, "externalId": "user-ann", "name": "Ann", "email": "ann@acme.example"}]}


# -- the shipped examples -------------------------------------------------------------------

def test_the_example_data_sets_load_and_the_api_serves_them():
    client = _app(fixtures=[EXAMPLES / "vitally.json", EXAMPLES / "monica.json"]).test_client()
    vitally = basic(VITALLY_KEY)
    documented = json.loads((data_dir("fixtures") / "vitally" / "docs-examples.json").read_text())["createConversationRequest"]
    thread = client.get("/resources/conversations/thread-100", headers=vitally).get_json()
    assert (thread["subject"], thread["traits"]) == (documented["subject"], documented["traits"])
    assert [m["message"] for m in thread["messages"]][0] == documented["messages"][0]["message"]
    assert [c["externalId"] for c in client.get("/resources/conversations", headers=vitally).get_json()["results"]] == ["thread-102", "thread-101", "thread-100"]
    assert client.get("/resources/admins/search?email=dana@vendor.example", headers=vitally).get_json()["licenseStatus"] == "deactivated"
    contacts = client.get("/api/contacts", headers=MONICA).get_json()
    # by created_at (the me contact was made with the account); archived and partial contacts are not listed
    assert [c["complete_name"] for c in contacts["data"]] == ["Ann Archer", "Dora Dunn \u26b0", "Regis Freyd"]
    archived = client.post("/api/conversations/3/messages", headers=MONICA, json={"written_at": "2025-01-01", "written_by_me": True, "content": "x"})
    assert archived.status_code == 422 and "Archived contact" in archived.get_json()["error"]["message"][0]


def test_every_file_in_fixtures_datasets_is_a_valid_data_set():
    files = sorted(EXAMPLES.glob("*.json"))
    assert {f.name for f in files} >= {"vitally.json", "monica.json"}
    for file in files:
        _app(fixtures=file)  # raises DataSetError otherwise


# -- records behave like records created through the API ------------------------------------

def _normalised(conversation: dict[str, Any]) -> dict[str, Any]:
    """A conversation without what differs between two creations of the same body."""
    out = {k: v for k, v in conversation.items() if k not in ("id", "createdAt", "updatedAt")}
    out["messages"] = [{k: v for k, v in m.items() if k not in ("id", "conversationId")} for m in conversation["messages"]]
    return out


def test_a_loaded_conversation_is_the_same_object_as_one_created_through_the_api(tmp_path):
    loaded = _app(fixtures=_write(tmp_path, {"vitally": {"workspaces": [{**_people(), "conversations": [_conversation()]}]}})).test_client()
    made = _app(fixtures=_write(tmp_path, {"vitally": {"workspaces": [_people()]}}, "people.json")).test_client()
    created = made.post("/resources/conversations", headers=basic(VITALLY_KEY), json=_conversation())
    assert created.status_code == 200
    from_file = loaded.get("/resources/conversations/t-1", headers=basic(VITALLY_KEY)).get_json()
    from_api = made.get("/resources/conversations/t-1", headers=basic(VITALLY_KEY)).get_json()
    assert _normalised(from_file) == _normalised(from_api)
    # and the API's rules hold for it: its externalId is taken, a message can be added
    assert loaded.post("/resources/conversations", headers=basic(VITALLY_KEY), json=_conversation()).status_code == 400
    added = loaded.post(f"/resources/conversations/{from_file['id']}/messages", headers=basic(VITALLY_KEY),
                        json={"externalId": "m-2", "message": "x", "from": {"type": "user", "id": USER}, "to": [{"type": "admin", "id": ADMIN}]})
    assert added.status_code == 200 and added.get_json()["type"] == "inbound"


def test_ids_and_creation_times_come_from_the_file_and_monica_ids_continue_after_them(tmp_path):
    cid = "aaaaaaaa-0000-4000-8000-000000000001"
    data = {
        "vitally": {"workspaces": [{**_people(), "conversations": [_conversation(id=cid, createdAt="2025-03-01T08:00:00+02:00")]}]},
        "monica": {"accounts": [{"contacts": [{"id": 40, "first_name": "Ann", "created_at": "2025-01-05T10:00:00Z"}],
                                 "conversations": [{"id": 50, "contact_id": 40, "contact_field_type_id": 2, "happened_at": "2025-02-01"}]}]},
    }
    client = _app(fixtures=_write(tmp_path, data)).test_client()
    got = client.get(f"/resources/conversations/{cid}", headers=basic(VITALLY_KEY)).get_json()
    assert got["createdAt"] == "2025-03-01T06:00:00.000Z" and got["users"][0]["id"] == USER
    contact = client.get("/api/contacts/40", headers=MONICA).get_json()["data"]
    assert contact["created_at"] == "2025-01-05T10:00:00Z"
    created = client.post("/api/conversations", headers=MONICA, json={"happened_at": "2025-05-05", "contact_id": 40, "contact_field_type_id": 1})
    assert created.status_code == 201 and created.get_json()["data"]["id"] == 51


def test_the_same_file_gives_the_same_data_on_every_load(tmp_path):
    path = _write(tmp_path, {"vitally": {"workspaces": [{**_people(), "conversations": [_conversation()]}]},
                             "monica": {"accounts": [{"contacts": [{"first_name": "Ann"}]}]}})
    one, two = _app(fixtures=path).test_client(), _app(fixtures=path).test_client()
    for url, headers in (("/resources/conversations/t-1", basic(VITALLY_KEY)), ("/api/contacts/2", MONICA)):
        assert one.get(url, headers=headers).get_json() == two.get(url, headers=headers).get_json()


# -- bad files ---------------------------------------------------------------------------------

BAD = [
    ('{"vitally": {"workspaces": [{"users": [{"name": "Ann"}]}]}}', "$.vitally.workspaces[0].users[0].externalId is required"),
    ('{"vitally": {"workspaces": [{"users": [{"externalId": "u", "nmae": "Ann"}]}]}}', "$.vitally.workspaces[0].users[0] must not have the field(s) nmae"),
    ('{"vitally": {"workspaces": [{"conversations": [{"externalId": "t", "subject": "s", "messages": [{"externalId": "m", "message": "x", '
     '"from": {"type": "bot", "id": "x"}, "to": []}]}]}]}}', "$.vitally.workspaces[0].conversations[0].messages[0].from.type must be one of admin, user"),
    ('{"vitally": {"workspaces": [{"conversations": [{"externalId": "t", "subject": "s", "messages": [{"externalId": "m", "message": "x", '
     '"from": {"type": "user", "id": "nobody"}, "to": []}]}]}]}}', "$.vitally.workspaces[0].conversations[0]: messages[0].from.id: user nobody does not exist"),
    ('{"vitally": {"workspaces": [{"users": [{"externalId": "u"}, {"externalId": "u"}]}]}}', "$.vitally.workspaces[0].users[1]: A user with externalId u already exists"),
    ('{"vitally": {"workspaces": [{"apiKey": "a:b"}]}}', "$.vitally.workspaces[0].apiKey has an invalid format"),
    ('{"monica": {"accounts": [{"conversations": [{"contact_id": 1, "contact_field_type_id": 1, "happened_at": "2025-02-30"}]}]}}',
     "$.monica.accounts[0].conversations[0].happened_at must be a valid calendar-date"),
    ('{"monica": {"accounts": [{"conversations": [{"contact_id": 9, "contact_field_type_id": 1, "happened_at": "2025-02-03"}]}]}}',
     "$.monica.accounts[0].conversations[0].contact_id: this account has no contact 9"),
    ('{"monica": {"accounts": [{"contacts": [{"id": 1, "first_name": "Ann"}]}]}}', "$.monica.accounts[0].contacts[0].id: id 1 is already used"),
    ('{"monica": {"accounts": [{"contacts": [{"id": 5, "first_name": "A"}, {"id": 5, "first_name": "B"}]}]}}',
     "$.monica.accounts[0].contacts[1].id: id 5 is already given at $.monica.accounts[0].contacts[0].id"),
    ('{"zendesk": {}}', "$.zendesk is not a vendor"),
    ('[1]', "$ must be an object"),
    ('{"vitally": {"workspaces": [}', "line 1 column 29: not valid JSON (Expecting value)"),
]


@pytest.mark.parametrize(("text", "expected"), BAD)
def test_a_bad_file_names_the_file_the_json_path_and_the_rule(tmp_path, text, expected):
    path = _write(tmp_path, text, "acme.json")
    with pytest.raises(DataSetError) as raised:
        MockServer(fixtures=path)
    assert str(raised.value).startswith(f"{path}: ")
    assert expected in str(raised.value)


def test_a_missing_file_is_named_too(tmp_path):
    with pytest.raises(DataSetError, match=re.escape(f"{tmp_path / 'nope.json'}: cannot read the data set")):
        create_app(fixtures=tmp_path / "nope.json")


def test_a_vendor_given_by_two_files_is_an_error(tmp_path):
    one = _write(tmp_path, {"monica": {}}, "one.json")
    two = _write(tmp_path, {"monica": {}}, "two.json")
    with pytest.raises(DataSetError, match=re.escape(f"{two}: $.monica is given already by {one}")):
        create_app(fixtures=[one, two])


def test_a_bad_body_on_post_fixtures_is_a_400_naming_the_path_and_leaves_the_store_unchanged(client):
    before = client.get("/resources/conversations", headers=basic(VITALLY_KEY)).get_json()
    good_part = {"workspaces": [_people()]}
    bad = {"vitally": good_part, "monica": {"accounts": [{"contacts": [{"first_name": ""}]}]}}
    r = client.post("/__mockserver/fixtures", json=bad)
    assert r.status_code == 400
    assert r.get_json()["message"].startswith("request body: $.monica.accounts[0].contacts[0].first_name must not be empty")
    assert client.get("/resources/conversations", headers=basic(VITALLY_KEY)).get_json() == before
    late = {"vitally": good_part, "monica": {"accounts": [{"conversations": [{"contact_id": 7, "contact_field_type_id": 1, "happened_at": "2025-01-01"}]}]}}
    assert client.post("/__mockserver/fixtures", json=late).status_code == 400  # refused by the loader, after Vitally's part was built
    assert client.get("/resources/conversations", headers=basic(VITALLY_KEY)).get_json() == before
    assert client.post("/__mockserver/fixtures", data=b"{nope", content_type="application/json").get_json()["message"].startswith("request body: line 1")


# -- the reset point ---------------------------------------------------------------------------

def test_post_fixtures_becomes_the_reset_point_and_vendors_it_omits_are_empty(client):
    r = client.post("/__mockserver/fixtures", json={"vitally": {"workspaces": [{**_people(), "conversations": [_conversation()]}]}})
    assert r.status_code == 200
    counts = r.get_json()["tenants"]
    assert counts["vitally"][VITALLY_KEY]["conversations"] == 1 and counts["monica"][MONICA_TOKEN]["conversations"] == 0
    assert client.delete("/resources/conversations/t-1", headers=basic(VITALLY_KEY)).status_code == 200
    client.post("/resources/conversations", headers=basic(VITALLY_KEY), json=_conversation("t-2"))
    assert client.post("/__mockserver/reset").status_code == 200
    listed = client.get("/resources/conversations", headers=basic(VITALLY_KEY)).get_json()["results"]
    assert [c["externalId"] for c in listed] == ["t-1"]
    assert client.get("/api/conversations", headers=MONICA).get_json()["meta"]["total"] == 0


def test_a_data_set_can_add_tenants_and_a_reseed_goes_back_to_the_configured_ones(client):
    data = {"vitally": {"workspaces": [{"apiKey": "sk_acme", **_people()}]}, "monica": {"accounts": [{"token": "acme-token"}]}}
    assert client.post("/__mockserver/fixtures", json=data).status_code == 200
    assert client.get("/resources/users", headers=basic("sk_acme")).get_json()["results"][0]["externalId"] == "user-ann"
    assert client.get("/resources/users", headers=basic(VITALLY_KEY)).get_json()["results"] == []  # configured, not described: empty
    assert client.get("/api/contacts", headers={**MONICA, "Authorization": "Bearer acme-token"}).status_code == 200
    assert set(client.get("/__mockserver/credentials").get_json()["vitally"]["apiKeys"]) == {VITALLY_KEY, "sk_acme"}
    assert client.post("/__mockserver/seed", json={}).status_code == 200
    assert client.get("/resources/users", headers=basic("sk_acme")).status_code == 401
    assert len(client.get("/resources/users", headers=basic(VITALLY_KEY)).get_json()["results"]) == 30


def test_a_data_set_at_start_is_the_reset_point_and_handles_stay_live_across_a_reload(tmp_path):
    with MockServer(fixtures=EXAMPLES / "vitally.json", strict_responses=True) as server:
        handle = server.vitally
        requests.delete(server.vitally.base_url + "/conversations/thread-100", auth=handle.auth)
        server.reset()
        assert handle.conversation("thread-100") is not None
        server.load_fixtures(_write(tmp_path, {"vitally": {"workspaces": [{**_people(), "conversations": [_conversation()]}]}}))
        assert [c["externalId"] for c in handle.conversations] == ["t-1"]


# -- starting empty ---------------------------------------------------------------------------

def test_empty_tenants_have_no_records_but_monica_keeps_what_a_new_account_has():
    client = _app(empty=True, vitally_keys=["k1", "k2"]).test_client()
    for key in ("k1", "k2"):
        for kind in ("conversations", "accounts", "users", "organizations", "admins"):
            assert client.get(f"/resources/{kind}", headers=basic(key)).get_json()["results"] == [], kind
    contacts = client.get("/api/contacts", headers=MONICA).get_json()
    assert [c["complete_name"] for c in contacts["data"]] == ["Account Owner"]
    types = client.get("/api/contactfieldtypes", headers=MONICA).get_json()["data"]
    assert [t["name"] for t in types] == ["Email", "Phone", "Facebook", "Twitter", "Whatsapp", "Telegram", "LinkedIn"]
    assert client.get("/api/conversations", headers=MONICA).get_json()["meta"]["total"] == 0


# -- reseeding --------------------------------------------------------------------------------

def _everything(app: Any) -> dict[str, Any]:
    state = state_of(app)
    vitally, monica = state.vendor("vitally").handle(lambda: "http://h"), state.vendor("monica").handle(lambda: "http://h")
    return {"vitally": [vitally.conversations, vitally.users, vitally.accounts, vitally.admins, vitally.organizations],
            "monica": [monica.contacts, monica.conversations, monica.contact_field_types]}


def test_post_seed_gives_exactly_the_data_of_a_server_started_with_that_seed_and_sizes():
    sizes = {"vitally": {"conversations": 4, "users": 6}, "monica": {"contacts": 5, "conversations": 3}}
    app = _app(fixtures=EXAMPLES / "vitally.json")
    r = app.test_client().post("/__mockserver/seed", json={"seed": 7, "sizes": sizes})
    assert r.status_code == 200 and r.get_json()["tenants"]["vitally"][VITALLY_KEY]["conversations"] == 4
    fresh = _app(seed=7, vitally_sizes=sizes["vitally"], monica_sizes=sizes["monica"])
    assert _everything(app) == _everything(fresh)
    assert _everything(app) != _everything(_app(seed=8, vitally_sizes=sizes["vitally"], monica_sizes=sizes["monica"]))


def test_a_reseed_is_the_reset_point_and_clears_the_rate_limit_windows(client):
    assert client.post("/__mockserver/seed", json={"seed": 3, "sizes": {"vitally": {"conversations": 2}}}).status_code == 200
    client.post("/resources/conversations", headers=basic(VITALLY_KEY), json={"externalId": "new", "subject": "s", "messages": []})
    assert client.post("/__mockserver/reset").status_code == 200
    r = client.get("/resources/conversations", headers=basic(VITALLY_KEY))
    assert len(r.get_json()["results"]) == 2 and r.headers["RateLimit-Remaining"] == "999"


@pytest.mark.parametrize(("body", "message"), [
    ({"sizes": {"vitally": {"convos": 1}}}, "vitally_sizes: unknown size(s) convos"),
    ({"sizes": {"zendesk": {}}}, "sizes: no vendor 'zendesk'"),
    ({"sizes": {"monica": {"messages_min": 5, "messages_max": 1}}}, "messages_min (5) is more than messages_max (1)"),
    ({"seed": "x"}, "seed must be an integer"),
])
def test_a_bad_seed_body_is_a_400_and_changes_nothing(client, body, message):
    before = client.get("/resources/conversations", headers=basic(VITALLY_KEY)).get_json()
    r = client.post("/__mockserver/seed", json=body)
    assert r.status_code == 400 and message in r.get_json()["message"]
    assert client.get("/resources/conversations", headers=basic(VITALLY_KEY)).get_json() == before


# -- the CLI ----------------------------------------------------------------------------------

def test_serve_takes_sizes_fixtures_and_empty():
    import signal

    for args, expect in ((["--vitally-sizes", "conversations=3,users=4", "--monica-sizes", "contacts=5"], (3, 2)),
                         (["--fixtures", str(EXAMPLES / "vitally.json"), "--fixtures", str(EXAMPLES / "monica.json")], (3, 2)),
                         (["--empty"], (0, 0))):
        proc, url = _serve(*args)
        try:
            vitally = requests.get(url + "/resources/conversations", auth=(VITALLY_KEY, ""), timeout=5).json()["results"]
            monica = requests.get(url + "/api/contacts", headers=MONICA, timeout=5).json()["meta"]["total"]
            assert (len(vitally), monica - 1) == expect, args  # Monica lists the me contact too
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.communicate(timeout=10)


def test_serve_with_a_bad_data_set_or_sizes_fails_with_the_message_not_a_traceback(tmp_path):
    import subprocess

    bad = _write(tmp_path, {"vitally": {"workspaces": [{"users": [{}]}]}}, "bad.json")
    for args, expected in ((["--fixtures", str(bad)], f"mockserver: {bad}: $.vitally.workspaces[0].users[0].externalId is required"),
                           (["--vitally-sizes", "convos=1"], "unknown size(s) convos"),
                           (["--vitally-sizes", "conversations"], "is not NAME=COUNT")):
        proc = subprocess.run([*_command(), "serve", "--port", "0", *args], capture_output=True, text=True, timeout=30)
        assert proc.returncode == 2 and expected in proc.stderr and "Traceback" not in proc.stderr, proc.stderr


# -- the marker ------------------------------------------------------------------------------

def test_a_marker_data_set_never_leaks_into_the_next_test(pytester):
    pytester.makefile(".json", acme=json.dumps({"vitally": {"workspaces": [_people()]}}))
    pytester.makepyfile(test_marker='''
import pytest, requests

@pytest.mark.mockserver(fixtures="acme.json")
def test_with_the_data_set(mockserver):
    v = mockserver.vitally
    assert [u["externalId"] for u in requests.get(v.base_url + "/users", auth=v.auth).json()["results"]] == ["user-ann"]

@pytest.mark.mockserver(empty=True)
def test_empty(mockserver):
    assert mockserver.vitally.users == []

def test_without(mockserver):
    assert len(mockserver.vitally.users) == 30
''')
    result = pytester.runpytest("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=3)


# -- schemas agree --------------------------------------------------------------------------

def test_data_set_contacts_take_exactly_the_fields_of_the_control_contact_route():
    schemas = data_dir("schemas")
    control = json.loads((schemas / "monica" / "control.contact.create.json").read_text())["properties"]
    dataset = json.loads((schemas / "monica" / "dataset.json").read_text())["$defs"]
    assert dataset["contactFields"]["properties"] == {k: v for k, v in control.items() if k != "token"} | {
        "is_active": {**control["is_active"], "description": dataset["contactFields"]["properties"]["is_active"]["description"]}}


# -- factories on the handles -----------------------------------------------------------------

def test_vitally_factory_makes_a_conversation_between_existing_people(mockserver):
    vitally = mockserver.vitally
    made = vitally.create_conversation(4)
    got = requests.get(f"{vitally.base_url}/conversations/{made['id']}", auth=vitally.auth).json()
    assert got == made
    assert [m["type"] for m in got["messages"]] == ["outbound", "inbound", "outbound", "inbound"]
    user_ids, admin_ids = {u["id"] for u in vitally.users}, {a["id"] for a in vitally.admins}
    assert {m["from"]["id"] for m in got["messages"]} <= user_ids | admin_ids
    assert len(got["users"]) == 1 and len(got["admins"]) == 1
    chosen = vitally.users[3]
    other = vitally.create_conversation(1, user=chosen["externalId"], subject="Hello")
    assert other["subject"] == "Hello" and other["users"][0]["id"] == chosen["id"] and other["externalId"] != made["externalId"]


def test_vitally_factory_in_an_empty_workspace_says_what_is_missing():
    with MockServer(empty=True) as server, pytest.raises(ValueError, match="no users"):
        server.vitally.create_conversation()


def test_monica_factory_makes_a_contact_with_conversations_and_messages(mockserver):
    monica = mockserver.monica
    made = monica.create_contact_with_conversations("Ann", conversations=2, messages=3, last_name="Archer")
    contact = made["contact"]
    listed = requests.get(f"{monica.base_url}/contacts/{contact['id']}/conversations", headers=monica.headers).json()
    assert [c["id"] for c in listed["data"]] == [c["id"] for c in made["conversations"]]
    assert listed["data"] == made["conversations"]
    assert [[m["written_by_me"] for m in c["messages"]] for c in listed["data"]] == [[True, False, True]] * 2
    archived = monica.create_contact_with_conversations("Bob", is_active=False)
    assert archived["contact"]["is_active"] is False and len(archived["conversations"]) == 1
