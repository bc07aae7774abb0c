"""Monica's part of a data set, and what a new Monica account starts with.

A new account (an empty tenant, or one a data set fills) has the three default
genders, the seven default contact field types and the account owner's `me` contact, as Monica's registration
makes them. A data set adds contact field types, contacts (with contact fields) and
conversations (with messages), each through the account's own functions, so they pass
the API's rules: a conversation body is POST /api/conversations' body, a message
POST /api/conversations/{id}/messages' body, a contact the fields of
POST /__mockserver/monica/contacts. What only a data set may say: `id` (the record's
id, so the file can refer to it: ids are global as in Monica's database, and the
sequence continues after the highest), `created_at`, and a contact's `contactFields`.

A contact with `is_active: false` is archived after its conversations are added:
Monica refuses writes on an archived contact's conversations, not their existence.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Callable, Mapping

from ..errors import RecordRejected
from ..seeding import SEED_EPOCH
from .errors import MonicaError
from .models import DEFAULT_CONTACT_FIELD_TYPES, MonicaAccount, MonicaWorld, utc_now

# The owner's contact of a new account when a data set does not describe it (`me`).
DEFAULT_ME: Mapping[str, Any] = {"first_name": "Account", "last_name": "Owner"}
DEFAULT_CREATED = SEED_EPOCH.replace(tzinfo=None)  # a record without created_at: the same instant on every run
DATA_SET_ONLY = ("id", "created_at", "contactFields", "messages", "conversation_id")
ID_KINDS = {"contactFieldTypes": "contact_field_types", "contacts": "contacts", "conversations": "conversations"}

AccountSpecs = dict[str, tuple[str, Mapping[str, Any]]]  # token -> (JSON path, the account's section)


def data_set_tokens(data: Mapping[str, Any]) -> list[str]:
    """The tokens a data set names, in file order."""
    return [spec["token"] for spec in data.get("accounts", ()) if "token" in spec]


def account_specs(data: Mapping[str, Any], default_token: str) -> AccountSpecs:
    """Each described account by token; an account without `token` is the server's first."""
    specs: AccountSpecs = {}
    for i, spec in enumerate(data.get("accounts", ())):
        where = f"accounts[{i}]"
        token = spec.get("token", default_token)
        if token in specs:
            raise RecordRejected(where, f"the account of token {token} is already described at $.monica.{specs[token][0]}")
        specs[token] = (where, spec)
    return specs


def open_account(account: MonicaAccount, me: Mapping[str, Any] | None = None) -> None:
    """What a new Monica account has: the default genders and contact field types, and the `me` contact."""
    account.clock = lambda: DEFAULT_CREATED
    try:
        account.populate_default_genders(DEFAULT_CREATED)
        for name, icon, protocol, delible, kind in DEFAULT_CONTACT_FIELD_TYPES:
            account.create_contact_field_type({"name": name, "fontawesome_icon": icon, "protocol": protocol, "delible": int(delible), "type": kind})
        account.me_contact_id = account.create_contact(**(me or DEFAULT_ME)).id
    finally:
        account.clock = utc_now


def fill_accounts(world: MonicaWorld, specs: AccountSpecs) -> None:
    """Add each described account's records (the accounts are open already)."""
    ids = _Ids(world, _planned_ids(specs))
    for token, (where, spec) in specs.items():
        account = world.accounts[token]
        try:
            _fill(account, spec, where, ids)
        finally:
            account.clock = utc_now


def counts(account: MonicaAccount) -> dict[str, int]:
    return {
        "contacts": len(account.contacts), "contact_field_types": len(account.contact_field_types),
        "contact_fields": len(account.contact_fields), "conversations": len(account.conversations), "messages": len(account.messages),
    }


