"""The seams users and maintainers rely on: layers without import cycles, a typed public
surface, options checked when built, every answer checked in strict mode, a reset that
cannot forget state, and endpoint facts declared once."""
from __future__ import annotations

import ast
import base64
import dataclasses
import random
import textwrap
from pathlib import Path
from typing import Any

import pytest

from mockserver import Config, MockServer, create_app
from mockserver.app import state_of
from mockserver.errors import OptionError, ResponseSchemaError
from mockserver.operations import Answer
from mockserver.store import FrozenDict, Store, TenantState

PACKAGE = Path(__file__).resolve().parents[1] / "mockserver"
VITALLY_HEADERS = {"Authorization": "Basic " + base64.b64encode(b"sk_test_mockserver:").decode()}


# -- layers -----------------------------------------------------------------------------


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _runtime_imports(path: Path, package: str, modules: set[str]) -> set[str]:
    """Modules of the package this file makes Python execute, at any depth of its code
    (in-function imports included), except under `if TYPE_CHECKING:`."""
    name = _module_name(path)
    is_package = path.name == "__init__.py"
    base = name if is_package else name.rpartition(".")[0]
    found: set[str] = set()

    def add(target: str) -> None:
        # importing a.b.c runs a and a.b (their __init__) too, unless one is our own ancestor
        parts = target.split(".")
        for i in range(1, len(parts) + 1):
            candidate = ".".join(parts[:i])
            if candidate in modules and candidate != name and not name.startswith(candidate + "."):
                found.add(candidate)

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = base.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                origin = ".".join(anchor + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            add(origin)
            for alias in node.names:
                add(f"{origin}.{alias.name}")
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


def test_no_module_of_the_package_imports_one_that_imports_it_back() -> None:
    files = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {name: _runtime_imports(path, "mockserver", set(files)) for name, path in files.items()}

    def reaches(start: str, goal: str) -> list[str] | None:
        stack, seen = [(start, [start])], {start}
        while stack:
            node, trail = stack.pop()
            for nxt in sorted(graph[node]):
                if nxt == goal:
                    return trail + [goal]
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, trail + [nxt]))
        return None

    cycles = [loop for name in graph for loop in [reaches(name, name)] if loop]
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_the_core_names_no_vendor() -> None:
    core = [p for p in PACKAGE.glob("*.py") if p.name not in ("registry.py",)]
    for path in core:
        imports = _runtime_imports(path, "mockserver", {"mockserver.vitally", "mockserver.monica"})
        assert not imports, f"{path.name} imports {imports}: only registry.py names vendors"


# -- the typed public surface -------------------------------------------------------------


def test_mypy_catches_typos_in_options_and_handles(tmp_path: Path) -> None:
    from mypy import api

    good = tmp_path / "good.py"
    good.write_text(textwrap.dedent("""
        from mockserver import MockServer, create_app
        server = MockServer(seed=1, vitally_keys=["k"], monica_rate_limit=5, vitally_sizes={"users": 2})
        url: str = server.vitally.base_url + server.monica.base_url
        token: str = server.monica_account("t").token
        app = create_app(seed=2, strict_responses=True)
    """))
    bad = tmp_path / "bad.py"
    bad.write_text(textwrap.dedent("""
        from mockserver import MockServer, create_app
        server = MockServer(sed=1)
        server.vitally.no_such_attr
        create_app(vitally_key="k")
        MockServer(vitally_rate_limit="fast")
    """))
    cache = ["--cache-dir", str(tmp_path / ".mypy_cache"), "--strict", "--no-error-summary"]
    out, err, status = api.run([*cache, str(good)])
    assert status == 0, out + err
    out, err, status = api.run([*cache, str(bad)])
    assert status == 1
    for needle in ('"sed"', "no_such_attr", '"vitally_key"', "vitally_rate_limit"):
        assert needle in out, out


# -- options are checked when the config is built ---------------------------------------------


@pytest.mark.parametrize(("options", "message"), [
    ({"vitally_rate_limit": -5}, "vitally_rate_limit must be at least 1"),
    ({"monica_rate_limit": 0}, "monica_rate_limit must be at least 1"),
    ({"max_body_bytes": -1}, "max_body_bytes must be at least 1"),
    ({"vitally_keys": []}, "vitally_keys must name at least one credential"),
    ({"monica_tokens": ["ok", ""]}, "every credential must be a non-empty string"),
    ({"vitally_keys": ["has:colon"]}, "cannot be sent as a credential"),
    ({"monica_tokens": ["a,b"]}, "cannot be sent as a credential"),
    ({"rate_limit_window": 0}, "rate_limit_window must be a positive number"),
    ({"seed": "x"}, "seed must be an integer"),
    ({"vitally_sizes": {"users": -1}}, "vitally_sizes.users must be at least 0"),
    ({"monica_sizes": {"messages_min": 5, "messages_max": 2}}, "messages_min (5) is more than messages_max (2)"),
    ({"monica_sizes": {"contact": 3}}, "unknown size(s) contact"),
])
def test_options_that_cannot_work_are_clear_errors(options: dict[str, Any], message: str) -> None:
    with pytest.raises(OptionError) as caught:
        create_app(**options)
    assert message in str(caught.value)


def test_unknown_options_name_the_known_ones() -> None:
    with pytest.raises(TypeError, match="no_such_option.*known: .*vitally_keys"):
        create_app(no_such_option=1)


