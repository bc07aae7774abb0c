"""Store machinery: sorted indexes, tables, snapshots."""
from __future__ import annotations

import random

from mockserver.store import SortedIndex, Store, Table, TenantState


def test_sorted_index_walks_newest_first_from_a_cursor():
    index = SortedIndex()
    for seq, (ms, rid) in enumerate([(5, "a"), (1, "b"), (5, "c"), (3, "d")]):
        index.add((ms, seq), rid)
    assert [rid for _, rid in index.descending()] == ["c", "a", "d", "b"]
    assert [rid for _, rid in index.descending((5, 0))] == ["d", "b"]
    assert [rid for _, rid in index.ascending((3, 3))] == ["a", "c"]
    index.remove((5, 0), "a")
    assert [rid for _, rid in index.descending()] == ["c", "d", "b"]


class _Rec:
    def __init__(self, rid, ext, key):
        self.id, self.external_id, self.created, self.updated = rid, ext, key, key


class _Tenant(TenantState):
    STATE = ("table", "rng", "counter")

    def __init__(self):
        self.table = Table()
        self.rng = random.Random(1)
        self.counter = 0


def test_snapshot_and_reset_restore_rows_indexes_rng_and_counters():
    store, tenant = Store(), _Tenant()
    store.register(tenant)
    tenant.table.insert(_Rec("r1", "e1", (1, 1)))
    store.seal()
    expected_next = random.Random(1).random()

    tenant.table.insert(_Rec("r2", "e2", (2, 2)))
    tenant.rng.random()
    tenant.counter = 7
    store.reset()

    assert list(tenant.table.rows) == ["r1"]
    assert tenant.table.find("e2") is None and tenant.table.find("e1").id == "r1"
    assert [rid for _, rid in tenant.table.by_updated.descending()] == ["r1"]
    assert tenant.counter == 0
    assert tenant.rng.random() == expected_next
    # a second reset is as good as the first
    tenant.table.insert(_Rec("r3", "e3", (3, 3)))
    store.reset()
    assert list(tenant.table.rows) == ["r1"]


def test_reset_swaps_the_seeded_records_back_in_without_generating_them_again(monkeypatch):
    """The seeded record objects themselves come back: regenerated data would be new,
    equal objects. The seeding functions are made to fail, should reset() call them."""
    import base64

    from mockserver import create_app

    app = create_app(strict_responses=True)
    state = app.extensions["mockserver"]
    workspace, account = state.vendors["vitally"].workspace(), state.vendors["monica"].account()
    seeded = {"conversations": dict(workspace.conversations.rows), "contacts": dict(account.contacts),
              "contact field types": dict(account.contact_field_types)}
    client = app.test_client()
    vitally = {"Authorization": "Basic " + base64.b64encode(b"sk_test_mockserver:").decode()}
    monica = {"Authorization": "Bearer mockserver-token", "Accept": "application/json"}
    first = next(iter(seeded["conversations"]))
    assert client.delete(f"/resources/conversations/{first}", headers=vitally).status_code == 200
    assert client.post("/resources/conversations", json={"externalId": "new", "subject": "s", "messages": []}, headers=vitally).status_code == 200
    assert client.put(f"/api/contactfieldtypes/{next(iter(seeded['contact field types']))}", json={"name": "Renamed"}, headers=monica).status_code == 200
    account.create_contact("Extra")

    def regenerate(*args: object, **kwargs: object) -> None:
        raise AssertionError("reset() ran the data generator again")

    monkeypatch.setattr("mockserver.vitally.vendor.seed_workspace", regenerate)
    monkeypatch.setattr("mockserver.monica.vendor.seed_account", regenerate)
    state.store.reset()
    now = {"conversations": workspace.conversations.rows, "contacts": account.contacts, "contact field types": account.contact_field_types}
    for name, records in seeded.items():
        assert list(now[name]) == list(records), name
        assert all(now[name][key] is record for key, record in records.items()), f"{name}: not the seeded objects"
