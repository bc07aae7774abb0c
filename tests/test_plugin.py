"""The pytest plugin as a downstream suite meets it: no conftest, just the package."""
from __future__ import annotations

import pytest

DOWNSTREAM = '''
import pytest
import requests

def _create(server, external_id):
    v = server.vitally
    return requests.post(v.base_url + "/conversations", auth=v.auth,
                         json={"externalId": external_id, "subject": "s", "messages": []})

def test_first_creates(mockserver):
    assert _create(mockserver, "leftover").status_code == 200
    assert mockserver.vitally.conversation("leftover") is not None

def test_second_starts_clean(mockserver):
    assert mockserver.vitally.conversation("leftover") is None
    assert _create(mockserver, "leftover").status_code == 200

def test_rate_limit_does_not_leak(mockserver):
    r = requests.get(mockserver.vitally.base_url + "/admins", auth=mockserver.vitally.auth)
    assert r.headers["RateLimit-Remaining"] == "999"

@pytest.mark.mockserver(seed=5, vitally_rate_limit=2)
def test_marker_gives_a_dedicated_server(mockserver, mockserver_session):
    assert mockserver is not mockserver_session
    assert mockserver.vitally.accounts != mockserver_session.vitally.accounts
    url, auth = mockserver.vitally.base_url + "/admins", mockserver.vitally.auth
    assert [requests.get(url, auth=auth).status_code for _ in range(3)] == [200, 200, 429]
'''


def test_downstream_suite_gets_the_fixture_without_a_conftest(pytester):
    pytester.makepyfile(test_downstream=DOWNSTREAM)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=4)


def test_seed_from_the_command_line(pytester):
    pytester.makepyfile(test_seeded='''
def test_seed(mockserver):
    assert mockserver.app.extensions["mockserver"].config.seed == 7
''')
    result = pytester.runpytest_subprocess("--mockserver-seed", "7", "-q")
    result.assert_outcomes(passed=1)


def test_seed_from_the_ini_file(pytester):
    pytester.makeini("[pytest]\nmockserver_seed = 9\n")
    pytester.makepyfile(test_seeded='''
def test_seed(mockserver):
    assert mockserver.app.extensions["mockserver"].config.seed == 9
''')
    result = pytester.runpytest_subprocess("-q")
    result.assert_outcomes(passed=1)


def test_mockserver_options_reach_the_session_server_and_the_markers(pytester):
    pytester.makeconftest('''
import pytest

@pytest.fixture(scope="session")
def mockserver_options():
    return {"monica_rate_limit": 500, "strict_responses": True}
''')
    pytester.makepyfile(test_plugin_options_reach_every_server='''
import pytest

def _config(server):
    return server.app.extensions["mockserver"].config

def test_session_server(mockserver):
    assert _config(mockserver).strict_responses and _config(mockserver).vendor("monica").rate_limit == 500

@pytest.mark.mockserver(seed=2, monica_rate_limit=7)
def test_marker_server(mockserver, mockserver_session):
    assert mockserver is not mockserver_session
    assert _config(mockserver).strict_responses and _config(mockserver).vendor("monica").rate_limit == 7
''')
    result = pytester.runpytest_inprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_every_server_of_this_suite_is_strict(mockserver):
    assert mockserver.app.extensions["mockserver"].config.strict_responses


@pytest.mark.mockserver(seed=1)
def test_servers_the_marker_makes_in_this_suite_are_strict_too(mockserver):
    assert mockserver.app.extensions["mockserver"].config.strict_responses


REJECTED = '''
import pytest
import requests

def _typo(server):
    v = server.vitally
    return requests.get(v.base_url + "/conversation", auth=v.auth)  # no such route

def test_typo_fails_at_teardown(mockserver):
    assert _typo(mockserver).status_code == 404

def test_invalid_body_fails_at_teardown(mockserver):
    v = mockserver.vitally
    r = requests.post(v.base_url + "/conversations", auth=v.auth, json={"subject": "no externalId", "messages": []})
    assert r.status_code == 400

def test_wrong_method_fails_at_teardown(mockserver):
    v = mockserver.vitally
    assert requests.delete(v.base_url + "/users", auth=v.auth).status_code == 405

def test_a_missing_record_or_a_bad_key_is_not_a_client_bug(mockserver):
    v = mockserver.vitally
    assert requests.get(v.base_url + "/conversations/nope", auth=v.auth).status_code == 404
    assert requests.get(v.base_url + "/conversations", auth=("wrong", "")).status_code == 401

@pytest.mark.mockserver(allow_rejected=True)
def test_allowed_by_the_marker(mockserver, mockserver_session):
    assert mockserver is mockserver_session  # allow_rejected alone needs no server of its own
    assert _typo(mockserver).status_code == 404

@pytest.mark.mockserver(allow_rejected=True, seed=3)
def test_allowed_on_a_dedicated_server(mockserver, mockserver_session):
    assert mockserver is not mockserver_session
    assert _typo(mockserver).status_code == 404

@pytest.mark.mockserver(seed=3)
def test_a_dedicated_server_checks_too(mockserver):
    assert _typo(mockserver).status_code == 404

def test_the_next_test_starts_clean(mockserver):
    assert len(mockserver.journal) == 0
'''


def test_requests_the_vendor_would_refuse_fail_the_test_at_teardown(pytester):
    pytester.makepyfile(test_rejected=REJECTED)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=8, errors=4)
    text = result.stdout.str()
    for name in ("test_typo_fails_at_teardown", "test_invalid_body_fails_at_teardown", "test_wrong_method_fails_at_teardown",
                 "test_a_dedicated_server_checks_too"):
        assert f"ERROR at teardown of {name}" in text
    assert "the client sent 1 request the vendor would refuse" in text
    assert "#1 GET /resources/conversation -> 404 (unknown_route)" in text
    assert "#1 POST /resources/conversations -> 400 (validation)" in text and "externalId" in text
    assert "#1 DELETE /resources/users -> 405 (method_not_allowed)" in text
    assert "allow_rejected=True" in text


def test_the_ini_option_allows_rejected_requests(pytester):
    pytester.makeini("[pytest]\nmockserver_allow_rejected = true\n")
    pytester.makepyfile(test_rejected=REJECTED)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=8)
