"""Vitally's state and rules: workspaces of organizations, accounts, users, admins,
conversations and messages. Nothing here knows HTTP; errors are VitallyError.

Records are frozen, slotted dataclasses (their traits frozen mappings) that are
replaced, never mutated, once stored (see mockserver.store): that is what makes
snapshots and reset() cheap.
"""
from __future__ import annotations

import random
import re
import time
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any, Callable, Iterable, Iterator, Sequence

from ..seeding import seeded_uuid
from ..store import FrozenDict, R, Table, TenantState, freeze
from .errors import BadRequest, NotFound

Key = tuple[int, int]  # (milliseconds since the epoch, sequence): unique per record
Participant = tuple[str, str]  # ("admin" | "user", id)

SORT_FIELDS = ("updatedAt", "createdAt")
ACCOUNT_STATUSES = ("active", "churned", "activeOrChurned")
MAX_LIMIT = 100

# Set "via traits" per Vitally's docs; mirrored as top-level fields of the object.
TRAIT_FIELDS = ("mrr", "nextRenewalDate", "churnedAt", "trialEndDate")


@lru_cache(maxsize=65_536)  # a list page formats 200 of them; the same ones, page after page
def iso_ms(ms: int) -> str:
    """ISO-8601 UTC with milliseconds, as Vitally writes it: 2020-12-11T20:16:27.370Z."""
    moment = datetime.fromtimestamp(ms / 1000, tz=timezone.utc)
    # %Y does not pad years before 1000 on every platform: pad by hand.
    return f"{moment.year:04d}-{moment:%m-%dT%H:%M:%S}.{ms % 1000:03d}Z"


_OFFSET = re.compile(r"([+-])(\d{2}):?(\d{2})$")
# What iso_ms can write back: years 0001 to 9999 in UTC.
_MIN_MS = int(datetime(1, 1, 1, tzinfo=timezone.utc).timestamp() * 1000)
_MAX_MS = int(datetime(9999, 12, 31, 23, 59, 59, 999000, tzinfo=timezone.utc).timestamp() * 1000)


def parse_timestamp(value: str) -> int:
    """An ISO-8601 string (any offset, `Z` allowed) to UTC milliseconds.

    Raises ValueError for what is not a real instant: an offset of 24 hours or more,
    minutes of 60 or more, or a moment that falls outside years 1-9999 once in UTC.
    """
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    offset = _OFFSET.search(text)
    if offset is not None and (int(offset.group(2)) > 23 or int(offset.group(3)) > 59):
        raise ValueError(f"invalid UTC offset in {value!r}")
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    ms = int(moment.timestamp() * 1000)
    if not _MIN_MS <= ms <= _MAX_MS:
        raise ValueError(f"{value!r} is out of range")
    return ms


def checked_timestamp(value: str, where: str) -> int:
    """parse_timestamp, answering a bad value with a 400 that names the field."""
    try:
        return parse_timestamp(value)
    except (ValueError, OverflowError):
        raise BadRequest(f"{where} must be a valid date-time") from None


def merge_traits(old: FrozenDict, changes: dict[str, Any] | None) -> FrozenDict:
    """Merge as Vitally documents it: given keys replace, `null` removes, others stay."""
    if not changes:
        return old
    merged = dict(old)
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return freeze(merged)  # type: ignore[no-any-return]


NO_TRAITS = FrozenDict()


def atomic(method: Callable[..., Any]) -> Callable[..., Any]:
    """A rejected write leaves no trace, not even a consumed id or sequence number."""

    def wrapper(self: "VitallyWorkspace", *args: Any, **kwargs: Any) -> Any:
        rng_state, seq = self.rng.getstate(), self.seq
        try:
            return method(self, *args, **kwargs)
        except Exception:
            self.rng.setstate(rng_state)
            self.seq = seq
            raise

    wrapper.__name__ = method.__name__
    wrapper.__doc__ = method.__doc__
    return wrapper


# -- records -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Organization:
    id: str
    external_id: str | None
    name: str
    traits: FrozenDict
    created: Key
    updated: Key
    owner_id: str | None = None
    first_paid_date: str | None = None
    health_score: float | None = None
    nps: tuple[int, int, int] = (0, 0, 0)  # detractors, passives, promoters


