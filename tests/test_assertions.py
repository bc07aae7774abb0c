"""server.assert_called / assert_not_called: counts, body subsets, query, who sent it,
and near misses in the AssertionError when the expected request is not there."""
from __future__ import annotations

import pytest
import requests
from conftest import MONICA_TOKEN, VITALLY_KEY


def _create(server, external_id, subject="Hello", **extra):
    v = server.vitally
    body = {"externalId": external_id, "subject": subject, "messages": [], **extra}
    return requests.post(f"{v.base_url}/conversations", json=body, auth=v.auth, timeout=10)


def test_assert_called_counts_matching_requests_by_template_or_operation_id(mockserver):
    assert _create(mockserver, "a-1").status_code == 200
    assert _create(mockserver, "a-2").status_code == 200
    requests.get(f"{mockserver.vitally.base_url}/conversations/a-1", auth=mockserver.vitally.auth, timeout=10)
    found = mockserver.assert_called("POST", "/resources/conversations", times=2)
    assert [e.json["externalId"] for e in found] == ["a-1", "a-2"]
    mockserver.assert_called("POST", "vitally.createConversation")
    mockserver.assert_called("GET", "/resources/conversations/{conversation_id}", times=1)
    mockserver.assert_called("GET", "vitally.getConversation", vendor="vitally", tenant=VITALLY_KEY)
    mockserver.assert_not_called("DELETE", "/resources/conversations/{id}")
    mockserver.assert_called("DELETE", "/resources/conversations/{id}", times=0)
    with pytest.raises(AssertionError, match="to be called once, but it was called 2 times"):
        mockserver.assert_called("POST", "/resources/conversations", times=1)
    with pytest.raises(AssertionError, match="not to be called, but it was called 2 times"):
        mockserver.assert_not_called("POST", "vitally.createConversation")


def test_json_matches_a_subset_of_the_body(mockserver):
    _create(mockserver, "subset", subject="Refund", traits={"channel": "email", "priority": 2})
    mockserver.assert_called("POST", "/resources/conversations", json={"subject": "Refund"})
    mockserver.assert_called("POST", "/resources/conversations", json={"traits": {"channel": "email"}})
    mockserver.assert_called("POST", "/resources/conversations", json={"messages": []})
    mockserver.assert_not_called("POST", "/resources/conversations", json={"traits": {"priority": True}})  # 2 is not true
    with pytest.raises(AssertionError) as failure:
        mockserver.assert_called("POST", "/resources/conversations", json={"traits": {"channel": "chat"}})
    assert 'json: traits.channel is "email", expected "chat"' in str(failure.value)


def test_query_matches_the_given_parameters(mockserver):
    v = mockserver.vitally
    requests.get(f"{v.base_url}/conversations", params={"limit": 5, "sortBy": "createdAt"}, auth=v.auth, timeout=10)
    mockserver.assert_called("GET", "/resources/conversations", query={"limit": "5"})
    mockserver.assert_called("GET", "/resources/conversations", query={"limit": 5, "sortBy": "createdAt"})
    with pytest.raises(AssertionError, match="query limit is '5', expected '10'"):
        mockserver.assert_called("GET", "/resources/conversations", query={"limit": 10})
    with pytest.raises(AssertionError, match="query has no from"):
        mockserver.assert_called("GET", "/resources/conversations", query={"from": "x"})


@pytest.mark.mockserver(allow_rejected=True)  # the typo is on purpose
def test_the_failure_lists_the_closest_requests_with_what_differs(mockserver):
    v, m = mockserver.vitally, mockserver.monica
    requests.get(f"{v.base_url}/users", auth=v.auth, timeout=10)
    _create(mockserver, "near")
    requests.get(f"{m.base_url}/conversations", headers=m.headers, timeout=10)
    requests.post(f"{v.base_url}/conversation", json={}, auth=v.auth, timeout=10)  # a typo: 404
    with pytest.raises(AssertionError) as failure:
        mockserver.assert_called("POST", "/resources/conversations", json={"subject": "Goodbye"})
    text = str(failure.value)
    lines = text.splitlines()
    assert lines[0].startswith("expected POST /resources/conversations with json containing") and lines[0].endswith("to be called at least once, but it was not called.")
    assert lines[1] == "The fake received 4 requests; the closest:"
    # closest first: the create differs only in its body; the typo in its path; GETs in method and path
    assert lines[2] == '  #2 POST /resources/conversations -> 200: json: subject is "Hello", expected "Goodbye"'
    assert lines[3].startswith("  #4 POST /resources/conversation -> 404 (unknown_route): path does not match")
    assert "#1 GET /resources/users -> 200: method is GET, not POST; path does not match" in text
    assert "#3 GET /api/conversations -> 200" in text


def test_no_request_at_all_says_so(mockserver):
    with pytest.raises(AssertionError, match="The fake received no requests"):
        mockserver.assert_called("GET", "monica.listConversations")


def test_tenant_and_vendor_narrow_the_match():
    from mockserver import MockServer

    with MockServer(vitally_keys=["k1", "k2"], strict_responses=True) as server:
        for key in ("k1", "k2", "k2"):
            requests.get(f"{server.vitally.base_url}/admins", auth=(key, ""), timeout=10)
        server.assert_called("GET", "/resources/admins", tenant="k2", times=2)
        server.assert_called("GET", "/resources/admins", tenant="k1", times=1, vendor="vitally")
        with pytest.raises(AssertionError, match="tenant is 'k1', not 'k3'"):
            server.assert_called("GET", "/resources/admins", tenant="k3")


@pytest.mark.mockserver(allow_rejected=True)  # an invalid body, on purpose
def test_monica_requests_by_operation_id(mockserver):
    m = mockserver.monica
    requests.post(f"{m.base_url}/conversations", json={"contact_id": m.contacts[0]["id"]}, headers=m.headers, timeout=10)
    entry = mockserver.journal.filter(path="monica.createConversation")[0]
    assert entry.status == 422 and entry.reason == "validation" and entry.tenant == MONICA_TOKEN
    mockserver.assert_called("POST", "monica.createConversation", json={"contact_id": m.contacts[0]["id"]})


@pytest.mark.parametrize("args,message", [
    (("GET", "vitally.nope"), "known operation id"),
    (("GET", "vitally.createConversation"), "is a POST operation"),
    (("FETCH ME", "/resources/users"), "HTTP method"),
])
def test_an_assertion_that_could_never_pass_is_an_error_not_a_failure(mockserver, args, message):
    with pytest.raises(ValueError, match=message):
        mockserver.assert_called(*args)
