"""Monica's state and rules: accounts of contacts (and their genders, contact fields
and labels), contact field types, conversations and messages. Nothing here knows
HTTP; failures are MonicaError (or PhpError where Monica itself crashes, or the
Laravel-handler errors where no controller catches).

Ids are integers from ONE sequence per kind shared by all accounts of a server, and
`exists:` rules look across all accounts, as in Monica's single database. Everything
else is scoped to the caller's account. Records are frozen and replaced, never
mutated, once stored (see mockserver.store): that makes snapshots and reset() cheap.

Contacts are soft-deleted (SoftDeletes): a deleted contact leaves `contacts` for
`trashed_contacts`, where only `exists:` rules still see it; its contact fields and
conversations keep their rows (Monica prunes them a week later, the fake never).

Each service method follows one of Monica's services step by step, in its order.
Monica runs them outside any transaction, so a step that fails after an earlier step
wrote leaves that write in place (a contact without its birthdate, avatar or email).
The answer here is Monica's, but by default the fake then undoes those writes
(`undone_on_error`), as it promises that a rejected request changes nothing; the
`monica_partial_writes` option keeps them, as Monica does.
"""
from __future__ import annotations

import functools
import random
import re
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, timezone
from typing import Any, Callable, Concatenate, Iterable, Iterator, Mapping, ParamSpec, TypeVar

from ..seeding import seeded_uuid
from ..store import SortedIndex, TenantState
from . import laravel
from .errors import ArchivedContact, ModelNotFound, MonicaError, NotFound, UncaughtValidation, ValidationFailed

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
# Account::populateDefaultGendersTable: (name, type), in id order (resources/lang/en/app.php names).
DEFAULT_GENDERS = (("Man", "M"), ("Woman", "F"), ("Rather not say", "O"))
GENDER_TYPES = ("M", "F", "O")  # CreateGender / UpdateGender: Rule::in([MALE, FEMALE, OTHER])

# Contact::setAvatarColor's palette.
AVATAR_COLORS = ("#fdb660", "#93521e", "#bd5067", "#b3d5fe", "#ff9807", "#709512", "#5f479a", "#e5e5cd")

# ContactFieldLabel::$standardLabels and their names (resources/lang/en/people.php contact_field_label_*).
STANDARD_LABELS = {"home": "Home", "work": "Work", "cell": "Mobile", "fax": "Fax", "pager": "Pager", "main": "Main", "other": "Other"}

CONTACT_MODEL = "App\\Models\\Contact\\Contact"  # as ModelNotFoundException names it

ID_KINDS = (
    "accounts", "users", "contacts", "contact_fields", "contact_field_types", "contact_field_labels", "conversations", "messages",
    "genders",
)


def default_avatar_file(contact_uuid: str, created: datetime) -> str:
    """The file the GenerateDefaultAvatar job stores: `avatars/<uuid>.jpg?<unix time>`."""
    return f"avatars/{contact_uuid}.jpg?{int(created.replace(tzinfo=timezone.utc).timestamp())}"


def avatar_color(contact_id: int) -> str:
    """setAvatarColor() picks from the palette at random (mt_rand); the fake by id."""
    return AVATAR_COLORS[contact_id % len(AVATAR_COLORS)]


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
class Gender:
    id: int
    account_id: int
    name: str
    type: str  # M, F, O (U and N exist in Monica's list; the API cannot set them)
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Contact:
    id: int
    uuid: str  # a UUID, or whatever string (up to 36 characters) a client gave on create
    account_id: int
    first_name: str
    created_at: datetime
    updated_at: datetime
    # GenerateDefaultAvatar's `avatars/<uuid>.jpg?<unix time>`; None before the job ran
    avatar_default_file: str | None
    middle_name: str | None = None
    last_name: str | None = None
    nickname: str | None = None
    description: str | None = None
    gender_id: int | None = None  # any account's gender (`exists:genders` is global), or one since deleted
    is_starred: bool = False
    is_partial: bool = False
    is_active: bool = True
    is_dead: bool = False
    avatar_source: str = "default"
    default_avatar_color: str = "#b3d5fe"  # "" (the column's implicit default) until setAvatarColor()
    birthdate: SpecialDate | None = None
    deceased_date: SpecialDate | None = None
    has_birthday_reminder: bool = False  # the yearly reminders the special-date services add
    has_deceased_reminder: bool = False
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
class ContactFieldLabel:
    id: int
    account_id: int
    label_i18n: str | None  # a key of STANDARD_LABELS, or None for a label of the user's own
    label: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ContactField:
    id: int
    uuid: str
    account_id: int
    contact_id: int  # a contact of `contacts`, or of `trashed_contacts` once it was deleted
    contact_field_type_id: int
    data: str
    created_at: datetime
    updated_at: datetime
    label_ids: tuple[int, ...] = ()  # the pivot table contact_field_contact_field_label, by label id


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

    def set_next(self, kind: str, value: int) -> None:
        """`ALTER TABLE ... AUTO_INCREMENT = value`: where a data set with its own ids continues."""
        self.next_ids[kind] = value