@dataclass(frozen=True, slots=True)
class Account:
    id: str
    external_id: str | None
    name: str
    traits: FrozenDict
    created: Key
    updated: Key
    organization_id: str | None = None
    owner_id: str | None = None
    first_seen: str | None = None
    last_seen: str | None = None
    last_inbound: str | None = None
    last_outbound: str | None = None
    health_score: float | None = None
    nps: tuple[int, int, int] = (0, 0, 0)


@dataclass(frozen=True, slots=True)
class User:
    id: str
    external_id: str | None
    name: str | None
    email: str | None
    traits: FrozenDict
    created: Key
    updated: Key
    account_ids: tuple[str, ...] = ()
    organization_ids: tuple[str, ...] = ()
    avatar: str | None = None
    join_date: str | None = None
    first_known: str | None = None
    last_seen: str | None = None
    last_inbound: str | None = None
    last_outbound: str | None = None
    unsubscribed: bool = False
    deactivated_at: str | None = None
    nps_last: tuple[int | None, str | None, str | None] = (None, None, None)  # score, feedback, at


@dataclass(frozen=True, slots=True)
class Admin:
    id: str
    name: str
    email: str
    license_status: str
    created: Key
    updated: Key
    external_id: None = None


@dataclass(frozen=True, slots=True)
class Message:
    id: str
    conversation_id: str
    external_id: str
    body: str
    timestamp_ms: int
    sender: Participant
    to: tuple[Participant, ...]
    cc: tuple[Participant, ...] = ()
    bcc: tuple[Participant, ...] = ()
    external_url: str | None = None

    def participants(self) -> Iterator[Participant]:
        yield self.sender
        yield from self.to
        yield from self.cc
        yield from self.bcc


@dataclass(frozen=True, slots=True)
class Conversation:
    id: str
    external_id: str | None
    subject: str | None
    traits: FrozenDict
    created: Key
    updated: Key
    message_ids: tuple[str, ...] = ()  # sorted by (timestamp, id)
    # Participants, derived from the messages: sorted tuples, a third of a frozenset's
    # memory (216 bytes each), which counts at 100k conversations.
    user_ids: tuple[str, ...] = ()
    admin_ids: tuple[str, ...] = ()
    external_url: str | None = None
    status: str | None = None
    rating: str | None = None
    source: str | None = None


@dataclass
class Page:
    items: list[Any]
    next_key: Key | None  # key of the last item, when more items follow


# -- the workspace -------------------------------------------------------------


