"""Monica's state and rules: accounts of contacts, contact field types, conversations
and messages. Nothing here knows HTTP; failures are MonicaError (or PhpError where
Monica itself crashes).

Ids are integers from ONE sequence per kind shared by all accounts of a server, and
`exists:` rules look across all accounts, as in Monica's single database. Everything
else is scoped to the caller's account. Records are frozen and replaced, never
mutated, once stored (see mockserver.store): that makes snapshots and reset() cheap.
"""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Iterator, Mapping

from ..store import SortedIndex, TenantState
from . import laravel
from .errors import ArchivedContact, MonicaError, NotFound, ValidationFailed

DEFAULT_PER_PAGE = 15  # Eloquent Model::$perPage; `limit` 0 or absent falls back to it
MAX_LIMIT = 100  # config('api.max_limit_per_page')
# ApiController::setSortCriteria's whitelist; a leading "-" means descending.
SORT_CRITERIA = (
    "created_at", "updated_at", "-created_at", "-updated_at", "completed_at", "-completed_at",
    "called_at", "-called_at", "favorited_at", "-favorited_at",
)
TIMESTAMP_COLUMNS = ("created_at", "updated_at")  # the only sortable columns our tables have

# database/migrations: the types every new account gets, in id order.
DEFAULT_CONTACT_FIELD_TYPES = (
    # name, fontawesome_icon, protocol, delible, type
    ("Email", "fa fa-envelope-open-o", "mailto:", False, "email"),
    ("Phone", "fa fa-volume-control-phone", "tel:", False, "phone"),
    ("Facebook", "fa fa-facebook-official", "https://facebook.com/", True, None),
    ("Twitter", "fa fa-twitter-square", None, True, None),
    ("Whatsapp", "fa fa-whatsapp", "https://wa.me/", True, None),
    ("Telegram", "fa fa-telegram", "telegram:", True, None),
    ("LinkedIn", "fa fa-linkedin-square", None, True, None),
)
# Account::populateDefaultGendersTable: (name, type).
GENDERS = {"M": ("Man", "M"), "F": ("Woman", "F"), "O": ("Rather not say", "O")}

ID_KINDS = ("accounts", "contacts", "contact_fields", "contact_field_types", "conversations", "messages")


def default_avatar_file(contact_uuid: str, created: datetime) -> str:
    """The file CreateContact's GenerateDefaultAvatar job stores for every new contact."""
    return f"avatars/{contact_uuid}.jpg?{int(created.replace(tzinfo=timezone.utc).timestamp())}"


def utc_now() -> datetime:
    """Now as MySQL stores it: UTC wall clock, whole seconds."""
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


# -- records -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SpecialDate:
    is_age_based: bool
    is_year_unknown: bool
    date: datetime


@dataclass(frozen=True, slots=True)
class Contact:
    id: int
    uuid: str
    account_id: int
    first_name: str
    created_at: datetime
    updated_at: datetime
    avatar_default_file: str  # GenerateDefaultAvatar's `avatars/<uuid>.jpg?<unix time>`
    middle_name: str | None = None
    last_name: str | None = None
    nickname: str | None = None
    description: str | None = None
    gender_type: str | None = None  # a key of GENDERS
    is_starred: bool = False
    is_partial: bool = False
    is_active: bool = True
    is_dead: bool = False
    avatar_source: str = "default"
    default_avatar_color: str = "#b3d5fe"
    birthdate: SpecialDate | None = None
    deceased_date: SpecialDate | None = None
    first_met_date: SpecialDate | None = None
    first_met_additional_info: str | None = None
    first_met_through_contact_id: int | None = None
    job: str | None = None
    company: str | None = None
    food_preferences: str | None = None
    stay_in_touch_frequency: int | None = None
    stay_in_touch_trigger_date: datetime | None = None
    last_talked_to: datetime | None = None

    @property
    def complete_name(self) -> str:
        """Contact::getNameAttribute with the default name order firstname_lastname."""
        name = self.first_name
        if self.middle_name is not None:
            name += " " + self.middle_name
        if self.last_name is not None:
            name += " " + self.last_name
        if self.is_dead:
            name += " \u26b0"
        return name.strip()