# -- all or nothing ----------------------------------------------------------------

P = ParamSpec("P")
T = TypeVar("T")


def undone_on_error(service: Callable[Concatenate[MonicaAccount, P], T]) -> Callable[Concatenate[MonicaAccount, P], T]:
    """For a service with a step that can fail after an earlier step wrote (the others
    check everything before their first write and need no snapshot).

    Why: Monica 4.x runs its services outside any database transaction, so such a failure
    leaves a half-made record; this project promises that a rejected request leaves the
    store unchanged. So the answer stays Monica's and the writes are undone
    (MonicaAccount.all_or_nothing), except with `monica_partial_writes` (Monica's own
    behaviour) and in a world being built, which is thrown away whole if it fails.
    """

    @functools.wraps(service)
    def run(account: MonicaAccount, /, *args: P.args, **kwargs: P.kwargs) -> T:
        if not account.world.undo_failed_writes:
            return service(account, *args, **kwargs)
        with account.all_or_nothing():
            return service(account, *args, **kwargs)

    return run


# -- one account -----------------------------------------------------------------


class MonicaAccount(TenantState):
    """One token's account. Callers hold the store lock around every method."""

    REFERENCES = ("world",)  # the server's database, not this account's state

    def __init__(
        self, world: "MonicaWorld", account_id: int, token: str, clock: Callable[[], datetime] = utc_now, *, user_id: int,
        rng: random.Random | None = None,
    ) -> None:
        self.world = world
        self.id = account_id
        self.user_id = user_id  # the token's user: `author_id` of the contact services
        self.token = token
        self.clock = clock
        self.rng = rng  # uuids of new records: seeded (reset() restores the sequence), else uuid4
        self.me_contact_id: int | None = None
        self.genders: dict[int, Gender] = {}
        self.contacts: dict[int, Contact] = {}
        self.trashed_contacts: dict[int, Contact] = {}  # soft-deleted: seen by `exists:` rules only
        self.contact_fields: dict[int, ContactField] = {}
        self.contact_field_labels: dict[int, ContactFieldLabel] = {}
        self.contact_field_types: dict[int, ContactFieldType] = {}
        self.conversations: dict[int, Conversation] = {}
        self.messages: dict[int, Message] = {}
        self.conversations_by_created = SortedIndex()
        self.conversations_by_updated = SortedIndex()
        self.conversations_by_contact: dict[int, tuple[int, ...]] = {}

    @contextmanager
    def all_or_nothing(self) -> Iterator[None]:
        """On any error in the block, this account (its uuid rng included) and the shared id
        sequences go back to what they were when it started; the error goes on. The
        snapshot is a shallow copy of each container (records are immutable), O(account
        size), so only writes that can fail half-way take one. Writes reach their own
        account only: other accounts need no snapshot.
        """
        account, ids = self.snapshot(), self.world.ids.snapshot()
        try:
            yield
        except BaseException:
            self.restore(account)
            self.world.ids.restore(ids)
            raise

    # -- storing records (also used by seeding) --
    def new_uuid(self) -> str:
        return seeded_uuid(self.rng) if self.rng is not None else str(uuid.uuid4())

    def store_gender(self, gender: Gender) -> Gender:
        self.genders[gender.id] = gender
        return gender

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

    def contact_field(self, raw_id: Any) -> ContactField:
        found = self.contact_fields.get(laravel.mysql_id(raw_id))  # type: ignore[arg-type]
        if found is None:
            raise NotFound()
        return found

    def gender(self, raw_id: Any) -> Gender:
        found = self.genders.get(laravel.mysql_id(raw_id))  # type: ignore[arg-type]
        if found is None:
            raise NotFound()
        return found

    def gender_of(self, contact: Contact) -> Gender | None:
        """`$contact->gender`: the gender of any account (the `exists` rule is global), or
        None when it was deleted (no foreign key)."""
        if contact.gender_id is None:
            return None
        return self.genders.get(contact.gender_id) or self.world.any_gender(contact.gender_id)

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

    # -- contacts: CreateContact, UpdateContact, DestroyContact (app/Services/Contact/Contact) --
    @undone_on_error
    def create_contact_from_input(self, data: Mapping[str, Any]) -> Contact:
        """CreateContact::execute on what POST /api/contacts sends (`$request->all()`).

        ApiContactController@store adds the caller's account and user; a client-sent
        `author_id` wins (`$request->except(['account_id']) + [...]`). The contact row
        is written first, then the birthdate, the deceased date, the `email` contact
        field, the avatar: in Monica a later step that fails leaves the contact as far
        as it got (undone here unless `monica_partial_writes`).
        """
        data = {"author_id": self.user_id, **data}
        self._validate(data, CREATE_CONTACT_RULES)
        columns = _contact_columns(data, creating=True)
        now = self.clock()
        contact_id = self.world.ids.take("contacts")
        given_uuid = columns.pop("uuid", None)
        contact = self.store_contact(Contact(
            id=contact_id, uuid=given_uuid or self.new_uuid(), account_id=self.id, created_at=now, updated_at=now,
            avatar_default_file=None, default_avatar_color="", **columns,
        ))
        self._update_birthdate(contact.id, data, now)
        self._update_deceased_date(contact.id, data, now)
        email = data.get("email")
        email_type = next((t for t in self.contact_field_types.values() if (t.type or "").lower() == "email"), None)
        if email is not None and email_type is not None:
            self.create_contact_field({"contact_id": contact.id, "contact_field_type_id": email_type.id, "data": email})
        # addAvatars: setAvatarColor, then the GenerateDefaultAvatar job (the sync queue runs it now).
        contact = self.contacts[contact.id]
        return self.store_contact(replace(
            contact, default_avatar_color=avatar_color(contact.id), avatar_default_file=default_avatar_file(contact.uuid, now),
        ))

    @undone_on_error
    def update_contact(self, raw_id: Any, data: Mapping[str, Any]) -> Contact:
        """UpdateContact::execute for PUT/PATCH /api/contacts/{id}: the id is validated
        (`required|integer`, no exists rule), then looked up in the account (404).

        Only the columns sent change, except `description`, which is cleared when absent.
        `is_deceased` is `nullable` but read unconditionally: without it Monica fails
        (PHP warning, 500) after the names and description were saved; with null, the
        deceased-date service refuses it (422) after the birthdate was saved (both
        undone here unless `monica_partial_writes`).
        """
        data = {"author_id": self.user_id, **data, "contact_id": raw_id}
        self._validate(data, UPDATE_CONTACT_RULES)
        old = self.contact(raw_id)
        _throw_inactive(old)
        columns = _contact_columns(data, creating=False)
        now = self.clock()
        contact = replace(old, **columns)
        if contact.complete_name != old.complete_name:
            # GenerateDefaultAvatar runs again, only when the name changed.
            contact = replace(contact, avatar_default_file=default_avatar_file(contact.uuid, now),
                              default_avatar_color=contact.default_avatar_color or avatar_color(contact.id))
        contact = self._save_contact(old, contact, now)
        # SetPersonalDescription / ClearPersonalDescription
        self._save_contact(contact, replace(contact, description=data.get("description")), now)
        if "is_deceased" not in data:
            raise laravel.PhpError('Undefined array key "is_deceased"')
        self._update_birthdate(contact.id, data, now)
        self._update_deceased_date(contact.id, data, now)
        return self.contacts[contact.id]

    def delete_contact(self, raw_id: str) -> None:
        """ApiContactController@destroy: DestroyContact dispatched as a job, which
        Monica's default `sync` queue runs at once. The controller catches nothing, so
        the job's exceptions reach Laravel's handler: UncaughtValidation (422 `{"message",
        "errors"}`) and ModelNotFound (404 `{"message"}`), not Monica's error body.

        The contact is soft-deleted: it leaves the API (404 everywhere, out of lists and
        searches) but `exists:contacts` still finds it; its contact fields and
        conversations stay, and render their contact as null.
        """
        try:
            self._validate({"contact_id": raw_id}, (
                ("account_id", "required|integer|exists:accounts"),
                ("contact_id", "required|integer|exists:contacts"),
                ("force_delete", "nullable|boolean"),
            ))
            contact = self.contacts.get(laravel.mysql_id(raw_id))  # type: ignore[arg-type]
            if contact is None:
                raise ModelNotFound(CONTACT_MODEL, raw_id)
            _throw_inactive(contact)
        except ValidationFailed as failed:
            raise UncaughtValidation(failed) from None
        del self.contacts[contact.id]
        self.trashed_contacts[contact.id] = contact

    def _save_contact(self, old: Contact, new: Contact, now: datetime, touched: bool = False) -> Contact:
        """Eloquent's save(): `updated_at` moves only when a value changed, or when a
        related row that touches the contact (a special date, a contact field) was written."""
        if new == old and not touched:
            return old
        return self.store_contact(replace(new, updated_at=now))

    def _touch_contact(self, contact_id: int, now: datetime) -> None:
        """`$touches = ['contact']`: saving or deleting a related row touches a live contact."""
        contact = self.contacts.get(contact_id)
        if contact is not None:
            self.store_contact(replace(contact, updated_at=now))

    def _update_birthdate(self, contact_id: int, data: Mapping[str, Any], now: datetime) -> Contact:
        """UpdateBirthdayInformation::execute with what CreateContact / UpdateContact pass it.

        Its own rules run only now: a known, exact birthdate needs a day and a month, an
        age-based one an age. It removes the old birthdate and reminder, then sets the new
        date: `Y-m-d` (a DATE column), the current year when the year is 0 (unknown), or
        January 1st, `age` years ago; a yearly reminder for an exact date if asked.
        """
        given = {
            "contact_id": contact_id,
            "is_date_known": data["is_birthdate_known"],
            "day": data.get("birthdate_day"),
            "month": data.get("birthdate_month"),
            "year": data.get("birthdate_year"),
            "is_age_based": data.get("birthdate_is_age_based"),
            "age": data.get("birthdate_age"),
            "add_reminder": data.get("birthdate_add_reminder"),
        }
        known, age_based = laravel.php_truthy(given["is_date_known"]), laravel.php_truthy(given["is_age_based"])
        exact = "|required" if known and not age_based else ""  # Rule::requiredIf(...)
        self._validate(given, (
            ("account_id", "required|integer|exists:accounts"),
            ("contact_id", "required|integer|exists:contacts"),
            ("is_date_known", "required|boolean"),
            ("is_age_based", "nullable|boolean"),
            ("day", "integer|nullable" + exact),
            ("month", "integer|nullable" + exact),
            ("year", "nullable|integer"),
            ("age", "integer|nullable" + ("|required" if known and age_based else "")),
            ("add_reminder", "nullable|boolean"),
        ))
        old = self.contact(contact_id)
        _throw_inactive(old)
        contact = self._save_contact(old, replace(old, birthdate=None, has_birthday_reminder=False), now, touched=old.birthdate is not None)
        if not known:
            return contact
        if age_based:
            # SpecialDate::createFromAge: now()->subYears($age)->month(1)->day(1)
            birthdate = SpecialDate(True, False, _midnight(laravel.carbon_create_from_date(now.year - _int(given["age"]), 1, 1)))
            return self._save_contact(contact, replace(contact, birthdate=birthdate), now, touched=True)
        year = 0 if given["year"] is None else _int(given["year"])
        day = laravel.carbon_create_from_date(year or now.year, _int(given["month"]), _int(given["day"]))
        birthdate = SpecialDate(False, year == 0, _midnight(day))
        reminder = laravel.php_truthy(given["add_reminder"])
        return self._save_contact(contact, replace(contact, birthdate=birthdate, has_birthday_reminder=reminder), now, touched=True)

    def _update_deceased_date(self, contact_id: int, data: Mapping[str, Any], now: datetime) -> Contact:
        """UpdateDeceasedInformation::execute: `is_dead`, and the date of death when known.

        A known date without a month or a day reaches `Contact::setSpecialDate(int ...)`
        with null: a PHP TypeError (500), after `is_dead` was saved.
        """
        given = {
            "contact_id": contact_id,
            "is_deceased": data["is_deceased"],
            "is_date_known": data["is_deceased_date_known"],
            "day": data.get("deceased_date_day"),
            "month": data.get("deceased_date_month"),
            "year": data.get("deceased_date_year"),
            "add_reminder": data.get("deceased_date_add_reminder"),
        }
        self._validate(given, (
            ("account_id", "required|integer|exists:accounts"),
            ("contact_id", "required|integer"),
            ("is_deceased", "required|boolean"),
            ("is_date_known", "required|boolean"),
            ("day", "nullable|integer"),
            ("month", "nullable|integer"),
            ("year", "nullable|integer"),
            ("add_reminder", "nullable|boolean"),
        ))
        old = self.contact(contact_id)
        _throw_inactive(old)
        cleared = replace(old, deceased_date=None, has_deceased_reminder=False)
        touched = old.deceased_date is not None
        if not laravel.php_truthy(given["is_deceased"]):
            return self._save_contact(old, replace(cleared, is_dead=False), now, touched)
        contact = self._save_contact(old, replace(cleared, is_dead=True), now, touched)
        if not laravel.php_truthy(given["is_date_known"]):
            return contact
        for position, name in ((3, "month"), (4, "day")):
            if given[name] is None:
                raise laravel.PhpError(
                    f"App\\Models\\Contact\\Contact::setSpecialDate(): Argument #{position} (${name}) must be of type int, null given, "
                    "called in /var/www/html/app/Services/Contact/Contact/UpdateDeceasedInformation.php on line 125"
                )
        year = 0 if given["year"] is None else _int(given["year"])
        day = laravel.carbon_create_from_date(year or now.year, _int(given["month"]), _int(given["day"]))
        deceased = SpecialDate(False, year == 0, _midnight(day))
        reminder = laravel.php_truthy(given["add_reminder"])
        return self._save_contact(contact, replace(contact, deceased_date=deceased, has_deceased_reminder=reminder), now, touched=True)

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
        *,
        middle_name: str | None = None,
        email: str | None = None,
        birthdate: date | str | None = None,
        deceased_date: date | str | None = None,
    ) -> Contact:
        """A contact from plain field values, for test setup and data sets: the input
        POST /api/contacts would send, run through the same CreateContact service
        (rules, avatar, the `email` contact field...), then the states Monica's API
        cannot set: archived (`is_active=False`) and starred.

        `gender_type` picks this account's first gender of that type (M, F, O by
        default); `birthdate` and `deceased_date` are exact dates (`date` or
        `YYYY-MM-DD`); `is_dead` without a `deceased_date` is a death of unknown date.
        Raises ValueError, with Monica's messages, for a contact Monica would refuse.
        """
        data: dict[str, Any] = {
            "first_name": first_name, "middle_name": middle_name, "last_name": last_name, "nickname": nickname,
            "description": description, "email": email, "job": job, "company": company, "is_partial": is_partial,
            "is_birthdate_known": birthdate is not None,
            "is_deceased": is_dead or deceased_date is not None,
            "is_deceased_date_known": deceased_date is not None,
        }
        if gender_type is not None:
            gender = next((g for g in self.genders.values() if g.type == gender_type), None)
            if gender is None:
                raise ValueError(f"this account has no gender of type {gender_type!r}; it has {sorted({g.type for g in self.genders.values()})}")
            data["gender_id"] = gender.id
        for prefix, value in (("birthdate", birthdate), ("deceased_date", deceased_date)):
            if value is not None:
                day = value if isinstance(value, date) else date.fromisoformat(value)
                data.update({f"{prefix}_day": day.day, f"{prefix}_month": day.month, f"{prefix}_year": day.year})
        try:
            contact = self.create_contact_from_input(laravel.clean(data))
        except (MonicaError, laravel.PhpError) as exc:
            raise ValueError(_error_text(exc)) from None
        if is_starred or not is_active:
            contact = self.store_contact(replace(contact, is_starred=is_starred, is_active=is_active))
        return contact

    def set_contact_active(self, contact_id: int, is_active: bool) -> Contact:
        """Test setup: archive or unarchive a contact (Monica does it in its web UI)."""
        old = self.contact(contact_id)
        return self.store_contact(replace(old, is_active=is_active, updated_at=self.clock()))

    # -- contact fields: ApiContactFieldController and app/Services/Contact/ContactField --
    def list_contact_fields(self, contact_id: Any, request: PageRequest) -> Page:
        """`$contact->contactFields()->paginate(..)`: the contact first (404), no orderBy."""
        rows = self.contact_fields_of(self.contact(contact_id))
        return paginate(_list_window(rows), len(rows), request)

    @undone_on_error
    def create_contact_field(self, data: Mapping[str, Any]) -> ContactField:
        """CreateContactField::execute: the contact (404), not archived, the type (404),
        then the row, then its labels (a label Monica cannot read fails after the row)."""
        self._validate(data, (
            ("account_id", "required|integer|exists:accounts"),
            ("contact_id", "required|integer|exists:contacts"),
            ("contact_field_type_id", "required|integer|exists:contact_field_types"),
            ("data", "required|string|max:255"),
            ("labels", "nullable|array"),
        ))
        contact = self.contact(data["contact_id"])
        _throw_inactive(contact)
        cft = self.contact_field_type(data["contact_field_type_id"])
        now = self.clock()
        field = self.store_contact_field(ContactField(
            id=self.world.ids.take("contact_fields"), uuid=self.new_uuid(), account_id=self.id, contact_id=contact.id,
            contact_field_type_id=cft.id, data=data["data"], created_at=now, updated_at=now,
        ))
        self._touch_contact(contact.id, now)
        if laravel.php_truthy(data.get("labels")):
            field = self._set_labels(field, data["labels"], now)
        return field

    @undone_on_error
    def update_contact_field(self, raw_id: Any, data: Mapping[str, Any]) -> ContactField:
        """UpdateContactField::execute. The controller adds the URL's id under the body
        (`$request->except([...]) + ['contact_field_id' => $id]`), so a `contact_field_id`
        in the body wins. The field may move to another contact of the account."""
        data = {"contact_field_id": raw_id, **data}
        self._validate(data, (
            ("account_id", "required|integer|exists:accounts"),
            ("contact_field_id", "required|integer|exists:contact_fields"),
            ("contact_id", "required|integer|exists:contacts"),
            ("contact_field_type_id", "required|integer|exists:contact_field_types"),
            ("data", "required|string|max:255"),
            ("labels", "nullable|array"),
        ))
        old = self.contact_field(data["contact_field_id"])
        contact = self.contact(data["contact_id"])
        _throw_inactive(contact)
        cft = self.contact_field_type(data["contact_field_type_id"])
        now = self.clock()
        field = replace(old, contact_id=contact.id, contact_field_type_id=cft.id, data=data["data"])
        if field != old:
            field = self.store_contact_field(replace(field, updated_at=now))
        self._touch_contact(contact.id, now)  # touchOwners() runs on every save(), changed or not
        if laravel.php_truthy(data.get("labels")):
            field = self._set_labels(field, data["labels"], now)
        return field

    def delete_contact_field(self, field_id: int) -> int:
        """DestroyContactField::execute: `exists` (422), the account (404), then
        `$contactField->contact->throwInactive()`, which fails (500) for a deleted contact."""
        self._validate({"contact_field_id": field_id}, (
            ("account_id", "required|integer|exists:accounts"),
            ("contact_field_id", "required|integer|exists:contact_fields"),
        ))
        field = self.contact_field(field_id)
        _throw_inactive(self.contacts.get(field.contact_id))
        del self.contact_fields[field.id]
        self._touch_contact(field.contact_id, self.clock())
        return field.id

    def add_contact_field(self, contact_id: int, contact_field_type_id: int, data: str) -> ContactField:
        """A contact field from plain values, for test setup: the CreateContactField service
        of POST /api/contactfields. An archived contact gets it too, as if it was added
        before the contact was archived. Raises ValueError where Monica refuses."""
        archived = contact_id in self.contacts and not self.contacts[contact_id].is_active
        if archived:
            self.store_contact(replace(self.contacts[contact_id], is_active=True))
        try:
            return self.create_contact_field({"contact_id": contact_id, "contact_field_type_id": contact_field_type_id, "data": data})
        except MonicaError as exc:
            raise ValueError(_error_text(exc)) from None
        finally:
            if archived:
                self.store_contact(replace(self.contacts[contact_id], is_active=False))

    def _set_labels(self, field: ContactField, labels: Any, now: datetime) -> ContactField:
        """UpdateContactFieldLabels: each label is a standard one (`home`, `work`...,
        any case) or the user's own; firstOrCreate finds it in the account (MySQL's
        case-insensitive comparison) or makes it; the field then has exactly those."""
        ids: list[int] = []
        for item in labels.values() if isinstance(labels, dict) else labels:
            if isinstance(item, (list, dict)):
                raise laravel.PhpError("mb_strtolower(): Argument #1 ($string) must be of type string, array given")
            text = None if item is None else laravel.php_string(item)
            lowered = (text or "").lower()
            if lowered in STANDARD_LABELS:
                found = next((x for x in self.contact_field_labels.values() if (x.label_i18n or "").lower() == lowered), None)
                ids.append((found or self._new_label(lowered, None, now)).id)
            else:
                # `where('label', null)` is `whereNull`: it also finds a standard label's row.
                found = next((x for x in self.contact_field_labels.values() if _same_text(x.label, text)), None)
                ids.append((found or self._new_label(None, text, now)).id)
        return self.store_contact_field(replace(field, label_ids=tuple(sorted(set(ids)))))

    def _new_label(self, label_i18n: str | None, label: str | None, now: datetime) -> ContactFieldLabel:
        created = ContactFieldLabel(self.world.ids.take("contact_field_labels"), self.id, label_i18n, label, now, now)
        self.contact_field_labels[created.id] = created
        return created

    # -- genders: Account\ApiGenderController and app/Services/Account/Gender --
    def populate_default_genders(self, now: datetime) -> None:
        """Account::populateDefaultGendersTable, as for every new account."""
        for name, kind in DEFAULT_GENDERS:
            self.store_gender(Gender(self.world.ids.take("genders"), self.id, name, kind, now, now))

    def list_genders(self, request: PageRequest) -> Page:
        """`account->genders()->orderBy(sort)->paginate(..)`."""
        _check_sort(request)
        rows = sorted(self.genders.values(), key=lambda g: (getattr(g, request.column), g.id), reverse=request.descending)
        return paginate(_list_window(rows), len(rows), request)

    def create_gender(self, data: Mapping[str, Any]) -> Gender:
        self._validate(data, GENDER_RULES)
        now = self.clock()
        return self.store_gender(Gender(self.world.ids.take("genders"), self.id, data["name"], data["type"], now, now))

    def update_gender(self, raw_id: Any, data: Mapping[str, Any]) -> Gender:
        """UpdateGender: the id is validated (422) before the account lookup (404)."""
        data = {**data, "gender_id": raw_id}
        self._validate(data, (GENDER_RULES[0], ("gender_id", "required|integer|exists:genders")) + GENDER_RULES[1:])
        old = self.gender(raw_id)
        if (old.name, old.type) == (data["name"], data["type"]):
            return old
        return self.store_gender(replace(old, name=data["name"], type=data["type"], updated_at=self.clock()))

    def delete_gender(self, gender_id: int) -> int:
        """DestroyGender: contacts keep the id (no foreign key) and show no gender."""
        self._validate({"gender_id": gender_id}, (GENDER_RULES[0], ("gender_id", "required|integer|exists:genders")))
        gender = self.gender(gender_id)
        del self.genders[gender.id]
        return gender.id

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
        _throw_inactive(contact)
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
        _throw_inactive(self.contacts.get(old.contact_id))  # `$conversation->contact`: null once deleted
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
        _throw_inactive(self.contacts.get(conversation.contact_id))
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
        _throw_inactive(contact)
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
        _throw_inactive(contact)
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
        _throw_inactive(self.contacts.get(message.contact_id))
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
        errors = laravel.validation_errors({**data, "account_id": self.id}, tuple(rules), self.world.exists)
        if errors:
            raise ValidationFailed([message for messages in errors.values() for message in messages], errors)


