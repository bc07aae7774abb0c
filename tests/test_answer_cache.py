"""Kept answers of reads (mockserver/answers.py): a GET's answer is served again only
while the state it was read from is unchanged. Every way state changes (HTTP writes,
handles and their factories, the control API, data sets, reseeds, reset()) must make
the next GET read the new state; these tests fail for one that does not.

The fakes here are not strict: strict mode (everywhere else in this suite) runs every
view anyway and compares it with the kept answer, so it would hide a stale one."""
from __future__ import annotations

import json
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
import requests
from conftest import MONICA_TOKEN, VITALLY_KEY, basic
from sweeps import state as tenant_state

from mockserver import MockServer, create_app
from mockserver.answers import Answers
from mockserver.app import state_of
from mockserver.errors import ResponseSchemaError

MONICA = {"Authorization": f"Bearer {MONICA_TOKEN}", "Accept": "application/json"}
VITALLY = basic(VITALLY_KEY)
DATA_SETS = Path(__file__).resolve().parents[1] / "fixtures" / "datasets"


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer(monica_rate_limit=100_000) as served:  # not strict: kept answers are served as they are
        yield served


@pytest.fixture
def fake(server: MockServer) -> Iterator[MockServer]:
    server.reseed(0)
    yield server
    server.reseed(0)


def _get(server: MockServer, path: str) -> bytes:
    headers = VITALLY if path.startswith("/resources") else MONICA
    response = requests.get(server.url_for(path), headers=headers, timeout=10)
    assert response.status_code == 200, response.text[:300]
    return response.content


def _fresh(server: MockServer, path: str) -> bytes:
    state_of(server.app).answers = Answers()  # nothing kept: the view's own answer
    return _get(server, path)


def _first_monica_conversation(server: MockServer) -> dict[str, Any]:
    """The first conversation of an active contact (Monica refuses writes for an archived one)."""
    listed = json.loads(_get(server, "/api/conversations"))["data"]
    found: dict[str, Any] = next(c for c in listed if c["contact"].get("is_active", True))
    return found


def _vitally_http_write(server: MockServer) -> None:
    user = json.loads(_get(server, "/resources/users?limit=1"))["results"][0]["id"]
    body = {"externalId": "kept-1", "subject": "New", "messages": [{"externalId": "m", "message": "hi", "from": {"type": "user", "id": user}, "to": []}]}
    assert requests.post(server.url_for("/resources/conversations"), json=body, headers=VITALLY, timeout=10).status_code == 200


def _monica_http_write(server: MockServer) -> None:
    conversation = _first_monica_conversation(server)
    body = {"written_at": "2025-06-01", "written_by_me": True, "content": "A new message"}
    response = requests.post(server.url_for(f"/api/conversations/{conversation['id']}/messages"), json=body, headers=MONICA, timeout=10)
    assert response.status_code == 200, response.text[:300]


def _monica_control_write(server: MockServer) -> None:
    response = requests.post(server.url_for("/__mockserver/monica/contacts"), json={"first_name": "Kept"}, headers=MONICA, timeout=10)
    assert response.status_code == 201, response.text[:300]


def _archive_first_contact(server: MockServer) -> None:
    server.monica.archive_contact(_first_monica_conversation(server)["contact"]["id"])


def _post_data_set(server: MockServer) -> None:
    data = json.loads((DATA_SETS / "monica.json").read_text(encoding="utf-8"))
    assert requests.post(server.url_for("/__mockserver/fixtures"), json=data, timeout=10).status_code == 200


WRITES: list[tuple[str, str, Callable[[MockServer], None]]] = [
    ("HTTP write, Vitally", "/resources/conversations", _vitally_http_write),
    ("HTTP write, Monica", "/api/conversations", _monica_http_write),
    ("handle: vitally.create_conversation", "/resources/conversations", lambda s: s.vitally.create_conversation(2)),
    ("handle: monica.create_contact", "/api/contacts", lambda s: s.monica.create_contact("Kept")),
    ("handle: monica.archive_contact", "/api/conversations", _archive_first_contact),
    ("factory: monica.create_contact_with_conversations", "/api/conversations",
     lambda s: s.monica.create_contact_with_conversations("Kept", conversations=2)),
    ("control: POST /__mockserver/monica/contacts", "/api/contacts", _monica_control_write),
    ("data set: load_fixtures()", "/resources/conversations", lambda s: s.load_fixtures(DATA_SETS / "vitally.json")),
    ("data set: POST /__mockserver/fixtures", "/api/contacts", _post_data_set),
    ("reseed()", "/resources/conversations", lambda s: s.reseed(7)),
    ("control: POST /__mockserver/seed", "/api/conversations",
     lambda s: requests.post(s.url_for("/__mockserver/seed"), json={"seed": 7}, timeout=10).raise_for_status()),
]


