"""Vitally's part of a data set: workspaces and their records.

Each record is the body the API's create route takes (schemas/vitally/dataset.json
refers to those schemas), plus what only a data set may say: `id` (the record's
Vitally id, so a file can refer to it) and `createdAt`. Records are made by the
workspace's own create functions, so they pass the API's rules and behave exactly
like records created through the API: organizations, then accounts, users, admins
(read-only over REST) and conversations, each kind in file order.
"""
from __future__ import annotations

import time
from typing import Any, Callable, Mapping

from ..errors import ApiError, RecordRejected
from ..seeding import SEED_EPOCH
from .models import VitallyWorkspace, parse_timestamp

# Kinds in the order they are created (later kinds refer to earlier ones), with their create function.
KINDS = ("organizations", "accounts", "users", "admins", "conversations")
CREATE = {
    "organizations": VitallyWorkspace.create_organization,
    "accounts": VitallyWorkspace.create_account,
    "users": VitallyWorkspace.create_user,
    "admins": VitallyWorkspace.create_admin,
    "conversations": VitallyWorkspace.create_conversation,
}
DATA_SET_ONLY = ("id", "createdAt")  # not part of the API's body
DEFAULT_CREATED = SEED_EPOCH.timestamp()  # a record without createdAt: the same instant on every run


def data_set_keys(data: Mapping[str, Any]) -> list[str]:
    """The API keys a data set names, in file order."""
    return [spec["apiKey"] for spec in data.get("workspaces", ()) if "apiKey" in spec]


def load_workspaces(workspaces: dict[str, VitallyWorkspace], data: Mapping[str, Any]) -> None:
    """Fill fresh, empty workspaces from a checked data set section; a workspace without
    `apiKey` is the server's first key."""
    default = next(iter(workspaces))
    described: dict[str, str] = {}
    for i, spec in enumerate(data.get("workspaces", ())):
        where = f"workspaces[{i}]"
        key = spec.get("apiKey", default)
        if key in described:
            raise RecordRejected(where, f"the workspace of API key {key} is already described at $.vitally.{described[key]}")
        described[key] = where
        _fill(workspaces[key], spec, where)


def _fill(workspace: VitallyWorkspace, spec: Mapping[str, Any], where: str) -> None:
    ids: dict[str, str] = {}  # id -> where it was given, across every kind and message
    try:
        for kind in KINDS:
            for j, record in enumerate(spec.get(kind, ())):
                path = f"{where}.{kind}[{j}]"
                _claim(ids, record.get("id"), f"{path}.id")
                workspace.clock = _instant(record, path)
                body = {name: value for name, value in record.items() if name not in DATA_SET_ONLY}
                extra: dict[str, Any] = {}
                if kind == "conversations":
                    messages = record.get("messages") or []
                    for k, message in enumerate(messages):
                        _claim(ids, message.get("id"), f"{path}.messages[{k}].id")
                    body["messages"] = [{n: v for n, v in m.items() if n != "id"} for m in messages]
                    extra["message_ids"] = [m.get("id") for m in messages]
                try:
                    CREATE[kind](workspace, body, record_id=record.get("id"), **extra)
                except ApiError as error:
                    raise RecordRejected(path, getattr(error, "message", str(error))) from None
    finally:
        workspace.clock = time.time


def _claim(ids: dict[str, str], record_id: str | None, where: str) -> None:
    if record_id is None:
        return
    if record_id in ids:
        raise RecordRejected(where, f"id {record_id} is already given at $.vitally.{ids[record_id]}")
    ids[record_id] = where


def _instant(record: Mapping[str, Any], path: str) -> Callable[[], float]:
    """The workspace clock while a record is created: its createdAt, else the fixed default."""
    if "createdAt" not in record:
        return lambda: DEFAULT_CREATED
    try:
        seconds = parse_timestamp(record["createdAt"]) / 1000
    except (ValueError, OverflowError):
        raise RecordRejected(f"{path}.createdAt", "must be a valid date-time") from None
    return lambda: seconds


def counts(workspace: VitallyWorkspace) -> dict[str, int]:
    """Records per kind: what a load or a reseed made."""
    return {**{kind: len(getattr(workspace, kind)) for kind in KINDS}, "messages": len(workspace.messages)}
