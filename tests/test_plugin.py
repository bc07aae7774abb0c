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