@pytest.mark.parametrize("path, write", [(path, write) for _, path, write in WRITES], ids=[name for name, _, _ in WRITES])
def test_every_write_path_makes_the_next_read_see_it(fake: MockServer, path: str, write: Callable[[MockServer], None]) -> None:
    before = _get(fake, path)
    assert _get(fake, path) == before  # kept
    write(fake)
    after = _get(fake, path)
    assert after != before, "the write did not change this answer: the case proves nothing"
    assert after == _fresh(fake, path)


@pytest.mark.parametrize("how", ["reset()", "POST /__mockserver/reset"])
def test_a_reset_makes_the_next_read_see_the_reset_point(fake: MockServer, how: str) -> None:
    seeded = _get(fake, "/resources/conversations")
    fake.vitally.create_conversation(1)
    changed = _get(fake, "/resources/conversations")
    assert changed != seeded and _get(fake, "/resources/conversations") == changed  # kept, at the new state
    if how == "reset()":
        fake.reset()
    else:
        assert requests.post(fake.url_for("/__mockserver/reset"), timeout=10).status_code == 200
    assert _get(fake, "/resources/conversations") == seeded


def test_a_read_is_served_again_only_while_the_store_lock_saw_no_write(fake: MockServer) -> None:
    """How it works, shown by changing state behind the lock's back (never do this)."""
    path = "/resources/conversations?limit=1"
    first = json.loads(_get(fake, path))["results"][0]
    workspace = state_of(fake.app).vendor("vitally").workspace()
    old = workspace.conversations.rows[first["id"]]
    workspace.conversations.rows[old.id] = replace(old, subject="changed behind the lock")
    assert json.loads(_get(fake, path))["results"][0]["subject"] == first["subject"]  # the kept answer
    with state_of(fake.app).store.lock:
        pass  # any write section moves the version
    assert json.loads(_get(fake, path))["results"][0]["subject"] == "changed behind the lock"


def test_strict_mode_fails_on_a_kept_answer_that_a_change_did_not_invalidate() -> None:
    app = create_app(strict_responses=True)
    app.testing = True
    client = app.test_client()
    first = client.get("/resources/conversations?limit=1", headers=VITALLY).get_json()["results"][0]
    workspace = state_of(app).vendor("vitally").workspace()
    old = workspace.conversations.rows[first["id"]]
    workspace.conversations.rows[old.id] = replace(old, subject="changed behind the lock")
    with pytest.raises(ResponseSchemaError, match="kept answer differs"):
        client.get("/resources/conversations?limit=1", headers=VITALLY)


def test_requests_that_differ_in_anything_a_view_reads_get_their_own_answers() -> None:
    client = create_app().test_client()
    monica = {"headers": MONICA}
    assert client.get("/api/contacts?limit=1", **monica).get_data() != client.get("/api/contacts?limit=2", **monica).get_data()
    # Monica's answers carry the request's own host in their URLs.
    one = client.get("/api/contacts?limit=1", base_url="http://a.example", **monica).get_json()
    other = client.get("/api/contacts?limit=1", base_url="http://b.example", **monica).get_json()
    assert one["data"][0]["url"].startswith("http://a.example/") and other["data"][0]["url"].startswith("http://b.example/")
    # A GET body is input to Monica ($request->all()).
    with_body = client.get("/api/contacts", data=json.dumps({"limit": 1}), content_type="application/json", **monica).get_json()
    assert len(with_body["data"]) == 1
    assert len(client.get("/api/contacts", **monica).get_json()["data"]) > 1
    # Another tenant, another answer.
    other_key = create_app(vitally_keys=["k1", "k2"]).test_client()
    assert other_key.get("/resources/conversations", headers=basic("k1")).get_data() != other_key.get("/resources/conversations", headers=basic("k2")).get_data()


