"""Accounts, users, organizations and admins: lists, lookups, writes, nested lists, search."""
from __future__ import annotations

import pytest

from .conftest import assert_error, list_all, unchanged


def all_accounts(client, h):
    return list_all(client, "/resources/accounts", h, status="activeOrChurned")


# -- accounts -------------------------------------------------------------------


def test_account_status_filter(client, h):
    everything = all_accounts(client, h)
    active = list_all(client, "/resources/accounts", h)
    explicit_active = list_all(client, "/resources/accounts", h, status="active")
    churned = list_all(client, "/resources/accounts", h, status="churned")
    assert active == explicit_active
    assert all(a["traits"].get("churnedAt") is None and a["churnedAt"] is None for a in active)
    assert all(a["traits"].get("churnedAt") is not None for a in churned)
    assert active and churned
    assert {a["id"] for a in active} | {a["id"] for a in churned} == {a["id"] for a in everything}
    assert not {a["id"] for a in active} & {a["id"] for a in churned}


def test_invalid_account_status_is_400(client, h, app):
    with unchanged(app):
        assert_error(client.get("/resources/accounts?status=deleted", headers=h), 400, contains="status")


def test_churning_an_account_moves_it_between_status_lists(client, h):
    account = list_all(client, "/resources/accounts", h)[0]
    updated = client.put(f"/resources/accounts/{account['id']}", json={"traits": {"churnedAt": "2025-01-01T00:00:00.000Z"}}, headers=h).get_json()
    assert updated["churnedAt"] == "2025-01-01T00:00:00.000Z"
    assert account["id"] not in {a["id"] for a in list_all(client, "/resources/accounts", h)}
    assert account["id"] in {a["id"] for a in list_all(client, "/resources/accounts", h, status="churned")}
    client.put(f"/resources/accounts/{account['id']}", json={"traits": {"churnedAt": None}}, headers=h)
    assert account["id"] in {a["id"] for a in list_all(client, "/resources/accounts", h)}


def test_get_account_by_id_or_external_id(client, h, app):
    account = all_accounts(client, h)[0]
    assert client.get(f"/resources/accounts/{account['id']}", headers=h).get_json() == account
    assert client.get(f"/resources/accounts/{account['externalId']}", headers=h).get_json() == account
    with unchanged(app):
        assert_error(client.get("/resources/accounts/acct-nope", headers=h), 404, contains="acct-nope")


def test_create_account(client, h, app):
    org = list_all(client, "/resources/organizations", h)[0]
    response = client.post("/resources/accounts", json={"externalId": "acct-new", "name": "New Co", "organizationId": org["id"],
                                                        "traits": {"mrr": 100, "plan": "pro"}}, headers=h)
    assert response.status_code == 200
    account = response.get_json()
    assert account["externalId"] == "acct-new" and account["name"] == "New Co"
    assert account["organizationId"] == org["id"]
    assert account["traits"] == {"mrr": 100, "plan": "pro"} and account["mrr"] == 100
    assert account["usersCount"] == 0
    assert client.get("/resources/accounts/acct-new", headers=h).get_json() == account
    assert account["id"] in {a["id"] for a in list_all(client, f"/resources/organizations/{org['id']}/accounts", h)}
    after = client.get(f"/resources/organizations/{org['id']}", headers=h).get_json()
    assert after["accountsCount"] == org["accountsCount"] + 1


@pytest.mark.parametrize("body,message", [
    ({"name": "x"}, "externalId is required"),
    ({"externalId": "a-1"}, "name is required"),
    ({"externalId": "acct-2000", "name": "dup"}, "acct-2000"),
    ({"externalId": "a-1", "name": "x", "organizationId": "org-nope"}, "org-nope"),
    ({"externalId": "a-1", "name": 7}, "name must be a string"),
    ({"externalId": "a-1", "name": "x", "traits": "no"}, "traits must be an object"),
])
def test_create_account_rejections(client, h, app, body, message):
    with unchanged(app):
        assert_error(client.post("/resources/accounts", json=body, headers=h), 400, contains=message)


