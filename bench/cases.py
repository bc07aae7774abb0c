"""The per-request cases of both vendors, prepared against a running fake.

Preparing reads the ids a case needs (a conversation, a user, a contact) through the
API itself, so the same code serves MockServer, `mockserver serve` and, once its
routes exist, Monica. A vendor whose list endpoint does not answer 200 is skipped.
"""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

import requests

VITALLY_KEY = "sk_test_mockserver"
MONICA_TOKEN = "mockserver-token"
VITALLY_HEADERS = {"Authorization": "Basic " + base64.b64encode(f"{VITALLY_KEY}:".encode()).decode()}
MONICA_HEADERS = {"Authorization": f"Bearer {MONICA_TOKEN}", "Accept": "application/json"}
JSON = {"Content-Type": "application/json"}
# Rate limits high enough never to answer 429 in a benchmark.
UNLIMITED = {"vitally_rate_limit": 10**9, "monica_rate_limit": 10**9}


@dataclass
class Case:
    vendor: str
    name: str  # list, one, create, upsert
    method: str
    path: str
    headers: dict[str, str]
    body: str | None = None  # `{uid}` is replaced by a value unique per request
    status: int = 200
    payload: Any = field(default=None, repr=False)  # the fake's answer, for the baseline

    @property
    def key(self) -> str:
        return f"{self.vendor}-{self.name}"

    def body_for(self, uid: str) -> bytes | None:
        return self.body.replace("{uid}", uid).encode() if self.body is not None else None


class Unavailable(Exception):
    """The vendor (or this case of it) does not answer yet: measured as skipped."""


def _get(base_url: str, path: str, headers: dict[str, str]) -> Any:
    response = requests.get(base_url + path, headers=headers, timeout=10)
    if response.status_code != 200:
        raise Unavailable(f"GET {path} answered {response.status_code}")
    return response.json()


def _send(base_url: str, method: str, path: str, headers: dict[str, str], body: Any, status: int) -> Any:
    response = requests.request(method, base_url + path, data=json.dumps(body), headers={**headers, **JSON}, timeout=10)
    if response.status_code != status:
        raise Unavailable(f"{method} {path} answered {response.status_code}: {response.text[:200]}")
    return response.json()


def vitally_cases(base_url: str) -> list[Case]:
    h = VITALLY_HEADERS
    conversation = _get(base_url, "/resources/conversations", h)["results"][0]
    user_id = _get(base_url, "/resources/users?limit=1", h)["results"][0]["id"]
    admin_id = _get(base_url, "/resources/admins?limit=1", h)["results"][0]["id"]

    def message(external_id: str, text: str, outbound: bool) -> dict[str, Any]:
        admin, user = {"type": "admin", "id": admin_id}, {"type": "user", "id": user_id}
        return {"externalId": external_id, "message": text, "timestamp": "2025-06-01T10:00:00.000Z",
                "from": admin if outbound else user, "to": [user if outbound else admin]}

    create = {"externalId": "bench-{uid}", "subject": "Benchmark thread", "messages": [
        message("bench-m1", "<p>Hello, how is the rollout going?</p>", True),
        message("bench-m2", "<p>All good, thanks for asking.</p>", False),
    ]}
    target = _send(base_url, "POST", "/resources/conversations", h,
                   {**create, "externalId": "bench-upsert-target"}, 200)
    upsert = {"messages": [{"externalId": "bench-m1", "message": "<p>Edited {uid}</p>"}]}
    return [
        Case("vitally", "list", "GET", "/resources/conversations", h),
        Case("vitally", "one", "GET", f"/resources/conversations/{conversation['id']}", h),
        Case("vitally", "create", "POST", "/resources/conversations", {**h, **JSON}, json.dumps(create)),
        Case("vitally", "upsert", "PUT", f"/resources/conversations/{target['id']}", {**h, **JSON}, json.dumps(upsert)),
    ]


def monica_cases(base_url: str) -> list[Case]:
    h = MONICA_HEADERS
    listed = _get(base_url, "/api/conversations", h)
    try:
        # Monica refuses writes for an archived (inactive) contact: pick an active one.
        first = next(c for c in listed["data"] if c["messages"] and c["contact"].get("is_active", True))
        contact_id = first["contact"]["id"]
        field_type_id = first["contact_field_type"]["id"]
        message_id = first["messages"][0]["id"]
    except (KeyError, IndexError, TypeError, StopIteration) as exc:
        raise Unavailable(f"no Monica conversation of an active contact with messages ({exc!r})") from None
    create = {"happened_at": "2025-06-01", "contact_id": contact_id, "contact_field_type_id": field_type_id}
    upsert = {"written_at": "2025-06-01", "written_by_me": True, "content": "Edited {uid}"}
    return [
        Case("monica", "list", "GET", "/api/conversations", h),
        Case("monica", "one", "GET", f"/api/conversations/{first['id']}", h),
        Case("monica", "create", "POST", "/api/conversations", {**h, **JSON}, json.dumps(create), status=201),
        Case("monica", "upsert", "PUT", f"/api/conversations/{first['id']}/messages/{message_id}", {**h, **JSON}, json.dumps(upsert)),
    ]


def prepare(base_url: str) -> tuple[list[Case], dict[str, str]]:
    """Every case both vendors can serve, each with the fake's answer as its payload,
    and the reason for each vendor that was skipped."""
    cases: list[Case] = []
    skipped: dict[str, str] = {}
    for vendor, build in (("vitally", vitally_cases), ("monica", monica_cases)):
        try:
            built = build(base_url)
            for case in built:
                response = requests.request(case.method, base_url + case.path, data=case.body_for("prepare"), headers=case.headers, timeout=10)
                if response.status_code != case.status:
                    raise Unavailable(f"{case.method} {case.path} answered {response.status_code}: {response.text[:200]}")
                case.payload = response.json()
            cases.extend(built)
        except (Unavailable, requests.RequestException, ValueError) as exc:
            skipped[vendor] = str(exc)
    return cases, skipped