def _fill(account: MonicaAccount, spec: Mapping[str, Any], where: str, ids: "_Ids") -> None:
    for j, record in enumerate(spec.get("contactFieldTypes", ())):
        path = f"{where}.contactFieldTypes[{j}]"
        _create(account, record, path, ids, "contact_field_types", lambda r: account.create_contact_field_type(_body(r)))
    archive: list[int] = []
    for j, record in enumerate(spec.get("contacts", ())):
        path = f"{where}.contacts[{j}]"
        # Created active, archived once its conversations are in.
        contact = _create(account, record, path, ids, "contacts", lambda r: account.create_contact(**{**_body(r), "is_active": True}))
        if record.get("is_active") is False:
            archive.append(contact.id)
        for k, item in enumerate(record.get("contactFields", ())):
            type_id = item["contact_field_type_id"]
            if type_id not in account.contact_field_types:
                raise RecordRejected(f"{path}.contactFields[{k}].contact_field_type_id", f"this account has no contact field type {type_id}")
            account.add_contact_field(contact.id, type_id, item["data"])
    for j, record in enumerate(spec.get("conversations", ())):
        path = f"{where}.conversations[{j}]"
        for name, table in (("contact_id", account.contacts), ("contact_field_type_id", account.contact_field_types)):
            if record[name] not in table:
                raise RecordRejected(f"{path}.{name}", f"this account has no {name[:-3].replace('_', ' ')} {record[name]}")
        conversation = _create(account, record, path, ids, "conversations", lambda r: account.create_conversation(_body(r)))
        for k, message in enumerate(record.get("messages", ())):
            message_path = f"{path}.messages[{k}]"
            _create(account, {"created_at": record.get("created_at"), **message, "conversation_id": conversation.id}, message_path, ids,
                    "messages", lambda r: account.add_message(r["conversation_id"], _body(r)))
    for contact_id in archive:
        account.set_contact_active(contact_id, False)


def _body(record: Mapping[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in record.items() if name not in DATA_SET_ONLY}


def _create(account: MonicaAccount, record: Mapping[str, Any], path: str, ids: "_Ids", kind: str, make: Callable[[Mapping[str, Any]], Any]) -> Any:
    account.clock = _instant(record.get("created_at"), path)
    try:
        return ids.create(kind, record.get("id"), path, lambda: make(record))
    except MonicaError as error:
        message = error.message if isinstance(error.message, str) else " ".join(error.message)
        raise RecordRejected(path, message) from None
    except ValueError as error:  # the contact setup function's own checks
        raise RecordRejected(path, str(error)) from None


def _instant(value: str | None, path: str) -> Callable[[], datetime]:
    """The account clock while a record is created: its created_at (UTC wall clock, whole seconds)."""
    if value is None:
        return lambda: DEFAULT_CREATED
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise RecordRejected(f"{path}.created_at", "must be a valid date-time") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    moment = moment.replace(microsecond=0)
    return lambda: moment


def _planned_ids(specs: AccountSpecs) -> dict[str, dict[int, str]]:
    """Every id the file gives, by kind, with where: a record without one never takes them."""
    planned: dict[str, dict[int, str]] = {kind: {} for kind in (*ID_KINDS.values(), "messages")}

    def claim(kind: str, record: Mapping[str, Any], path: str) -> None:
        if "id" in record:
            if record["id"] in planned[kind]:
                raise RecordRejected(f"{path}.id", f"id {record['id']} is already given at $.monica.{planned[kind][record['id']]}")
            planned[kind][record["id"]] = f"{path}.id"

    for where, spec in specs.values():
        for key, kind in ID_KINDS.items():
            for j, record in enumerate(spec.get(key, ())):
                claim(kind, record, f"{where}.{key}[{j}]")
        for j, record in enumerate(spec.get("conversations", ())):
            for k, message in enumerate(record.get("messages", ())):
                claim("messages", message, f"{where}.conversations[{j}].messages[{k}]")
    return planned


class _Ids:
    """Ids as MySQL hands them out when some rows bring their own: an explicit id must be
    free, the sequence then continues after the highest; the others skip the given ones."""

    def __init__(self, world: MonicaWorld, planned: dict[str, dict[int, str]]) -> None:
        self.world = world
        self.planned = planned

    def create(self, kind: str, wanted: int | None, path: str, make: Callable[[], Any]) -> Any:
        sequence = self.world.ids
        if wanted is None:
            while sequence.next_ids[kind] in self.planned[kind]:
                sequence.set_next(kind, sequence.next_ids[kind] + 1)
            return make()
        if self.world.exists(kind, wanted):
            raise RecordRejected(f"{path}.id", f"id {wanted} is already used (every account starts with its contact field types and its me contact)")
        resume = sequence.next_ids[kind]
        sequence.set_next(kind, wanted)
        try:
            return make()
        finally:
            sequence.set_next(kind, max(resume, wanted + 1))
