"""Store machinery: sorted indexes, tables, snapshots."""
from __future__ import annotations

import random
import time

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


def test_reset_of_the_default_data_set_does_not_reseed():
    from mockserver import create_app

    app = create_app()
    store = app.extensions["mockserver"].store
    seeder = app.extensions["mockserver"].seeder
    calls = []
    seeder.for_tenant = lambda *a: calls.append(a)  # would be needed to re-run Faker
    started = time.perf_counter()
    store.reset()
    assert calls == []
    assert time.perf_counter() - started < 1  # a hang guard, not a speed measurement (see bench/)