def test_update_account_merges_traits_and_unlinks_organization(client, h, app):
    account = next(a for a in all_accounts(client, h) if a["organizationId"])
    org_id = account["organizationId"]
    response = client.put(f"/resources/accounts/{account['externalId']}",
                          json={"name": "Renamed", "organizationId": None, "traits": {"plan": None, "new": True}}, headers=h)
    assert response.status_code == 200
    updated = response.get_json()
    expected = {k: v for k, v in account["traits"].items() if k != "plan"} | {"new": True}
    assert updated["traits"] == expected
    assert updated["name"] == "Renamed" and updated["organizationId"] is None
    assert updated["id"] not in {a["id"] for a in list_all(client, f"/resources/organizations/{org_id}/accounts", h)}
    with unchanged(app):
        assert_error(client.put(f"/resources/accounts/{account['id']}", json={"externalId": "changed"}, headers=h), 400)
        assert_error(client.put(f"/resources/accounts/{account['id']}", json={"organizationId": "nope"}, headers=h), 400)
        assert_error(client.put("/resources/accounts/nope", json={"name": "x"}, headers=h), 404)


def test_account_users_nested_list(client, h):
    users = list_all(client, "/resources/users", h)
    for account in all_accounts(client, h):
        listed = list_all(client, f"/resources/accounts/{account['id']}/users", h)
        assert {u["id"] for u in listed} == {u["id"] for u in users if account["id"] in u["accountIds"]}
        assert account["usersCount"] == len(listed)
    # by externalId too (only the conversations list insists on the Vitally id)
    account = all_accounts(client, h)[0]
    assert list_all(client, f"/resources/accounts/{account['externalId']}/users", h) == list_all(client, f"/resources/accounts/{account['id']}/users", h)


# -- users ----------------------------------------------------------------------


def test_get_user_by_id_or_external_id(client, h, app):
    user = list_all(client, "/resources/users", h)[0]
    assert client.get(f"/resources/users/{user['id']}", headers=h).get_json() == user
    assert client.get(f"/resources/users/{user['externalId']}", headers=h).get_json() == user
    assert [a["id"] for a in user["accounts"]] == user["accountIds"]
    assert [o["id"] for o in user["organizations"]] == user["organizationIds"]
    with unchanged(app):
        assert_error(client.get("/resources/users/nobody", headers=h), 404)


def test_create_and_update_user(client, h, app):
    accounts = all_accounts(client, h)
    org = list_all(client, "/resources/organizations", h)[0]
    body = {"externalId": "u-new", "name": "Ann", "email": "ann@example.com", "accountIds": [accounts[0]["id"]],
            "organizationIds": [org["id"]], "traits": {"role": "cto"}, "joinDate": "2024-01-01T01:00:00+01:00"}
    response = client.post("/resources/users", json=body, headers=h)
    assert response.status_code == 200
    user = response.get_json()
    assert user["accountIds"] == [accounts[0]["id"]] and user["organizationIds"] == [org["id"]]
    assert user["joinDate"] == "2024-01-01T00:00:00.000Z"
    assert user["unsubscribedFromConversations"] is False
    assert user["id"] in {u["id"] for u in list_all(client, f"/resources/accounts/{accounts[0]['id']}/users", h)}
    assert user["id"] in {u["id"] for u in list_all(client, f"/resources/organizations/{org['id']}/users", h)}
    updated = client.put("/resources/users/u-new", json={"accountIds": [accounts[1]["id"]], "traits": {"role": None, "x": 1},
                                                       "unsubscribedFromConversations": True}, headers=h).get_json()
    assert updated["accountIds"] == [accounts[1]["id"]] and updated["organizationIds"] == [org["id"]]
    assert updated["traits"] == {"x": 1} and updated["unsubscribedFromConversations"] is True
    assert user["id"] not in {u["id"] for u in list_all(client, f"/resources/accounts/{accounts[0]['id']}/users", h)}


@pytest.mark.parametrize("body,message", [
    ({"name": "x"}, "externalId is required"),
    ({"externalId": "user-3000"}, "user-3000"),
    ({"externalId": "u-1", "accountIds": ["nope"]}, "accountIds[0]"),
    ({"externalId": "u-1", "organizationIds": "nope"}, "organizationIds must be an array"),
    ({"externalId": "u-1", "joinDate": "soon"}, "joinDate must be a valid date-time"),
    ({"externalId": "u-1", "joinDate": "2024-01-01T00:00:00+24:00"}, "joinDate must be a valid date-time"),
    ({"externalId": "u-1", "unsubscribedFromConversations": "yes"}, "unsubscribedFromConversations must be a boolean"),
])
def test_create_user_rejections(client, h, app, body, message):
    with unchanged(app):
        assert_error(client.post("/resources/users", json=body, headers=h), 400, contains=message)


