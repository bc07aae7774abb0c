"""The offline check on recorded exchanges: HAR, VCR.py cassettes (recorded here with
VCR.py itself, against the fake) and the folder-of-JSON format; requests matched to
operations through the table, strays reported as warnings."""
from __future__ import annotations

import base64
import gzip
import json

import pytest
import requests
import vcr

from mockserver.contract import har
from mockserver.contract.http import send

from .conftest import contract, fake


def _traffic(server, vendor):
    """What a client of the vendor typically sends: lists, items, a search, errors, writes."""
    if vendor == "vitally":
        v = server.vitally
        conversation = requests.get(f"{v.base_url}/conversations?limit=2", auth=v.auth).json()["results"][0]
        requests.get(f"{v.base_url}/conversations/{conversation['id']}", auth=v.auth)
        requests.get(f"{v.base_url}/admins/search", params={"email": v.admins[0]["email"]}, auth=v.auth)
        requests.get(f"{v.base_url}/conversations/nope", auth=v.auth)
        requests.get(f"{v.base_url}/accounts", auth=("wrong", ""))
        requests.post(f"{v.base_url}/conversations", auth=v.auth, json={"externalId": "rec-1", "subject": "s", "messages": []})
        requests.post(f"{v.base_url}/conversations", auth=v.auth, json={"subject": "no externalId"})
        return 7
    m = server.monica
    conversation = requests.get(f"{m.base_url}/conversations?limit=2", headers=m.headers).json()["data"][0]
    requests.get(f"{m.base_url}/conversations/{conversation['id']}", headers=m.headers)
    requests.get(f"{m.base_url}/contacts?query=a", headers=m.headers)
    requests.get(f"{m.base_url}/conversations/999999", headers=m.headers)
    requests.get(f"{m.base_url}/contacts", headers={"Accept": "application/json"})
    requests.get(f"{m.base_url}/contacts", allow_redirects=False)  # no JSON asked for: the 302 to the login page
    requests.post(f"{m.base_url}/conversations", headers=m.headers, json={"happened_at": "2020-01-01"})
    return 7


@pytest.mark.parametrize("vendor", ["vitally", "monica"])
def test_a_cassette_recorded_from_the_fake_passes_offline(vendor, tmp_path):
    cassette = tmp_path / "cassette.yaml"
    with fake() as server, vcr.use_cassette(str(cassette), record_mode="all"):
        count = _traffic(server, vendor)
    outcome = contract(vendor, "--recorded", str(cassette), "--json")
    assert outcome.code == 0, outcome.out
    report = outcome.report
    assert report["mode"] == "recorded" and report["warnings"] == []
    assert sum(op["calls"] for op in report["operations"]) == count
    assert any(400 <= status < 500 for op in report["operations"] for status in op["statuses"])


def _har_from(exchanges):
    return har.dumps([har.entry(e) for e in exchanges])


@pytest.mark.parametrize("vendor", ["vitally", "monica"])
def test_a_har_recorded_from_the_fake_passes_offline(vendor, tmp_path):
    with fake() as server:
        if vendor == "vitally":
            auth = (("Authorization", server.vitally.headers["Authorization"]),)
            base = server.vitally.base_url
            targets = ["/conversations", "/users?limit=3", "/organizations/unknown"]
        else:
            auth = tuple(server.monica.headers.items())
            base = server.monica.base_url
            targets = ["", "/contactfieldtypes", "/contacts/1", "/contacts/999999"]
        exchanges = [send("GET", base + target, auth) for target in targets]
    path = tmp_path / "traffic.har"
    path.write_text(_har_from(exchanges))
    outcome = contract(vendor, "--recorded", str(path), "--json")
    assert outcome.code == 0, outcome.out
    assert sum(op["calls"] for op in outcome.report["operations"]) == len(targets)


def test_a_har_answer_kept_base64_is_read(tmp_path):
    with fake() as server:
        exchange = send("GET", server.vitally.base_url + "/admins", (("Authorization", server.vitally.headers["Authorization"]),))
    entry = har.entry(exchange)
    entry["response"]["content"].update(text=base64.b64encode(exchange.response_body).decode(), encoding="base64")
    path = tmp_path / "b64.har"
    path.write_text(json.dumps(har.document([entry])))
    assert contract("vitally", "--recorded", str(path), "--json").report["operations"][0]["outcome"] == "pass"