CONTACT_FIELD_TYPE_RULES = (
    ("name", "required|max:255"),
    ("fontawesome_icon", "nullable|max:255"),
    ("protocol", "nullable|max:255"),
    ("delible", "integer"),
    ("type", "nullable|max:255"),
)


# CreateContact::rules() and UpdateContact::rules(), in their order.
_NAME_RULES = (
    ("first_name", "required|string|max:255"),
    ("middle_name", "nullable|string|max:255"),
    ("last_name", "nullable|string|max:255"),
    ("nickname", "nullable|string|max:255"),
)
_BIRTHDATE_RULES = (
    ("is_birthdate_known", "required|boolean"),
    ("birthdate_day", "nullable|integer"),
    ("birthdate_month", "nullable|integer"),
    ("birthdate_year", "nullable|integer"),
    ("birthdate_is_age_based", "nullable|boolean"),
    ("birthdate_age", "nullable|integer"),
    ("birthdate_add_reminder", "nullable|boolean"),
)
_DECEASED_DATE_RULES = (
    ("deceased_date_day", "nullable|integer"),
    ("deceased_date_month", "nullable|integer"),
    ("deceased_date_year", "nullable|integer"),
    ("deceased_date_add_reminder", "nullable|boolean"),
)
CREATE_CONTACT_RULES = (
    ("account_id", "required|integer|exists:accounts"),
    ("author_id", "required|integer|exists:users"),
    ("uuid", "nullable|string"),
    ("address_book_id", "nullable|integer|exists:addressbooks"),
    *_NAME_RULES,
    ("email", "nullable|string|max:255"),
    ("gender_id", "nullable|integer|exists:genders"),
    ("description", "nullable|string|max:255"),
    ("is_partial", "nullable|boolean"),
    *_BIRTHDATE_RULES,
    ("is_deceased", "required|boolean"),
    ("is_deceased_date_known", "required|boolean"),
    *_DECEASED_DATE_RULES,
)
UPDATE_CONTACT_RULES = (
    ("account_id", "required|integer|exists:accounts"),
    ("author_id", "required|integer|exists:users"),
    ("contact_id", "required|integer"),
    ("uuid", "nullable|string"),
    *_NAME_RULES,
    ("gender_id", "nullable|integer|exists:genders"),
    ("description", "nullable|string|max:255"),
    ("is_partial", "nullable|boolean"),
    *_BIRTHDATE_RULES,
    ("is_deceased", "nullable|boolean"),
    ("is_deceased_date_known", "required|boolean"),
    *_DECEASED_DATE_RULES,
)
GENDER_RULES = (
    ("account_id", "required|integer|exists:accounts"),
    ("name", "required|string|max:255"),
    ("type", "required|in:" + ",".join(GENDER_TYPES)),
)