def test_user_search(client, h, app):
    users = list_all(client, "/resources/users", h)
    target = users[4]
    by_ext = client.get(f"/resources/users/search?externalId={target['externalId']}", headers=h)
    assert by_ext.status_code == 200 and by_ext.get_json() == {"results": [target]}
    by_email = client.get("/resources/users/search", query_string={"email": target["email"].upper()}, headers=h).get_json()
    assert by_email == {"results": [target]}
    domain = target["email"].split("@")[1]
    by_domain = client.get("/resources/users/search", query_string={"emailSubdomain": domain}, headers=h).get_json()
    assert {u["id"] for u in by_domain["results"]} == {u["id"] for u in users if u["email"].split("@")[1] == domain}
    assert client.get("/resources/users/search?email=nobody@nowhere.example", headers=h).get_json() == {"results": []}
    with unchanged(app):
        assert_error(client.get("/resources/users/search", headers=h), 400)
        assert_error(client.get(f"/resources/users/search?email={target['email']}&externalId=x", headers=h), 400)


# -- organizations ----------------------------------------------------------------


def test_organizations_and_their_nested_lists(client, h):
    orgs = list_all(client, "/resources/organizations", h)
    accounts = all_accounts(client, h)
    users = list_all(client, "/resources/users", h)
    for org in orgs:
        assert client.get(f"/resources/organizations/{org['externalId']}", headers=h).get_json() == org
        listed = list_all(client, f"/resources/organizations/{org['id']}/accounts", h)
        own = {a["id"] for a in accounts if a["organizationId"] == org["id"]}
        assert {a["id"] for a in listed} == own and org["accountsCount"] == len(own)
        org_users = {u["id"] for u in list_all(client, f"/resources/organizations/{org['id']}/users", h)}
        expected = {u["id"] for u in users if org["id"] in u["organizationIds"] or own & set(u["accountIds"])}
        assert org_users == expected and org["usersCount"] == len(expected)


def test_create_and_update_organization(client, h, app):
    org = client.post("/resources/organizations", json={"externalId": "org-new", "name": "Org", "traits": {"a": 1}}, headers=h).get_json()
    assert org["externalId"] == "org-new" and org["accountsCount"] == 0 and org["traits"] == {"a": 1}
    updated = client.put("/resources/organizations/org-new", json={"name": "Org 2", "traits": {"a": None, "b": 2}}, headers=h).get_json()
    assert updated["name"] == "Org 2" and updated["traits"] == {"b": 2} and updated["id"] == org["id"]
    with unchanged(app):
        assert_error(client.post("/resources/organizations", json={"externalId": "org-new", "name": "again"}, headers=h), 400)
        assert_error(client.post("/resources/organizations", json={"externalId": "org-x"}, headers=h), 400, message="name is required")
        assert_error(client.put("/resources/organizations/org-new", json={"externalId": "other"}, headers=h), 400)
        assert_error(client.get("/resources/organizations/nope", headers=h), 404)
        assert_error(client.get("/resources/organizations/nope/accounts", headers=h), 404)


# -- admins -----------------------------------------------------------------------


def test_admins_list_and_search(client, h, app):
    admins = list_all(client, "/resources/admins", h)
    assert len(admins) == 5
    assert all(set(a) == {"id", "name", "email", "licenseStatus"} for a in admins)
    target = admins[2]
    response = client.get("/resources/admins/search", query_string={"email": target["email"].upper()}, headers=h)
    assert response.status_code == 200 and response.get_json() == target  # a bare object, not an envelope
    with unchanged(app):
        assert_error(client.get("/resources/admins/search?email=nobody@example.com", headers=h), 404)
        assert_error(client.get("/resources/admins/search", headers=h), 400)


def test_admins_are_read_only(client, h, app):
    with unchanged(app):
        response = client.post("/resources/admins", json={"name": "x"}, headers=h)
        assert_error(response, 405)


@pytest.mark.parametrize(("sent", "stored"), [
    ("0219-04-18T07:32:10.0Z", "0219-04-18T07:32:10.000Z"),
    ("0001-01-01T00:00:00+00:00", "0001-01-01T00:00:00.000Z"),
    ("1999-12-31T23:30:00-01:00", "2000-01-01T00:30:00.000Z"),
])
def test_join_dates_of_any_year_come_back_as_iso_8601_utc(client, h, sent, stored):
    body = {"externalId": f"early-{sent}", "name": "Early", "joinDate": sent}
    created = client.post("/resources/users", json=body, headers=h)
    assert created.status_code == 200, created.get_json()
    assert created.get_json()["joinDate"] == stored
