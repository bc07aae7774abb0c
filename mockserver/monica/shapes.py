"""Monica's JSON resources, field for field and in emitted order (app/Http/Resources/...).

`base` is the request's root URL without its trailing slash (`route()` builds
absolute URLs from the request's host), e.g. `http://127.0.0.1:5000`.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache
from typing import Any

from .laravel import carbon_json, timestamp
from .models import (
    STANDARD_LABELS,
    Contact,
    ContactField,
    ContactFieldLabel,
    ContactFieldType,
    Conversation,
    Gender,
    Message,
    MonicaAccount,
    Page,
    SpecialDate,
)

_HASH_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ1234567890"


def hash_id(contact: Contact) -> str:
    """`h:` + Hashids(HASH_SALT, min length 18) of the id in Monica; here a stable
    18-character stand-in derived from the id (our inference: not Hashids itself)."""
    if contact.is_partial:
        return ""  # a partial contact without a real counterpart
    return _hash_id(contact.id)


@lru_cache(maxsize=65536)  # every embedded contact of a list page asks again
def _hash_id(contact_id: int) -> str:
    number = int.from_bytes(hashlib.sha256(f"monica-contact:{contact_id}".encode()).digest(), "big")
    chars = []
    for _ in range(18):
        number, index = divmod(number, len(_HASH_ALPHABET))
        chars.append(_HASH_ALPHABET[index])
    return "h:" + "".join(chars)


def initials(contact: Contact) -> str:
    """Contact::getInitialsAttribute: the first [a-zA-Z0-9] of each word of the ASCII-folded name."""
    return _initials(contact.complete_name)


_WORD_STARTS = re.compile(r"(?<=\s)[a-zA-Z0-9]|^[a-zA-Z0-9]")


@lru_cache(maxsize=65536)
def _initials(complete_name: str) -> str:
    folded = unicodedata.normalize("NFKD", complete_name).encode("ascii", "ignore").decode()
    return "".join(_WORD_STARTS.findall(folded))


def _special_date(date: SpecialDate | None) -> dict[str, Any]:
    if date is None:
        return {"is_age_based": None, "is_year_unknown": None, "date": None}
    return {"is_age_based": date.is_age_based, "is_year_unknown": date.is_year_unknown, "date": timestamp(date.date)}


def _gender(account: MonicaAccount, contact: Contact) -> tuple[str | None, str | None]:
    gender = account.gender_of(contact)
    if gender is None:
        return None, None
    return gender.name, gender.type


def _avatar(contact: Contact, base: str) -> dict[str, Any]:
    """getAvatarURL() for the default source: route('storage') of the default avatar file
    that CreateContact generates (private file visibility, Monica's default); "" when
    there is none yet."""
    url = f"{base}/store/{contact.avatar_default_file}" if contact.avatar_default_file is not None else ""
    return {"url": url, "source": contact.avatar_source, "default_avatar_color": contact.default_avatar_color}


def contact_url(base: str, contact_id: int) -> str:
    return f"{base}/api/contacts/{contact_id}"


def contact_short(account: MonicaAccount, contact: Contact | None, base: str) -> dict[str, Any] | None:
    """app/Http/Resources/Contact/ContactShort.php; a null model serialises as null."""
    if contact is None:
        return None
    gender, gender_type = _gender(account, contact)
    out: dict[str, Any] = {
        "id": contact.id,
        "uuid": contact.uuid,
        "object": "contact",
        "hash_id": hash_id(contact),
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "nickname": contact.nickname,
        "complete_name": contact.complete_name,
        "initials": initials(contact),
        "gender": gender,
        "gender_type": gender_type,
        "is_starred": contact.is_starred,
        "is_partial": contact.is_partial,
        "is_active": contact.is_active,
        "is_dead": contact.is_dead,
        "is_me": account.is_me(contact),
        "information": {
            "birthdate": _special_date(contact.birthdate),
            "deceased_date": _special_date(contact.deceased_date),
            "avatar": _avatar(contact, base),
        },
    }
    if not contact.is_partial:
        out["url"] = contact_url(base, contact.id)
    out["account"] = {"id": contact.account_id}
    return out


def contact(account: MonicaAccount, row: Contact, base: str, with_contact_fields: bool = False) -> dict[str, Any]:
    """app/Http/Resources/Contact/ContactBase.php::toArrayInternal: keys only for real
    contacts are left out of partial ones; contactFields and notes only with `with=contactfields`."""
    full = not row.is_partial
    gender, gender_type = _gender(account, row)
    out: dict[str, Any] = {
        "id": row.id,
        "uuid": row.uuid,
        "object": "contact",
        "hash_id": hash_id(row),
        "first_name": row.first_name,
        "last_name": row.last_name,
        "nickname": row.nickname,
        "complete_name": row.complete_name,
        "initials": initials(row),
        "description": row.description,
        "gender": gender,
        "gender_type": gender_type,
        "is_starred": row.is_starred,
        "is_partial": row.is_partial,
        "is_active": row.is_active,
        "is_dead": row.is_dead,
        "is_me": account.is_me(row),
    }
    if full:
        out["last_called"] = carbon_json(row.last_talked_to)
        out["last_activity_together"] = None  # we keep no activities
        out["stay_in_touch_frequency"] = row.stay_in_touch_frequency
        out["stay_in_touch_trigger_date"] = timestamp(row.stay_in_touch_trigger_date)
    information: dict[str, Any] = {}
    if full:
        # Every account has the four default relationship type groups; we keep no relationships.
        information["relationships"] = {group: {"total": 0, "contacts": []} for group in ("love", "family", "friend", "work")}
    information["dates"] = {"birthdate": _special_date(row.birthdate), "deceased_date": _special_date(row.deceased_date)}
    if full:
        introducer = account.contacts.get(row.first_met_through_contact_id) if row.first_met_through_contact_id else None
        information["career"] = {"job": row.job, "company": row.company}
        information["avatar"] = _avatar(row, base)
        information["food_preferences"] = row.food_preferences
        information["how_you_met"] = {
            "general_information": row.first_met_additional_info,
            "first_met_date": _special_date(row.first_met_date),
            "first_met_through_contact": contact_short(account, introducer, base),
        }
    out["information"] = information
    if full:
        out["addresses"] = []
        out["tags"] = []
        out["statistics"] = {
            "number_of_calls": 0,
            "number_of_notes": 0,
            "number_of_activities": 0,
            "number_of_reminders": int(row.has_birthday_reminder) + int(row.has_deceased_reminder),
            "number_of_tasks": 0,
            "number_of_gifts": 0,
            "number_of_debts": 0,
        }
        if with_contact_fields:
            out["contactFields"] = [contact_field(account, f, base) for f in account.contact_fields_of(row)]
            out["notes"] = []
        out["url"] = contact_url(base, row.id)
    out["account"] = {"id": row.account_id}
    out["created_at"] = timestamp(row.created_at)
    out["updated_at"] = timestamp(row.updated_at)
    return out


def contact_field_type(cft: ContactFieldType) -> dict[str, Any]:
    """app/Http/Resources/Settings/ContactFieldType/ContactFieldType.php."""
    return {
        "id": cft.id,
        "uuid": cft.uuid,
        "object": "contactfieldtype",
        "name": cft.name,
        "fontawesome_icon": cft.fontawesome_icon,
        "protocol": cft.protocol,
        "delible": cft.delible,
        "type": cft.type,
        "account": {"id": cft.account_id},
        "created_at": timestamp(cft.created_at),
        "updated_at": timestamp(cft.updated_at),
    }


def contact_field_label(label: ContactFieldLabel) -> dict[str, Any]:
    """app/Http/Resources/ContactField/ContactFieldLabel.php: a standard label by its key
    and translated name, a label of the user's own as it was given."""
    return {
        "id": label.id,
        "object": "contactfieldlabel",
        "type": label.label_i18n or label.label,
        "label": STANDARD_LABELS[label.label_i18n] if label.label_i18n else label.label,
        "account": {"id": label.account_id},
        "created_at": timestamp(label.created_at),
        "updated_at": timestamp(label.updated_at),
    }


def contact_field(account: MonicaAccount, field: ContactField, base: str) -> dict[str, Any]:
    """app/Http/Resources/ContactField/ContactField.php; the contact is null once deleted."""
    return {
        "id": field.id,
        "uuid": field.uuid,
        "object": "contactfield",
        "content": field.data,
        "contact_field_type": contact_field_type(account.contact_field_types[field.contact_field_type_id]),
        "labels": [contact_field_label(account.contact_field_labels[i]) for i in field.label_ids],
        "account": {"id": field.account_id},
        "contact": contact_short(account, account.contacts.get(field.contact_id), base),
        "created_at": timestamp(field.created_at),
        "updated_at": timestamp(field.updated_at),
    }


def gender(row: Gender) -> dict[str, Any]:
    """app/Http/Resources/Gender/Gender.php."""
    return {
        "id": row.id,
        "object": "gender",
        "name": row.name,
        "type": row.type,
        "account": {"id": row.account_id},
        "created_at": timestamp(row.created_at),
        "updated_at": timestamp(row.updated_at),
    }


def message(account: MonicaAccount, row: Message, base: str) -> dict[str, Any]:
    """app/Http/Resources/Conversation/Message.php."""
    return {
        "id": row.id,
        "uuid": row.uuid,
        "object": "message",
        "content": row.content,
        "written_at": timestamp(row.written_at),
        "written_by_me": row.written_by_me,
        "account": {"id": row.account_id},
        "contact": contact_short(account, account.contacts.get(row.contact_id), base),
        "conversation": {"id": row.conversation_id},
        "created_at": timestamp(row.created_at),
        "updated_at": timestamp(row.updated_at),
    }


def conversation(account: MonicaAccount, row: Conversation, base: str) -> dict[str, Any]:
    """app/Http/Resources/Conversation/Conversation.php."""
    return {
        "id": row.id,
        "uuid": row.uuid,
        "object": "conversation",
        "happened_at": timestamp(row.happened_at),
        "messages": [message(account, m, base) for m in account.conversation_messages(row)],
        "contact_field_type": contact_field_type(account.contact_field_types[row.contact_field_type_id]),
        "url": f"{base}/api/conversations/{row.id}",
        "account": {"id": row.account_id},
        "contact": contact_short(account, account.contacts.get(row.contact_id), base),
        "created_at": timestamp(row.created_at),
        "updated_at": timestamp(row.updated_at),
    }


# -- pagination (LengthAwarePaginator::toArray via PaginatedResourceResponse) --------

PREVIOUS_LABEL = "\u276e Previous"  # resources/lang/en/pagination.php
NEXT_LABEL = "Next \u276f"
ON_EACH_SIDE = 3


def _window(current: int, last: int) -> list[list[int] | None]:
    """UrlWindow::make + elements(): page ranges, None for the "..." between them."""
    if last < ON_EACH_SIDE * 2 + 8:
        return [list(range(1, last + 1))]
    window = ON_EACH_SIDE + 4
    if current <= window:
        return [list(range(1, window + ON_EACH_SIDE + 1)), None, [last - 1, last]]
    if current > last - window:
        return [[1, 2], None, list(range(last - (window + ON_EACH_SIDE - 1), last + 1))]
    return [[1, 2], None, list(range(current - ON_EACH_SIDE, current + ON_EACH_SIDE + 1)), None, [last - 1, last]]


def paginated(page: Page, items: list[dict[str, Any]], path: str, extra_meta: dict[str, Any] | None = None) -> dict[str, Any]:
    """`{"data", "links", "meta"}`; page URLs are `path?page=N` and carry no other parameter."""

    def url(number: int) -> str:
        return f"{path}?page={number}"

    current, last = page.current_page, page.last_page
    prev_url = url(current - 1) if current > 1 else None
    next_url = url(current + 1) if current < last else None
    links: list[dict[str, Any]] = [{"url": prev_url, "label": PREVIOUS_LABEL, "active": False}]
    for element in _window(current, last):
        if element is None:  # the "..." between ranges
            links.append({"url": None, "label": "...", "active": False})
        else:
            links.extend({"url": url(n), "label": str(n), "active": n == current} for n in element)
    links.append({"url": next_url, "label": NEXT_LABEL, "active": False})
    first_item = (current - 1) * page.per_page + 1 if items else None
    meta: dict[str, Any] = {
        "current_page": current,
        "from": first_item,
        "last_page": last,
        "links": links,
        "path": path,
        "per_page": page.per_page,
        "to": first_item + len(items) - 1 if first_item is not None else None,
        "total": page.total,
    }
    meta.update(extra_meta or {})
    return {
        "data": items,
        "links": {"first": url(1), "last": url(last), "prev": prev_url, "next": next_url},
        "meta": meta,
    }