class VitallyWorkspace(TenantState):
    """One API key's data. Callers hold the store lock around every method."""

    def __init__(self, api_key: str, rng: random.Random, clock: Callable[[], float] = time.time) -> None:
        self.api_key = api_key
        self.clock = clock
        self.rng = rng  # also the id generator: reset() restores the id sequence with it
        self.seq = 0
        self.organizations: Table[Organization] = Table()
        self.accounts: Table[Account] = Table()
        self.users: Table[User] = Table()
        self.admins: Table[Admin] = Table()
        self.conversations: Table[Conversation] = Table()
        self.messages: dict[str, Message] = {}

    # -- keys and ids --
    def new_id(self, wanted: str | None = None) -> str:
        """A fresh id from the seeded rng, or `wanted` (a data set's own id) if no record has it."""
        if wanted is None:
            return seeded_uuid(self.rng)
        tables = (self.organizations, self.accounts, self.users, self.admins, self.conversations)
        if wanted in self.messages or any(wanted in table.rows for table in tables):
            raise BadRequest(f"id {wanted} is already used by another record")
        return wanted

    def key(self, ms: int | None = None) -> Key:
        self.seq += 1
        return (int(self.clock() * 1000) if ms is None else ms, self.seq)

    # -- lookups --
    def _get(self, table: Table[R], kind: str, id_or_external: str, external_ok: bool = True) -> R:
        found = table.find(id_or_external) if external_ok else table.get(id_or_external)
        if found is None:
            raise NotFound(f"{kind} {id_or_external} not found")
        return found

    def organization(self, ref: str, external_ok: bool = True) -> Organization:
        return self._get(self.organizations, "Organization", ref, external_ok)

    def account(self, ref: str, external_ok: bool = True) -> Account:
        return self._get(self.accounts, "Account", ref, external_ok)

    def user(self, ref: str, external_ok: bool = True) -> User:
        return self._get(self.users, "User", ref, external_ok)

    def conversation(self, ref: str) -> Conversation:
        return self._get(self.conversations, "Conversation", ref)

    def message(self, message_id: str) -> Message:
        found = self.messages.get(message_id)
        if found is None:
            raise NotFound(f"Message {message_id} not found")
        return found

    def admin_by_email(self, email: str) -> Admin:
        wanted = email.strip().lower()
        for admin in self.admins:
            if admin.email.lower() == wanted:
                return admin
        raise NotFound(f"Admin with email {email} not found")

    # -- pagination --
    def page(
        self,
        table: Table[Any],
        sort_by: str,
        limit: int,
        after: Key | None = None,
        keep: Callable[[Any], bool] | None = None,
        ids: Iterable[str] | None = None,
    ) -> Page:
        """Newest first by `sort_by`, strictly after the cursor key `after`.

        Keyset pagination on unique (time, sequence) keys: items that existed when
        paging started are neither skipped nor repeated while others are created.
        With `ids` (a small related set) only those rows are sorted; otherwise the
        sorted index is walked, so a page costs O(limit) plus what `keep` rejects.
        """
        attr = "created" if sort_by == "createdAt" else "updated"
        if ids is not None:
            rows = [table.rows[i] for i in ids if i in table.rows]
            rows.sort(key=lambda r: getattr(r, attr), reverse=True)
            walk: Iterable[tuple[Key, Any]] = ((getattr(r, attr), r) for r in rows if after is None or getattr(r, attr) < after)
        else:
            walk = ((k, table.rows[i]) for k, i in table.index(sort_by).descending(after))
        items: list[Any] = []
        last: Key | None = None
        for item_key, row in walk:
            if keep is not None and not keep(row):
                continue
            if len(items) == limit:
                return Page(items, last)
            items.append(row)
            last = item_key
        return Page(items, None)

    # -- organizations --
    @atomic
    def create_organization(self, body: dict[str, Any], *, record_id: str | None = None) -> Organization:
        self._unique(self.organizations, "organization", body["externalId"])
        stamp = self.key()
        org = Organization(
            id=self.new_id(record_id),
            external_id=body["externalId"],
            name=body["name"],
            traits=merge_traits(NO_TRAITS, body.get("traits")),
            created=stamp,
            updated=stamp,
            owner_id=body.get("organizationOwnerId"),
        )
        self.organizations.insert(org)
        return org

    @atomic
    def update_organization(self, ref: str, body: dict[str, Any]) -> Organization:
        old = self.organization(ref)
        self._same_external_id(old, body)
        changes: dict[str, Any] = {"traits": merge_traits(old.traits, body.get("traits")), "updated": self.key()}
        if "name" in body:
            changes["name"] = body["name"]
        if "organizationOwnerId" in body:
            changes["owner_id"] = body["organizationOwnerId"]
        new = replace(old, **changes)
        self.organizations.replace(old, new)
        return new

    def organization_accounts(self, org: Organization) -> list[Account]:
        return [a for a in self.accounts if a.organization_id == org.id]

    def organization_user_ids(self, org: Organization) -> set[str]:
        """Users linked to the organization directly or through one of its accounts."""
        account_ids = {a.id for a in self.organization_accounts(org)}
        return {u.id for u in self.users if org.id in u.organization_ids or account_ids.intersection(u.account_ids)}

    # -- accounts --
    @atomic
    def create_account(self, body: dict[str, Any], *, record_id: str | None = None) -> Account:
        self._unique(self.accounts, "account", body["externalId"])
        org_id = body.get("organizationId")
        if org_id is not None:
            org_id = self._reference(self.organizations, "organizationId", "Organization", org_id)
        stamp = self.key()
        account = Account(
            id=self.new_id(record_id),
            external_id=body["externalId"],
            name=body["name"],
            traits=merge_traits(NO_TRAITS, body.get("traits")),
            created=stamp,
            updated=stamp,
            organization_id=org_id,
            owner_id=body.get("accountOwnerId"),
        )
        self.accounts.insert(account)
        return account

    @atomic
    def update_account(self, ref: str, body: dict[str, Any]) -> Account:
        old = self.account(ref)
        self._same_external_id(old, body)
        changes: dict[str, Any] = {"traits": merge_traits(old.traits, body.get("traits")), "updated": self.key()}
        if "name" in body:
            changes["name"] = body["name"]
        if "organizationId" in body:
            org_id = body["organizationId"]
            changes["organization_id"] = None if org_id is None else self._reference(self.organizations, "organizationId", "Organization", org_id)
        if "accountOwnerId" in body:
            changes["owner_id"] = body["accountOwnerId"]
        new = replace(old, **changes)
        self.accounts.replace(old, new)
        return new

    @staticmethod
    def account_status(account: Account) -> str:
        # Our inference: an account is churned when its churnedAt trait is set.
        return "churned" if account.traits.get("churnedAt") is not None else "active"

    def account_user_ids(self, account: Account) -> list[str]:
        return [u.id for u in self.users if account.id in u.account_ids]

    # -- users --
    @atomic
    def create_user(self, body: dict[str, Any], *, record_id: str | None = None) -> User:
        self._unique(self.users, "user", body["externalId"])
        account_ids, org_ids = self._user_links(body, (), ())
        stamp = self.key()
        user = User(
            id=self.new_id(record_id),
            external_id=body["externalId"],
            name=body.get("name"),
            email=body.get("email"),
            traits=merge_traits(NO_TRAITS, body.get("traits")),
            created=stamp,
            updated=stamp,
            account_ids=account_ids,
            organization_ids=org_ids,
            avatar=body.get("avatar"),
            join_date=_normalise_time(body.get("joinDate"), "joinDate"),
            first_known=iso_ms(stamp[0]),
            unsubscribed=bool(body.get("unsubscribedFromConversations", False)),
        )
        self.users.insert(user)
        return user

    @atomic
    def update_user(self, ref: str, body: dict[str, Any]) -> User:
        old = self.user(ref)
        self._same_external_id(old, body)
        account_ids, org_ids = self._user_links(body, old.account_ids, old.organization_ids)
        changes: dict[str, Any] = {
            "traits": merge_traits(old.traits, body.get("traits")),
            "updated": self.key(),
            "account_ids": account_ids,
            "organization_ids": org_ids,
        }
        for field_name, attr in (("name", "name"), ("email", "email"), ("avatar", "avatar")):
            if field_name in body:
                changes[attr] = body[field_name]
        if "joinDate" in body:
            changes["join_date"] = _normalise_time(body["joinDate"], "joinDate")
        if "unsubscribedFromConversations" in body:
            changes["unsubscribed"] = bool(body["unsubscribedFromConversations"])
        new = replace(old, **changes)
        self.users.replace(old, new)
        return new

    def _user_links(self, body: dict[str, Any], accounts: tuple[str, ...], orgs: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        if "accountIds" in body:
            accounts = tuple(dict.fromkeys(
                self._reference(self.accounts, f"accountIds[{i}]", "Account", ref) for i, ref in enumerate(body["accountIds"] or [])
            ))
        if "organizationIds" in body:
            orgs = tuple(dict.fromkeys(
                self._reference(self.organizations, f"organizationIds[{i}]", "Organization", ref) for i, ref in enumerate(body["organizationIds"] or [])
            ))
        return accounts, orgs

    def search_users(self, field_name: str, value: str) -> list[User]:
        wanted = value.strip().lower()
        if field_name == "externalId":
            found = self.users.by_external.get(value)
            return [self.users.rows[found]] if found else []
        if field_name == "email":
            return [u for u in self.users if (u.email or "").lower() == wanted]
        # emailSubdomain: the part after "@", e.g. "acme.com"
        return [u for u in self.users if (u.email or "").lower().partition("@")[2] == wanted]

    # -- admins (read-only over REST: made by seeding, data sets and test setup) --
    @atomic
    def create_admin(self, body: dict[str, Any], *, record_id: str | None = None) -> Admin:
        """An admin from `{name, email, licenseStatus}`; emails are unique (admins/search finds one)."""
        email = body["email"]
        if any(admin.email.lower() == email.strip().lower() for admin in self.admins):
            raise BadRequest(f"An admin with email {email} already exists")
        stamp = self.key()
        admin = Admin(
            id=self.new_id(record_id),
            name=body["name"],
            email=email,
            license_status=body.get("licenseStatus", "active"),
            created=stamp,
            updated=stamp,
        )
        self.admins.insert(admin)
        return admin

    # -- conversations --
    @atomic
    def create_conversation(self, body: dict[str, Any], *, record_id: str | None = None,
                            message_ids: Sequence[str | None] = ()) -> Conversation:
        """`message_ids`: a data set's own ids for the body's messages, by position."""
        self._unique(self.conversations, "conversation", body["externalId"])
        stamp = self.key()
        conversation = Conversation(
            id=self.new_id(record_id),
            external_id=body["externalId"],
            subject=body.get("subject"),
            traits=merge_traits(NO_TRAITS, body.get("traits")),
            created=stamp,
            updated=stamp,
            external_url=body.get("externalUrl"),
        )
        incoming = self._check_new_messages(conversation, body.get("messages") or [], "messages", ids=message_ids)
        self.conversations.insert(conversation)
        return self._store_messages(conversation, incoming, stamp)

    @atomic
    def update_conversation(self, ref: str, body: dict[str, Any]) -> Conversation:
        old = self.conversation(ref)
        self._same_external_id(old, body)
        by_external = {self.messages[m].external_id: self.messages[m] for m in old.message_ids}
        planned: list[Message] = []
        in_body: set[str] = set()
        for i, item in enumerate(body.get("messages") or []):
            if item["externalId"] in in_body:
                raise BadRequest(f"messages[{i}].externalId {item['externalId']} appears more than once in messages")
            in_body.add(item["externalId"])
            existing = by_external.get(item["externalId"])
            if existing is None:
                planned.extend(self._check_new_messages(old, [item], f"messages[{i}]", single=True, taken=by_external))
            else:
                planned.append(self._updated_message(existing, item, f"messages[{i}]"))
            by_external[item["externalId"]] = planned[-1]
        stamp = self.key()
        changes: dict[str, Any] = {"traits": merge_traits(old.traits, body.get("traits")), "updated": stamp}
        if "subject" in body:
            changes["subject"] = body["subject"]
        if "externalUrl" in body:
            changes["external_url"] = body["externalUrl"]
        new = replace(old, **changes)
        self.conversations.replace(old, new)
        return self._store_messages(new, planned, stamp)

    @atomic
    def delete_conversation(self, ref: str) -> Conversation:
        conversation = self.conversation(ref)
        for message_id in conversation.message_ids:
            del self.messages[message_id]
        self.conversations.delete(conversation)
        return conversation

    @atomic
    def add_message(self, conversation_ref: str, body: dict[str, Any]) -> Message:
        conversation = self.conversation(conversation_ref)
        taken = {self.messages[m].external_id: self.messages[m] for m in conversation.message_ids}
        [message] = self._check_new_messages(conversation, [body], "", single=True, taken=taken)
        self._store_messages(conversation, [message], self.key())
        return message

    @atomic
    def delete_message(self, message_id: str) -> Message:
        message = self.message(message_id)
        del self.messages[message.id]
        old = self.conversations.rows[message.conversation_id]
        remaining = [self.messages[m] for m in old.message_ids if m != message.id]
        user_ids, admin_ids = self.participants_of(remaining)
        new = replace(old, message_ids=tuple(m.id for m in remaining), updated=self.key(), user_ids=user_ids, admin_ids=admin_ids)
        self.conversations.replace(old, new)
        return message

    def conversation_messages(self, conversation: Conversation) -> list[Message]:
        return [self.messages[m] for m in conversation.message_ids]

    def conversation_account_ids(self, conversation: Conversation) -> list[str]:
        """Accounts are associated implicitly through the users in the messages."""
        found: dict[str, None] = {}
        for user_id in conversation.user_ids:  # sorted
            user = self.users.rows.get(user_id)
            if user is not None:
                found.update(dict.fromkeys(user.account_ids))
        return list(found)

    def conversation_organization_ids(self, conversation: Conversation) -> set[str]:
        orgs: set[str] = set()
        for user_id in conversation.user_ids:
            user = self.users.rows.get(user_id)
            if user is not None:
                orgs.update(user.organization_ids)
        for account_id in self.conversation_account_ids(conversation):
            account = self.accounts.rows.get(account_id)
            if account is not None and account.organization_id:
                orgs.add(account.organization_id)
        return orgs

    # -- message rules --
    def _check_new_messages(
        self,
        conversation: Conversation,
        items: list[dict[str, Any]],
        path: str,
        single: bool = False,
        taken: dict[str, Message] | None = None,
        ids: Sequence[str | None] = (),
    ) -> list[Message]:
        """Build messages from request items, checking what a schema cannot."""
        seen = dict(taken or {})
        built = []
        for i, item in enumerate(items):
            where = path if single else f"{path}[{i}]"
            prefix = f"{where}." if where else ""
            for required in ("message", "from", "to"):
                if required not in item:
                    raise BadRequest(f"{prefix}{required} is required")
            if item["externalId"] in seen:
                raise BadRequest(f"{prefix}externalId {item['externalId']} is already used by another message of this conversation")
            message = Message(
                id=self.new_id(ids[i] if i < len(ids) else None),
                conversation_id=conversation.id,
                external_id=item["externalId"],
                body=item["message"],
                timestamp_ms=checked_timestamp(item["timestamp"], f"{prefix}timestamp") if "timestamp" in item else int(self.clock() * 1000),
                sender=self._participant(item["from"], f"{prefix}from"),
                to=self._participant_list(item.get("to"), f"{prefix}to"),
                cc=self._participant_list(item.get("cc"), f"{prefix}cc"),
                bcc=self._participant_list(item.get("bcc"), f"{prefix}bcc"),
                external_url=item.get("externalUrl"),
            )
            seen[message.external_id] = message
            built.append(message)
        return built

    def _updated_message(self, existing: Message, item: dict[str, Any], where: str) -> Message:
        changes: dict[str, Any] = {}
        if "message" in item:
            changes["body"] = item["message"]
        if "timestamp" in item:
            changes["timestamp_ms"] = checked_timestamp(item["timestamp"], f"{where}.timestamp")
        if "from" in item:
            changes["sender"] = self._participant(item["from"], f"{where}.from")
        for name in ("to", "cc", "bcc"):
            if name in item:
                changes[name] = self._participant_list(item[name], f"{where}.{name}")
        if "externalUrl" in item:
            changes["external_url"] = item["externalUrl"]
        return replace(existing, **changes)

    def _participant(self, value: dict[str, Any], where: str) -> Participant:
        kind, ref = value["type"], value["id"]
        table = self.users if kind == "user" else self.admins
        if ref not in table.rows:
            raise BadRequest(f"{where}.id: {kind} {ref} does not exist")
        return (kind, table.rows[ref].id)  # share the stored id string

    def _participant_list(self, values: list[dict[str, Any]] | None, where: str) -> tuple[Participant, ...]:
        return tuple(self._participant(v, f"{where}[{i}]") for i, v in enumerate(values or []))

    def _store_messages(self, conversation: Conversation, messages: list[Message], stamp: Key) -> Conversation:
        if not messages:
            return conversation
        for message in messages:
            self.messages[message.id] = message
        current = self.conversations.rows[conversation.id]
        ids = dict.fromkeys(current.message_ids)
        ids.update(dict.fromkeys(m.id for m in messages))
        merged = [self.messages[m] for m in ids]
        merged.sort(key=lambda m: (m.timestamp_ms, m.id))
        user_ids, admin_ids = self.participants_of(merged)
        new = replace(current, message_ids=tuple(m.id for m in merged), updated=stamp, user_ids=user_ids, admin_ids=admin_ids)
        self.conversations.replace(current, new)
        return new

    @staticmethod
    def participants_of(messages: Iterable[Message]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The conversation's user ids and admin ids, each sorted."""
        users: set[str] = set()
        admins: set[str] = set()
        for message in messages:
            for kind, ref in message.participants():
                (users if kind == "user" else admins).add(ref)
        return tuple(sorted(users)), tuple(sorted(admins))

    # -- shared rules --
    def _unique(self, table: Table[Any], kind: str, external_id: str) -> None:
        if external_id in table.by_external:
            raise BadRequest(f"A {kind} with externalId {external_id} already exists")

    @staticmethod
    def _same_external_id(record: Any, body: dict[str, Any]) -> None:
        if "externalId" in body and body["externalId"] != record.external_id:
            raise BadRequest("externalId can only be set on create")

    @staticmethod
    def _reference(table: Table[Any], where: str, kind: str, ref: str) -> str:
        found = table.get(ref)
        if found is None:
            raise BadRequest(f"{where}: {kind} {ref} does not exist")
        record_id: str = found.id
        return record_id


def _normalise_time(value: str | None, where: str) -> str | None:
    return None if value is None else iso_ms(checked_timestamp(value, where))
