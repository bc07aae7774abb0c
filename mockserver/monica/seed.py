"""Deterministic seeded data for one Monica account.

Every state a client meets is there without setup: the account's own `me` contact, an
archived contact (with conversations, so writes on them are refused), a partial
contact, a dead contact, contacts with contact fields, the three default genders, the
seven default contact field types, and conversations of 1 to 6 messages alternating
`written_by_me`.
Times derive from the seeded rng and SEED_EPOCH, never from now.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from ..seeding import SEED_EPOCH, past_instant, seeded_uuid
from .models import (
    AVATAR_COLORS,
    DEFAULT_CONTACT_FIELD_TYPES,
    Contact,
    ContactField,
    ContactFieldType,
    Conversation,
    Message,
    MonicaAccount,
    SpecialDate,
    default_avatar_file,
)
from .options import MonicaSizes

JOBS = ("Engineer", "Teacher", "Nurse", "Designer", "Accountant", "Chef", "Lawyer", "Photographer")

# Positions of the contacts that show a particular state.
ME, ARCHIVED, PARTIAL, DEAD = 0, 1, 2, 3


def _wall_clock(moment: datetime) -> datetime:
    """A seeded instant as MySQL keeps it: naive UTC, whole seconds."""
    return moment.replace(tzinfo=None, microsecond=0)


def seed_account(account: MonicaAccount, fake: Any, rng: random.Random, sizes: MonicaSizes) -> None:
    ids = account.world.ids
    opened = _wall_clock(SEED_EPOCH - timedelta(days=400))
    account.populate_default_genders(opened)
    gender_ids = {gender.type: gender.id for gender in account.genders.values()}

    types = []
    for name, icon, protocol, delible, kind in DEFAULT_CONTACT_FIELD_TYPES:
        types.append(account.store_contact_field_type(ContactFieldType(
            id=ids.take("contact_field_types"), uuid=seeded_uuid(rng), account_id=account.id, name=name,
            fontawesome_icon=icon, protocol=protocol, delible=delible, type=kind, created_at=opened, updated_at=opened,
        )))

    contacts: list[Contact] = []
    for i in range(sizes.contacts):
        created = _wall_clock(past_instant(rng, days=365))
        updated = created + timedelta(minutes=rng.randint(0, 60 * 24 * 30))
        gender_type = rng.choice(("M", "F", "O", None))
        first = fake.first_name_female() if gender_type == "F" else fake.first_name_male() if gender_type == "M" else fake.first_name()
        partial = i == PARTIAL
        birth_year = rng.randint(1950, 2005)
        frequency = None if partial else rng.choice((None, 7, 30))
        birthdate = None
        if not partial and rng.random() < 0.5:
            birthdate = SpecialDate(False, False, datetime(birth_year, rng.randint(1, 12), rng.randint(1, 28)))
        contact_uuid = seeded_uuid(rng)
        contact = Contact(
            id=ids.take("contacts"),
            uuid=contact_uuid,
            avatar_default_file=default_avatar_file(contact_uuid, created),
            account_id=account.id,
            first_name=first,
            last_name=None if partial else fake.last_name(),
            nickname=fake.first_name() if rng.random() < 0.2 else None,
            description=fake.sentence(nb_words=6) if rng.random() < 0.3 else None,
            gender_id=gender_ids[gender_type] if gender_type is not None else None,
            is_starred=i % 5 == 4,
            is_partial=partial,
            is_active=i != ARCHIVED,
            is_dead=i == DEAD,
            default_avatar_color=rng.choice(AVATAR_COLORS),
            birthdate=birthdate,
            deceased_date=SpecialDate(False, False, _wall_clock(past_instant(rng, days=3650))) if i == DEAD else None,
            job=None if partial else rng.choice(JOBS),
            company=None if partial else fake.company(),
            stay_in_touch_frequency=frequency,
            stay_in_touch_trigger_date=updated + timedelta(days=frequency) if frequency else None,
            last_talked_to=_wall_clock(past_instant(rng, days=90)) if not partial and rng.random() < 0.5 else None,
            created_at=created,
            updated_at=updated,
        )
        contacts.append(account.store_contact(contact))
    if contacts:
        account.me_contact_id = contacts[ME].id

    # Contact fields (email and phone) on every third real contact, for ?with=contactfields and field search.
    for position, contact in enumerate(contacts):
        if contact.is_partial or position % 3 != 0:
            continue
        email = f"{contact.first_name.lower()}.{(contact.last_name or 'x').lower()}@{fake.domain_name()}"
        phone = "+1" + "".join(str(rng.randint(0, 9)) for _ in range(10))
        for cft, data in ((types[0], email), (types[1], phone)):
            account.store_contact_field(ContactField(
                id=ids.take("contact_fields"), uuid=seeded_uuid(rng), account_id=account.id, contact_id=contact.id,
                contact_field_type_id=cft.id, data=data, created_at=contact.created_at, updated_at=contact.created_at,
            ))

    talkers = [c for position, c in enumerate(contacts) if not c.is_partial and position != ME]
    if not talkers:
        return
    for i in range(sizes.conversations):
        # The archived contact always has the first conversation, so its lock-out is visible.
        contact = talkers[0] if i == 0 else rng.choice(talkers)
        happened = _wall_clock(past_instant(rng, days=365))
        created = happened + timedelta(minutes=rng.randint(1, 60 * 24))
        conversation = account.store_conversation(Conversation(
            id=ids.take("conversations"), uuid=seeded_uuid(rng), account_id=account.id, contact_id=contact.id,
            contact_field_type_id=rng.choice(types).id, happened_at=happened, created_at=created, updated_at=created,
        ))
        count = rng.randint(sizes.messages_min, sizes.messages_max)
        by_me = rng.random() < 0.5
        written = happened
        for _ in range(count):
            written += timedelta(minutes=rng.randint(1, 240))
            account.store_message(Message(
                id=ids.take("messages"), uuid=seeded_uuid(rng), account_id=account.id, contact_id=contact.id,
                conversation_id=conversation.id, content=fake.paragraph(nb_sentences=rng.randint(1, 3)),
                written_at=written, written_by_me=by_me, created_at=created, updated_at=created,
            ))
            by_me = not by_me