def _exchange_file(folder, name, method, url, status, body=None, headers=None, text=None):
    response = {"status": status, "headers": headers or {}}
    if text is not None:
        response["text"] = text
    else:
        response["body"] = body
    (folder / name).write_text(json.dumps({"request": {"method": method, "url": url}, "response": response}))


ADMIN = {"id": "96141dfa-91b5-43fc-b012-70eb8d4b0bb4", "name": "James Holmes", "email": "j@example.com", "licenseStatus": "active"}
RATE = {"RateLimit-Limit": "1000, 1000;window=60", "RateLimit-Remaining": "999", "RateLimit-Reset": "60"}


def test_the_folder_format_is_checked_and_strays_are_warnings(tmp_path):
    _exchange_file(tmp_path, "01.json", "GET", "https://acme.rest.vitally.io/resources/admins/search?email=j@example.com", 200, ADMIN, RATE)
    _exchange_file(tmp_path, "02.json", "GET", "https://rest.vitally.io//resources/admins", 200, {"results": [dict(ADMIN, licenseStatus="gone")], "next": None, "atEnd": True}, RATE)
    _exchange_file(tmp_path, "03.json", "GET", "https://app.monicahq.com/api/conversations", 200, {"data": []})
    _exchange_file(tmp_path, "04.json", "GET", "https://acme.rest.vitally.io/resources/npsResponses", 200, {"results": []})
    _exchange_file(tmp_path, "05.json", "GET", "/resources/admins/search?email=x", 404, headers={"Content-Type": "text/html"}, text="<h1>Not Found</h1>")
    outcome = contract("vitally", "--recorded", str(tmp_path), "--json")
    report = outcome.report
    assert outcome.code == 1
    statuses = {op["id"]: op["statuses"] for op in report["operations"]}
    assert statuses == {"vitally.searchAdmins": [200, 404], "vitally.listAdmins": [200]}  # `//resources` as Airbyte sends it
    assert outcome.failures(operation="vitally.listAdmins", kind="value", path="$.results[0].licenseStatus", got='"gone"')
    assert outcome.failures(operation="vitally.searchAdmins", kind="body", status=404)  # an HTML page where JSON is declared
    routes = {w["request"]: w for w in outcome.warnings(kind="route")}
    assert routes["GET /api/conversations"]["got"] == "monica.listConversations, an operation of monica"
    assert "no operation of vitally" in routes["GET /resources/npsResponses"]["got"]
    text = contract("vitally", "--recorded", str(tmp_path)).out
    assert "5 recorded exchanges read from" in text and "not in the recording" in text


def test_a_gzip_answer_kept_compressed_in_a_cassette_is_decoded(tmp_path):
    import yaml

    body = gzip.compress(json.dumps({"results": [ADMIN], "next": None, "atEnd": True}).encode())
    headers = {"Content-Type": ["application/json"], "Content-Encoding": ["gzip"], **{k: [v] for k, v in RATE.items()}}
    cassette = {"version": 1, "interactions": [{
        "request": {"method": "GET", "uri": "https://acme.rest.vitally.io/resources/admins", "body": None, "headers": {}},
        "response": {"status": {"code": 200, "message": "OK"}, "headers": headers, "body": {"string": body}},
    }]}
    path = tmp_path / "gzip.yaml"
    path.write_text(yaml.safe_dump(cassette))
    outcome = contract("vitally", "--recorded", str(path), "--json")
    assert outcome.code == 0, outcome.out
    assert outcome.report["operations"] == [{"id": "vitally.listAdmins", "outcome": "pass", "calls": 1, "statuses": [200]}]


@pytest.mark.parametrize("content, message", [
    ("not json at all", "is not JSON"),
    ('{"entries": []}', "is not a HAR file"),
    ('{"log": {"entries": [{"request": {}}]}}', "entry 1 is not a HAR entry"),
])
def test_a_recording_that_cannot_be_read_is_exit_2(tmp_path, content, message):
    path = tmp_path / "broken.har"
    path.write_text(content)
    outcome = contract("vitally", "--recorded", str(path))
    assert outcome.code == 2 and message in outcome.err and outcome.err.count("\n") == 1