def _path_values(app: Any) -> dict[str, str]:
    """An existing record for every path parameter of the vendors' GET operations."""
    client = app.test_client()
    vitally = {"headers": VITALLY}
    conversation = client.get("/resources/conversations?limit=1", **vitally).get_json()["results"][0]["id"]
    monica = client.get("/api/conversations?limit=1", headers=MONICA).get_json()["data"][0]
    fields = client.get(f"/api/contacts/{monica['contact']['id']}/contactfields", headers=MONICA).get_json()["data"]
    return {
        "conversation_id": conversation,
        "message_id": client.get(f"/resources/conversations/{conversation}", **vitally).get_json()["messages"][0]["id"],
        "account_id": client.get("/resources/accounts?limit=1", **vitally).get_json()["results"][0]["id"],
        "user_id": client.get("/resources/users?limit=1", **vitally).get_json()["results"][0]["id"],
        "organization_id": client.get("/resources/organizations?limit=1", **vitally).get_json()["results"][0]["id"],
        "contact_id": str(monica["contact"]["id"]),
        "monica_conversation_id": str(monica["id"]),
        "cft_id": str(monica["contact_field_type"]["id"]),
        "contact_field_id": str(fields[0]["id"]) if fields else "1",
        "gender_id": str(client.get("/api/genders", headers=MONICA).get_json()["data"][0]["id"]),
    }


def test_every_kept_read_changes_nothing_and_takes_no_write_section() -> None:
    """What makes keeping answers correct: a vendor's GET view only reads."""
    app = create_app(strict_responses=True, monica_rate_limit=100_000)
    app.testing = True
    state = state_of(app)
    values = _path_values(app)
    client = app.test_client()
    tenants = [*state.vendor("vitally").workspaces.values(), *state.vendor("monica").world.accounts.values(), state.vendor("monica").world.ids]
    queries = {"vitally.searchUsers": "?email=x@example.com", "vitally.searchAdmins": "?email=x@example.com"}
    checked = 0
    for vendor in state.vendors.values():
        for operation in vendor.operations():
            if operation.method != "GET" or not operation.locked:
                continue
            path = operation.full_path
            for name in operation.path_params:
                key = "monica_conversation_id" if (vendor.name, name) == ("monica", "conversation_id") else name
                path = path.replace("{" + name + "}", values[key])
            before, version = [tenant_state(t) for t in tenants], state.store.version
            for _ in range(2):  # computed, then kept (strict mode computes it again)
                response = client.get(path + queries.get(operation.id, ""), headers=VITALLY if vendor.name == "vitally" else MONICA)
                assert response.status_code in (200, 404), (operation.id, response.get_data()[:200])
            assert [tenant_state(t) for t in tenants] == before, operation.id
            assert state.store.version == version, f"{operation.id} took store.lock"
            checked += 1
    assert checked == 28


def test_kept_answers_stay_within_their_byte_budget() -> None:
    from mockserver.answers import Kept

    answers = Answers(max_bytes=1000)
    for i in range(50):
        answers.put(i, Kept(1, 200, (), None, None, b"x" * 100))
    assert len(answers) == 10 and answers.get(49, 1) is not None and answers.get(0, 1) is None
    answers.put("new", Kept(2, 200, (), None, None, b"y"))
    assert len(answers) == 1  # a newer state: the older answers are gone
    answers.put("late", Kept(1, 200, (), None, None, b"z"))
    assert answers.get("late", 1) is None  # read from a state that has changed since: not kept


def test_concurrent_reads_and_writes_never_see_a_write_undone() -> None:
    """Readers racing writers: once a write is answered, no read answers without it."""
    with MockServer(vitally_rate_limit=10**6) as served:
        url = served.url_for("/resources/conversations?limit=100&sortBy=createdAt")
        user = requests.get(served.url_for("/resources/users?limit=1"), headers=VITALLY, timeout=10).json()["results"][0]["id"]
        done: list[str] = []
        errors: list[str] = []

        def writer(n: int) -> None:
            with requests.Session() as session:
                for i in range(15):
                    external = f"race-{n}-{i}"
                    body = {"externalId": external, "subject": "s", "messages": [{"externalId": "m", "message": "x", "from": {"type": "user", "id": user}, "to": []}]}
                    assert session.post(served.url_for("/resources/conversations"), json=body, headers=VITALLY, timeout=10).status_code == 200
                    done.append(external)

        def reader() -> None:
            with requests.Session() as session:
                for _ in range(40):
                    answered = set(done)  # writes answered before this read was sent
                    seen = {c["externalId"] for c in session.get(url, headers=VITALLY, timeout=10).json()["results"]}
                    if not answered <= seen:
                        errors.append(f"missing {sorted(answered - seen)[:3]}")

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(3)] + [threading.Thread(target=reader) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not errors, errors[:3]
        assert len(done) == 45