@dataclass(frozen=True, slots=True)
class ContactFieldType:
    id: int
    uuid: str
    account_id: int
    name: str
    fontawesome_icon: str | None
    protocol: str | None
    delible: bool
    type: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ContactField:
    id: int
    uuid: str
    account_id: int
    contact_id: int
    contact_field_type_id: int
    data: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Message:
    id: int
    uuid: str
    account_id: int
    contact_id: int
    conversation_id: int
    content: str
    written_at: datetime
    written_by_me: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Conversation:
    id: int
    uuid: str
    account_id: int
    contact_id: int
    contact_field_type_id: int
    happened_at: datetime
    created_at: datetime
    updated_at: datetime
    message_ids: tuple[int, ...] = ()  # in id order, as `$this->messages` loads them

    @property
    def created_key(self) -> tuple[datetime, int]:
        return (self.created_at, self.id)

    @property
    def updated_key(self) -> tuple[datetime, int]:
        return (self.updated_at, self.id)


@dataclass(frozen=True)
class PageRequest:
    """What the API controller hands to paginate(): per page, page, order."""

    per_page: int  # already defaulted; negative means "no LIMIT" as in Laravel, 0 too (a limit of -INF)
    page: int
    column: str = "created_at"
    descending: bool = False


@dataclass
class Page:
    items: list[Any]
    total: int
    per_page: int
    current_page: int

    @property
    def last_page(self) -> int:
        # LengthAwarePaginator: max((int) ceil($total / $perPage), 1); $perPage -INF gives 1
        if self.per_page == 0:
            return 1
        return max(-(-self.total // self.per_page) if self.per_page > 0 else int(self.total / self.per_page), 1)


Window = Callable[[int, "int | None"], list[Any]]  # (offset, limit or None for all) -> rows


def paginate(window: Window, total: int, request: PageRequest) -> Page:
    """`->paginate($perPage)`: skip (page-1)*perPage rows, take perPage (all when negative)."""
    if total == 0:
        return Page([], 0, request.per_page, request.page)
    if request.per_page <= 0:
        return Page(window(0, None), total, request.per_page, request.page)
    return Page(window((request.page - 1) * request.per_page, request.per_page), total, request.per_page, request.page)


def _list_window(rows: list[Any]) -> Window:
    return lambda offset, limit: rows[offset:] if limit is None else rows[offset:offset + limit]


def _like(pattern: str, text: str | None) -> bool:
    """MySQL LIKE under a case-insensitive collation."""
    if text is None:
        return False
    regex = "".join(".*" if ch == "%" else "." if ch == "_" else re.escape(ch) for ch in pattern)
    return re.fullmatch(regex, text, flags=re.IGNORECASE | re.DOTALL) is not None


def _check_sort(request: PageRequest) -> None:
    # The whitelist admits columns our tables lack: MySQL's "Unknown column" -> respondInvalidQuery.
    if request.column not in TIMESTAMP_COLUMNS:
        raise MonicaError(500, 40)


# -- id sequences, shared by the accounts of one server -------------------------


class IdSequences(TenantState):
    """The auto-increment counters of Monica's tables: one per kind, for all accounts."""

    def __init__(self) -> None:
        self.next_ids: dict[str, int] = {kind: 1 for kind in ID_KINDS}

    def take(self, kind: str) -> int:
        value = self.next_ids[kind]
        self.next_ids[kind] = value + 1
        return value


# -- one account -----------------------------------------------------------------


class MonicaAccount(TenantState):
    """One token's account. Callers hold the store lock around every method."""

    REFERENCES = ("world",)  # the server's database, not this account's state

    def __init__(self, world: "MonicaWorld", account_id: int, token: str, clock: Callable[[], datetime] = utc_now) -> None:
        self.world = world
        self.id = account_id
        self.token = token
        self.clock = clock
        self.me_contact_id: int | None = None
        self.contacts: dict[int, Contact] = {}
        self.contact_fields: dict[int, ContactField] = {}
        self.contact_field_types: dict[int, ContactFieldType] = {}
        self.conversations: dict[int, Conversation] = {}
        self.messages: dict[int, Message] = {}
        self.conversations_by_created = SortedIndex()
        self.conversations_by_updated = SortedIndex()
        self.conversations_by_contact: dict[int, tuple[int, ...]] = {}

    # -- storing records (also used by seeding) --
    def new_uuid(self) -> str:
        return str(uuid.uuid4())

    def store_contact(self, contact: Contact) -> Contact:
        self.contacts[contact.id] = contact
        return contact

    def store_contact_field_type(self, cft: ContactFieldType) -> ContactFieldType:
        self.contact_field_types[cft.id] = cft
        return cft

    def store_contact_field(self, field: ContactField) -> ContactField:
        self.contact_fields[field.id] = field
        return field

    def store_conversation(self, conversation: Conversation) -> Conversation:
        old = self.conversations.get(conversation.id)
        if old is not None:
            self.conversations_by_created.remove(old.created_key, old.id)
            self.conversations_by_updated.remove(old.updated_key, old.id)
        else:
            siblings = self.conversations_by_contact.get(conversation.contact_id, ())
            self.conversations_by_contact[conversation.contact_id] = siblings + (conversation.id,)
        self.conversations[conversation.id] = conversation
        self.conversations_by_created.add(conversation.created_key, conversation.id)
        self.conversations_by_updated.add(conversation.updated_key, conversation.id)
        return conversation

    def store_message(self, message: Message) -> Message:
        self.messages[message.id] = message
        conversation = self.conversations[message.conversation_id]
        if message.id not in conversation.message_ids:
            ids = tuple(sorted(conversation.message_ids + (message.id,)))
            self.store_conversation(replace(conversation, message_ids=ids))
        return message

    def _drop_conversation(self, conversation: Conversation) -> None:
        """The row and, by ON DELETE CASCADE, its messages."""
        for message_id in conversation.message_ids:
            self.messages.pop(message_id, None)
        del self.conversations[conversation.id]
        self.conversations_by_created.remove(conversation.created_key, conversation.id)
        self.conversations_by_updated.remove(conversation.updated_key, conversation.id)
        siblings = tuple(i for i in self.conversations_by_contact.get(conversation.contact_id, ()) if i != conversation.id)
        if siblings:
            self.conversations_by_contact[conversation.contact_id] = siblings
        else:
            self.conversations_by_contact.pop(conversation.contact_id, None)

    # -- scoped lookups (404 code 31) --
    def contact(self, raw_id: Any) -> Contact:
        found = self.contacts.get(laravel.mysql_id(raw_id))  # type: ignore[arg-type]
        if found is None:
            raise NotFound()
        return found

    def conversation(self, raw_id: Any) -> Conversation:
        found = self.conversations.get(laravel.mysql_id(raw_id))  # type: ignore[arg-type]
        if found is None:
            raise NotFound()
        return found

    def contact_field_type(self, raw_id: Any) -> ContactFieldType:
        found = self.contact_field_types.get(laravel.mysql_id(raw_id))  # type: ignore[arg-type]
        if found is None:
            raise NotFound()
        return found

    def conversation_messages(self, conversation: Conversation) -> list[Message]:
        return [self.messages[i] for i in conversation.message_ids]

    def contact_fields_of(self, contact: Contact) -> list[ContactField]:
        return [f for f in self.contact_fields.values() if f.contact_id == contact.id]

    def is_me(self, contact: Contact) -> bool:
        return contact.id == self.me_contact_id

    # -- contacts --
    def _ordered_contacts(self, contacts: Iterable[Contact], request: PageRequest) -> list[Contact]:
        _check_sort(request)
        return sorted(contacts, key=lambda c: (getattr(c, request.column), c.id), reverse=request.descending)

    def list_contacts(self, request: PageRequest) -> Page:
        """`contacts()->real()->active()->orderBy(...)`."""
        rows = self._ordered_contacts((c for c in self.contacts.values() if not c.is_partial and c.is_active), request)
        return paginate(_list_window(rows), len(rows), request)

    def search_contacts(self, needle: str, request: PageRequest) -> Page:
        """SearchHelper::searchContacts(...)->real(): `field:term` or words across columns."""
        field_search = re.fullmatch(r"(.+):(.+)", needle, flags=re.DOTALL)
        if field_search:
            field_name, term = field_search.groups()
            cft = next((t for t in self.contact_field_types.values() if _like(field_name, t.name)), None)
            type_id = cft.id if cft else 0
            owners = {f.contact_id for f in self.contact_fields.values() if f.contact_field_type_id == type_id and _like(term + "%", f.data)}
            found: Iterable[Contact] = (c for c in self.contacts.values() if c.id in owners)
        else:
            words = ["%" + word + "%" for word in needle.split(" ")]

            def matches(c: Contact) -> bool:
                columns = (c.first_name, c.middle_name, c.last_name, c.nickname, c.description, c.job)
                return any(_like(w, col) for w in words for col in columns)

            found = (c for c in self.contacts.values() if matches(c))
        rows = self._ordered_contacts((c for c in found if not c.is_partial), request)
        return paginate(_list_window(rows), len(rows), request)

    def create_contact(
        self,
        first_name: str,
        last_name: str | None = None,
        nickname: str | None = None,
        gender_type: str | None = None,
        is_partial: bool = False,
        is_active: bool = True,
        is_dead: bool = False,
        is_starred: bool = False,
        description: str | None = None,
        job: str | None = None,
        company: str | None = None,
    ) -> Contact:
        """Test setup (not Monica's API): a contact in this account, ids from the shared sequence."""
        if not isinstance(first_name, str) or not first_name.strip():
            raise ValueError("first_name must be a non-empty string")
        if gender_type is not None and gender_type not in GENDERS:
            raise ValueError(f"gender_type must be one of {', '.join(GENDERS)} or None")
        now = self.clock()
        contact_uuid = self.new_uuid()
        return self.store_contact(Contact(
            id=self.world.ids.take("contacts"),
            uuid=contact_uuid,
            account_id=self.id,
            avatar_default_file=default_avatar_file(contact_uuid, now),
            first_name=first_name.strip(),
            last_name=last_name,
            nickname=nickname,
            description=description,
            gender_type=gender_type,
            is_starred=is_starred,
            is_partial=is_partial,
            is_active=is_active,
            is_dead=is_dead,
            job=job,
            company=company,
            created_at=now,
            updated_at=now,
        ))

    def add_contact_field(self, contact_id: int, contact_field_type_id: int, data: str) -> ContactField:
        """Test setup: a contact field (an email, a phone...) of one of this account's types."""
        contact, cft = self.contact(contact_id), self.contact_field_type(contact_field_type_id)
        now = self.clock()
        return self.store_contact_field(ContactField(
            id=self.world.ids.take("contact_fields"), uuid=self.new_uuid(), account_id=self.id,
            contact_id=contact.id, contact_field_type_id=cft.id, data=data, created_at=now, updated_at=now,
        ))

    def set_contact_active(self, contact_id: int, is_active: bool) -> Contact:
        """Test setup: archive or unarchive a contact."""
        old = self.contact(contact_id)
        return self.store_contact(replace(old, is_active=is_active, updated_at=self.clock()))

    # -- conversations --
    def list_conversations(self, request: PageRequest, contact_id: Any = None) -> Page:
        """`account->conversations()[->where('contact_id', ..)]->orderBy(..)->paginate(..)`."""
        contact = self.contact(contact_id) if contact_id is not None else None  # firstOrFail: 404 first
        _check_sort(request)
        attr = "created_key" if request.column == "created_at" else "updated_key"
        if contact is not None:
            rows = [self.conversations[i] for i in self.conversations_by_contact.get(contact.id, ())]
            rows.sort(key=lambda c: getattr(c, attr), reverse=request.descending)
            return paginate(_list_window(rows), len(rows), request)
        index = self.conversations_by_created if attr == "created_key" else self.conversations_by_updated

        def window(offset: int, limit: int | None) -> list[Any]:
            ids = index.ids_at(offset, len(index) if limit is None else limit, request.descending)
            return [self.conversations[i] for i in ids]

        return paginate(window, len(index), request)

    def create_conversation(self, data: Mapping[str, Any]) -> Conversation:
        """CreateConversation::execute."""
        self._validate(data, (
            ("happened_at", "required|date"),
            ("account_id", "required|integer|exists:accounts"),
            ("contact_id", "required|integer|exists:contacts"),
            ("contact_field_type_id", "required|integer|exists:contact_field_types"),
        ))
        contact = self.contact(data["contact_id"])
        if not contact.is_active:
            raise ArchivedContact()
        cft = self.contact_field_type(data["contact_field_type_id"])
        now = self.clock()
        return self.store_conversation(Conversation(
            id=self.world.ids.take("conversations"),
            uuid=self.new_uuid(),
            account_id=self.id,
            contact_id=contact.id,
            contact_field_type_id=cft.id,
            happened_at=laravel.parse_date(data["happened_at"]),  # type: ignore[arg-type]
            created_at=now,
            updated_at=now,
        ))

    def update_conversation(self, conversation_id: Any, data: Mapping[str, Any]) -> Conversation:
        """UpdateConversation::execute: the id is checked by validation (422), then scoped (404)."""
        self._validate({**data, "conversation_id": conversation_id}, (
            ("account_id", "required|integer|exists:accounts"),
            ("happened_at", "required|date"),
            ("contact_field_type_id", "required|integer"),
            ("conversation_id", "required|integer|exists:conversations"),
        ))
        old = self.conversation(conversation_id)
        if not self.contacts[old.contact_id].is_active:
            raise ArchivedContact()
        cft = self.contact_field_type(data["contact_field_type_id"])
        happened_at = laravel.parse_date(data["happened_at"])
        if (happened_at, cft.id) == (old.happened_at, old.contact_field_type_id):
            return old  # Eloquent saves nothing, so updated_at stays, when nothing changed
        return self.store_conversation(replace(old, happened_at=happened_at, contact_field_type_id=cft.id, updated_at=self.clock()))  # type: ignore[arg-type]

    def delete_conversation(self, conversation_id: int) -> None:
        """DestroyConversation::execute."""
        self._validate({"conversation_id": conversation_id}, (
            ("account_id", "required|integer|exists:accounts"),
            ("conversation_id", "required|integer|exists:conversations"),
        ))
        conversation = self.conversation(conversation_id)
        if not self.contacts[conversation.contact_id].is_active:
            raise ArchivedContact()
        self._drop_conversation(conversation)

    # -- messages --
    def add_message(self, conversation_id: int, data: Mapping[str, Any]) -> Conversation:
        """ApiMessageController@store + AddMessageToConversation; answers the conversation."""
        parent = self.world.any_conversation(conversation_id)  # unscoped findOrFail: 404
        data = {**data, "contact_id": parent.contact_id, "conversation_id": parent.id}
        self._validate(data, (
            ("account_id", "required|integer|exists:accounts"),
            ("contact_id", "required|integer|exists:contacts"),
            ("conversation_id", "required|integer|exists:conversations"),
            ("written_at", "required|date"),
            ("written_by_me", "required|boolean"),
            ("content", "required|string"),
        ))
        contact = self.contact(parent.contact_id)
        if not contact.is_active:
            raise ArchivedContact()
        conversation = self.conversation(parent.id)
        now = self.clock()
        self.store_message(Message(
            id=self.world.ids.take("messages"),
            uuid=self.new_uuid(),
            account_id=self.id,
            contact_id=contact.id,
            conversation_id=conversation.id,
            content=data["content"],
            written_at=laravel.parse_date(data["written_at"]),  # type: ignore[arg-type]
            written_by_me=_truthy(data["written_by_me"]),
            created_at=now,
            updated_at=now,
        ))
        return self.conversations[conversation.id]

    def update_message(self, conversation_id: int, message_id: int, data: Mapping[str, Any]) -> Conversation:
        """ApiMessageController@update + UpdateMessage; answers the conversation."""
        parent = self.world.any_conversation(conversation_id)
        message = self.world.any_message(message_id)
        data = {**data, "contact_id": parent.contact_id, "conversation_id": conversation_id, "message_id": message.id}
        self._validate(data, (
            ("account_id", "required|integer|exists:accounts"),
            ("contact_id", "required|integer|exists:contacts"),
            ("conversation_id", "required|integer|exists:conversations"),
            ("message_id", "required|integer|exists:messages"),
            ("written_at", "required|date"),
            ("written_by_me", "required|boolean"),
            ("content", "required|string"),
        ))
        contact = self.contact(parent.contact_id)
        if not contact.is_active:
            raise ArchivedContact()
        conversation = self.conversation(parent.id)
        mine = self.messages.get(message.id)
        if mine is None or mine.conversation_id != conversation.id or mine.contact_id != contact.id:
            raise NotFound()
        changes = {
            "written_at": laravel.parse_date(data["written_at"]),
            "written_by_me": _truthy(data["written_by_me"]),
            "content": data["content"],
        }
        if any(getattr(mine, key) != value for key, value in changes.items()):
            self.store_message(replace(mine, **changes, updated_at=self.clock()))
        return self.conversations[conversation.id]

    def delete_message(self, conversation_id: int, message_id: int) -> None:
        """ApiMessageController@destroy + DestroyMessage."""
        self.world.any_conversation(conversation_id)
        self.world.any_message(message_id)
        self._validate({"conversation_id": conversation_id, "message_id": message_id}, (
            ("account_id", "required|integer|exists:accounts"),
            ("conversation_id", "required|integer|exists:conversations"),
            ("message_id", "required|integer|exists:messages"),
        ))
        conversation = self.conversation(conversation_id)
        message = self.messages.get(message_id)
        if message is None or message.conversation_id != conversation.id:
            raise NotFound()
        if not self.contacts[message.contact_id].is_active:
            raise ArchivedContact()
        del self.messages[message.id]
        self.store_conversation(replace(conversation, message_ids=tuple(i for i in conversation.message_ids if i != message.id)))

    # -- contact field types --
    def list_contact_field_types(self, request: PageRequest) -> Page:
        """`account->contactFieldTypes()->paginate(..)`: no orderBy, so id order; sort ignored."""
        rows = list(self.contact_field_types.values())
        return paginate(_list_window(rows), len(rows), request)

    def create_contact_field_type(self, data: Mapping[str, Any]) -> ContactFieldType:
        self._validate(data, CONTACT_FIELD_TYPE_RULES)
        columns = _contact_field_type_columns(data)
        now = self.clock()
        return self.store_contact_field_type(ContactFieldType(
            id=self.world.ids.take("contact_field_types"),
            uuid=self.new_uuid(),
            account_id=self.id,
            name=columns["name"],
            fontawesome_icon=columns.get("fontawesome_icon"),
            protocol=columns.get("protocol"),
            delible=columns.get("delible", True),  # column default 1
            type=columns.get("type"),
            created_at=now,
            updated_at=now,
        ))

    def update_contact_field_type(self, raw_id: Any, data: Mapping[str, Any]) -> ContactFieldType:
        old = self.contact_field_type(raw_id)  # 404 before validation
        self._validate(data, CONTACT_FIELD_TYPE_RULES)
        changes = _contact_field_type_columns(data)
        if all(getattr(old, key) == value for key, value in changes.items()):
            return old
        return self.store_contact_field_type(replace(old, **changes, updated_at=self.clock()))

    def delete_contact_field_type(self, raw_id: Any) -> int:
        """Its contact fields, then the type; the FK cascade takes its conversations and their messages."""
        cft = self.contact_field_type(raw_id)
        for field in [f for f in self.contact_fields.values() if f.contact_field_type_id == cft.id]:
            del self.contact_fields[field.id]
        for conversation in [c for c in self.conversations.values() if c.contact_field_type_id == cft.id]:
            self._drop_conversation(conversation)
        del self.contact_field_types[cft.id]
        return cft.id

    # -- validation --
    def _validate(self, data: Mapping[str, Any], rules: Iterable[tuple[str, str]]) -> None:
        # account_id is always the caller's: the controllers overwrite whatever the client sent.
        messages = laravel.validate({**data, "account_id": self.id}, tuple(rules), self.world.exists)
        if messages:
            raise ValidationFailed(messages)


CONTACT_FIELD_TYPE_RULES = (
    ("name", "required|max:255"),
    ("fontawesome_icon", "nullable|max:255"),
    ("protocol", "nullable|max:255"),
    ("delible", "integer"),
    ("type", "nullable|max:255"),
)


def _truthy(value: Any) -> bool:
    """A value the boolean rule accepted, as the tinyint column stores it."""
    return value in (True, 1, "1")


def _column_string(value: Any) -> str | None:
    """What a string column stores for a validated scalar; arrays cannot be bound."""
    if value is None:
        return None
    if isinstance(value, (list, dict)):
        raise laravel.PhpError("Array to string conversion")
    return laravel.php_string(value)


def _contact_field_type_columns(data: Mapping[str, Any]) -> dict[str, Any]:
    """`$request->only([...])`: the given columns only, as MySQL stores them."""
    columns: dict[str, Any] = {}
    for key in ("name", "fontawesome_icon", "protocol", "type"):
        if key in data:
            columns[key] = _column_string(data[key])
    if "delible" in data:
        columns["delible"] = laravel.filter_int(data["delible"]) != 0
    return columns


# -- all accounts of one server ------------------------------------------------------


class MonicaWorld:
    """Monica's single database for one server: the accounts, by token, and the id sequences."""

    def __init__(self) -> None:
        self.ids = IdSequences()
        self.accounts: dict[str, MonicaAccount] = {}

    def add_account(self, token: str, clock: Callable[[], datetime] = utc_now) -> MonicaAccount:
        account = MonicaAccount(self, self.ids.take("accounts"), token, clock)
        self.accounts[token] = account
        return account

    def _all(self, table: str) -> Iterator[dict[int, Any]]:
        for account in self.accounts.values():
            yield getattr(account, table)

    def exists(self, table: str, value: Any) -> bool:
        """The `exists:<table>,id` rule: global, with MySQL's string-to-number comparison."""
        wanted = laravel.mysql_id(value)
        if wanted is None:
            return False
        if table == "accounts":
            return any(account.id == wanted for account in self.accounts.values())
        return any(wanted in rows for rows in self._all(table))

    def any_conversation(self, conversation_id: int) -> Conversation:
        """`Conversation::findOrFail($id)` without account scope."""
        for rows in self._all("conversations"):
            if conversation_id in rows:
                found: Conversation = rows[conversation_id]
                return found
        raise NotFound()

    def any_message(self, message_id: int) -> Message:
        for rows in self._all("messages"):
            if message_id in rows:
                found: Message = rows[message_id]
                return found
        raise NotFound()