def test_vendor_options_are_grouped_per_vendor_and_keywords_keep_working() -> None:
    config = state_of(create_app(seed=4, vitally_keys="one", monica_tokens=("a", "b", "a"), monica_rate_limit=7)).config
    assert config.seed == 4
    assert config.vendor("vitally").keys == ("one",)
    assert config.vendor("monica").tokens == ("a", "b")
    assert config.vendor("monica").rate_limit == 7
    assert not any(f.name.startswith(("vitally", "monica")) for f in dataclasses.fields(Config))


def test_a_config_object_gets_default_vendor_options() -> None:
    app = create_app(Config(seed=3))
    assert state_of(app).vendor("vitally").credentials == ("sk_test_mockserver",)
    with pytest.raises(TypeError):
        create_app(Config(), seed=1)  # type: ignore[call-overload]


# -- strict mode checks every answer, errors and answers before routing included ----------------


def _strict() -> Any:
    app = create_app(strict_responses=True)
    app.testing = True
    return app


def test_strict_mode_checks_vitallys_401(monkeypatch: pytest.MonkeyPatch) -> None:
    app = _strict()
    # The operation tables are shared by every app of the process: patch, then restore.
    monkeypatch.delitem(state_of(app).operations["vitally.listAdmins"].responses, 401)
    with pytest.raises(ResponseSchemaError, match="401, a status it does not declare"):
        app.test_client().get("/resources/admins")


def test_strict_mode_checks_answers_before_routing(monkeypatch: pytest.MonkeyPatch) -> None:
    app = _strict()
    monkeypatch.setitem(state_of(app).vendor("vitally").unrouted, 404, Answer(404, ("user",)))  # a wrong declaration
    with pytest.raises(ResponseSchemaError, match="before routing"):
        app.test_client().get("/resources/nowhere", headers=VITALLY_HEADERS)


def test_strict_mode_checks_the_control_api(monkeypatch: pytest.MonkeyPatch) -> None:
    app = _strict()
    monkeypatch.setitem(state_of(app).operations["control.health"].responses, 200, Answer(200, ("reset",)))
    with pytest.raises(ResponseSchemaError, match="control.health 200 response breaks reset"):
        app.test_client().get("/__mockserver/health")


# -- reset cannot forget ------------------------------------------------------------------------


def test_every_tenant_attribute_is_in_its_snapshot() -> None:
    store = state_of(create_app(monica_tokens=["a", "b"])).store
    parts = [p for p in store._parts if isinstance(p, TenantState)]
    assert parts
    for part in parts:
        assert set(part.snapshot()) == set(vars(part)), type(part).__name__


class _Tenant(TenantState):
    def __init__(self) -> None:
        self.rows: dict[str, int] = {}
        self.rng = random.Random(1)


def test_reset_restores_and_drops_state_made_after_the_reset_point() -> None:
    store, tenant = Store(), _Tenant()
    store.register(tenant)
    store.seal()
    tenant.rows["x"] = 1
    tenant.rng.random()
    tenant.added_later = [1]  # type: ignore[attr-defined]
    store.reset()
    assert tenant.rows == {} and not hasattr(tenant, "added_later")
    assert tenant.rng.random() == random.Random(1).random()


def test_state_reset_cannot_snapshot_is_an_error_not_a_silent_leak() -> None:
    tenant = _Tenant()
    tenant.buffer = bytearray(b"mutable")  # type: ignore[attr-defined]
    with pytest.raises(TypeError, match="buffer: reset\\(\\) cannot snapshot a bytearray"):
        tenant.snapshot()


def test_monicas_me_contact_is_part_of_the_reset() -> None:
    app = create_app()
    account = state_of(app).vendor("monica").account()  # type: ignore[attr-defined]
    me = account.me_contact_id
    account.me_contact_id = None
    state_of(app).store.reset()
    assert account.me_contact_id == me


def test_vitally_records_and_their_traits_are_immutable() -> None:
    workspace = state_of(create_app()).vendor("vitally").workspace()  # type: ignore[attr-defined]
    account = next(iter(workspace.accounts))
    with pytest.raises(dataclasses.FrozenInstanceError):
        account.name = "changed"
    assert isinstance(account.traits, FrozenDict)
    with pytest.raises(TypeError):
        account.traits["plan"] = "changed"


# -- handles take a base URL, not a server --------------------------------------------------------


def test_vendor_handles_take_a_base_url_provider() -> None:
    state = state_of(create_app())
    assert state.vendor("vitally").handle(lambda: "https://acme.rest.vitally.io").base_url == "https://acme.rest.vitally.io/resources"
    monica = state.vendor("monica").handle(lambda: "https://app.monicahq.com")
    assert monica.base_url == "https://app.monicahq.com/api"
    assert monica.contacts[0]["url"].startswith("https://app.monicahq.com/api/contacts/")


def test_the_server_header_is_the_same_for_mockserver_and_serve() -> None:
    import requests

    with MockServer() as server:
        assert requests.get(server.url_for("/__mockserver/health"), timeout=5).headers["Server"] == "mockserver"


def test_routes_build_the_urls_werkzeug_builds() -> None:
    """The routes compile their URL builders on first use (boot speed): the URLs are
    werkzeug's own, with path values and extra query arguments."""
    from flask import url_for
    from werkzeug.routing import Map, Rule

    app = create_app()
    plain = Map([Rule(rule.rule, endpoint=rule.endpoint, methods=rule.methods) for rule in app.url_map.iter_rules()]).bind("x")
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            values = {name: f"v{i}/ü" for i, name in enumerate(sorted(rule.arguments))}
            assert url_for(rule.endpoint, **values, page=2) == plain.build(rule.endpoint, {**values, "page": 2}), rule.rule