# Contact::$fillable columns that no rule checks: the services hand the request to
# Contact::create()/update() as it is. Their width (varchar(255)) or None (longtext).
_FREE_TEXT_COLUMNS = {"job": 255, "company": 255, "food_preferences": None, "first_met_additional_info": None}
_UUID = re.compile(r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$")


def _contact_columns(data: Mapping[str, Any], creating: bool) -> dict[str, Any]:
    """What `Contact::create($data)` (creating) or `$contact->update($data)` writes of a
    validated service input: the fillable columns sent, through Contact's mutators, as
    MySQL without strict mode stores them (too long text cut to the column's width).

    An array in a column the rules do not check cannot be bound (a PHP error); null in
    the NOT NULL `is_partial`/`is_dead` is refused by an INSERT (QueryException: 500
    code 40) and stored as false by an UPDATE. `is_dead` itself is overwritten by the
    deceased-date step, so its value is not kept.
    """
    for key in (*_FREE_TEXT_COLUMNS, "is_dead"):
        if isinstance(data.get(key), (list, dict)):
            raise laravel.PhpError("Array to string conversion")
    if creating and any(key in data and data[key] is None for key in ("is_partial", "is_dead")):
        raise MonicaError(500, 40)
    columns: dict[str, Any] = {"first_name": data["first_name"].strip(" \t\n\r\x00\x0b")}  # setFirstNameAttribute: trim()
    uuid_value = data.get("uuid")
    if creating and "uuid" in data:
        columns["uuid"] = None if uuid_value is None else uuid_value[:36]  # char(36)
    elif not creating and uuid_value and _UUID.match(uuid_value.strip("{}").removeprefix("urn:").removeprefix("uuid:")):
        columns["uuid"] = uuid_value[:36]  # Uuid::isValid()
    if "middle_name" in data:
        columns["middle_name"] = data["middle_name"]
    for key in ("last_name", "nickname"):  # `$value ? trim($value) : null`
        if key in data:
            value = data[key]
            columns[key] = value.strip(" \t\n\r\x00\x0b") if laravel.php_truthy(value) else None
    if "gender_id" in data:
        columns["gender_id"] = laravel.filter_int(data["gender_id"])
    if creating and "description" in data:  # an update sets it through SetPersonalDescription
        columns["description"] = data["description"]
    if "is_partial" in data:
        columns["is_partial"] = _truthy(data["is_partial"])
    for key, width in _FREE_TEXT_COLUMNS.items():
        if key in data:
            text = _column_string(data[key])
            columns[key] = text[:width] if text is not None and width is not None else text
    return columns


def _throw_inactive(contact: Contact | None) -> None:
    """`$contact->throwInactive()`; on a relation that is null (a deleted contact) PHP fails."""
    if contact is None:
        raise laravel.PhpError("Call to a member function throwInactive() on null")
    if not contact.is_active:
        raise ArchivedContact()


def _int(value: Any) -> int:
    """A value the `integer` rule accepted, as an `int` parameter receives it."""
    number = laravel.filter_int(value)
    assert number is not None, value
    return number


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


def _same_text(stored: str | None, wanted: str | None) -> bool:
    """`where(column, value)` on a case-insensitive collation; null is `whereNull`."""
    if wanted is None:
        return stored is None
    return stored is not None and stored.casefold() == wanted.casefold()


def _error_text(error: Exception) -> str:
    message = getattr(error, "message", None)
    if isinstance(message, list):
        return " ".join(message)
    return str(message if message is not None else error)


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
    """Monica's single database for one server: the accounts, by token, and the id sequences.

    `undo_failed_writes`: whether a service that fails after writing is undone
    (`undone_on_error`): on a live server unless `monica_partial_writes`.
    """

    def __init__(self, *, undo_failed_writes: bool) -> None:
        self.ids = IdSequences()
        self.accounts: dict[str, MonicaAccount] = {}
        self.undo_failed_writes = undo_failed_writes

    def add_account(self, token: str, clock: Callable[[], datetime] = utc_now, rng: random.Random | None = None) -> MonicaAccount:
        """A new account and its user; seeding then fills it as Monica's account creation does."""
        account = MonicaAccount(self, self.ids.take("accounts"), token, clock, user_id=self.ids.take("users"), rng=rng)
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
        if table == "users":
            return any(account.user_id == wanted for account in self.accounts.values())
        if table == "addressbooks":
            return False  # the fake keeps no address books
        if table == "contacts":  # a raw query: soft-deleted rows are still rows
            return any(wanted in rows for rows in (*self._all("contacts"), *self._all("trashed_contacts")))
        return any(wanted in rows for rows in self._all(table))

    def any_gender(self, gender_id: int) -> Gender | None:
        for rows in self._all("genders"):
            if gender_id in rows:
                found: Gender = rows[gender_id]
                return found
        return None

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
