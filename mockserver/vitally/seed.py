"""Seeded Vitally data showing every state a client meets: active and churned accounts,
accounts with and without an organization, users in several accounts, conversations
with cc/bcc and with many messages."""
from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from ..seeding import past_instant
from ..store import freeze
from .models import NO_TRAITS, Account, Admin, Conversation, Message, Organization, User, VitallyWorkspace, iso_ms
from .options import VitallySizes

SOURCES = ("intercom", "zendesk", "outlook", "google", "front")
# A data set of more messages than this draws their bodies from a pool of this many,
# written by the same seeded fake: 100k conversations then seed in seconds rather than
# a minute and hold ~1 KB less each. The default data set (~100 messages) is far below.
BODY_POOL = 2_000
RATINGS = ("Satisfied", "Unsatisfied", "Neutral", None)


def _ms(moment: Any) -> int:
    return int(moment.timestamp() * 1000)


def _html(fake: Any, rng: random.Random) -> str:
    paragraphs = [f"<p>{fake.paragraph(nb_sentences=rng.randint(1, 3))}</p>" for _ in range(rng.randint(1, 3))]
    if rng.random() < 0.3:
        paragraphs.append(f"<p>Best,<br>{fake.first_name()}</p>")
    return "".join(paragraphs)


def seed_workspace(ws: VitallyWorkspace, fake: Any, rng: random.Random, sizes: VitallySizes) -> None:
    def stamps() -> tuple[tuple[int, int], tuple[int, int]]:
        created = past_instant(rng)
        updated = created + timedelta(milliseconds=rng.randrange(1, 30 * 86_400_000))
        return ws.key(_ms(created)), ws.key(_ms(updated))

    orgs: list[Organization] = []
    for i in range(sizes.organizations):
        created, updated = stamps()
        company = fake.company()
        org = Organization(
            id=ws.new_id(),
            external_id=f"org-{1000 + i}",
            name=company,
            traits=freeze({"industry": fake.bs().split()[-1], "vitally.custom.tier": rng.choice(["gold", "silver", "bronze"])}),
            created=created,
            updated=updated,
            first_paid_date=iso_ms(created[0]),
            health_score=round(rng.uniform(0, 10), 1),
            nps=(rng.randint(0, 3), rng.randint(0, 5), rng.randint(0, 8)),
        )
        ws.organizations.insert(org)
        orgs.append(org)

    accounts: list[Account] = []
    for i in range(sizes.accounts):
        created, updated = stamps()
        traits: dict[str, Any] = {"mrr": rng.choice([99, 250, 499, 1200, 5000]), "plan": rng.choice(["starter", "growth", "enterprise"])}
        # Every fourth account is churned; the first account is always active.
        if i % 4 == 3:
            traits["churnedAt"] = iso_ms(updated[0])
        # Odd accounts belong to an organization, even ones stand alone.
        parent = orgs[i % len(orgs)] if orgs and i % 2 == 1 else None
        account = Account(
            id=ws.new_id(),
            external_id=f"acct-{2000 + i}",
            name=fake.company(),
            traits=freeze(traits),
            created=created,
            updated=updated,
            organization_id=parent.id if parent else None,
            first_seen=iso_ms(created[0]),
            last_seen=iso_ms(updated[0]),
            health_score=round(rng.uniform(0, 10), 1),
            nps=(rng.randint(0, 2), rng.randint(0, 4), rng.randint(0, 6)),
        )
        ws.accounts.insert(account)
        accounts.append(account)

    users: list[User] = []
    for i in range(sizes.users):
        created, updated = stamps()
        first, last = fake.first_name(), fake.last_name()
        linked: tuple[str, ...] = ()
        if accounts:
            # Every fifth user is in two accounts.
            picks = rng.sample(accounts, k=min(len(accounts), 2 if i % 5 == 0 else 1))
            linked = tuple(a.id for a in picks)
        org_ids = tuple(dict.fromkeys(a.organization_id for a in accounts if a.id in linked and a.organization_id))
        user = User(
            id=ws.new_id(),
            external_id=f"user-{3000 + i}",
            name=f"{first} {last}",
            email=f"{first.lower()}.{last.lower()}@{fake.domain_name()}",
            traits=freeze({"role": rng.choice(["admin", "champion", "end user", "billing contact", "executive sponsor"])}),
            created=created,
            updated=updated,
            account_ids=linked,
            organization_ids=org_ids,
            avatar=f"https://i.pravatar.cc/150?u={3000 + i}",
            join_date=iso_ms(created[0]),
            first_known=iso_ms(created[0]),
            last_seen=iso_ms(updated[0]),
            unsubscribed=i % 11 == 10,
        )
        ws.users.insert(user)
        users.append(user)

    admins: list[Admin] = []
    for i in range(sizes.admins):
        created, updated = stamps()
        first, last = fake.first_name(), fake.last_name()
        status = "deactivated" if i == sizes.admins - 1 and i > 0 else "active"
        admin = Admin(
            id=ws.new_id(),
            name=f"{first} {last}",
            email=f"{first.lower()}.{last.lower()}@mockserver-cs.example",
            license_status=status,
            created=created,
            updated=updated,
        )
        ws.admins.insert(admin)
        admins.append(admin)

    if not users or not admins:
        return
    pool = [_html(fake, rng) for _ in range(BODY_POOL)] if sizes.conversations * sizes.messages_max > BODY_POOL else None
    # One participant tuple, and one `to` tuple, per person, shared by all their
    # messages: records are immutable, and at 100k conversations it saves ~0.8 KB each.
    as_participant: dict[str, tuple[str, str]] = {}
    as_recipients: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {}

    def participant(kind: str, ref: str) -> tuple[str, str]:
        found = as_participant.get(ref)
        if found is None:
            found = as_participant[ref] = (kind, ref)
            as_recipients[found] = (found,)
        return found

    for i in range(sizes.conversations):
        started = past_instant(rng)
        count = sizes.messages_max if i == 0 else rng.randint(sizes.messages_min, sizes.messages_max)
        customer = rng.choice(users)
        agent = rng.choice(admins[:-1] or admins)
        conversation_id = ws.new_id()
        messages = []
        moment = started
        for j in range(count):
            moment = moment + timedelta(minutes=rng.randint(5, 60 * 24))
            outbound = j % 2 == 0 if i % 3 else j % 2 == 1
            admin_side, user_side = participant("admin", agent.id), participant("user", customer.id)
            sender, recipient = (admin_side, user_side) if outbound else (user_side, admin_side)
            cc: tuple[tuple[str, str], ...] = ()
            bcc: tuple[tuple[str, str], ...] = ()
            if i % 4 == 1 and j == 0:  # some conversations copy in a colleague
                cc = (("user", rng.choice(users).id),)
                bcc = (("admin", rng.choice(admins).id),)
            messages.append(Message(
                id=ws.new_id(),
                conversation_id=conversation_id,
                external_id=f"msg-{i}-{j}",
                body=_html(fake, rng) if pool is None else rng.choice(pool),
                timestamp_ms=_ms(moment),
                sender=sender,
                to=as_recipients[recipient],
                cc=cc,
                bcc=bcc,
            ))
        for m in messages:
            ws.messages[m.id] = m
        user_ids, admin_ids = VitallyWorkspace.participants_of(messages)
        conversation = Conversation(
            id=conversation_id,
            external_id=f"thread-{4000 + i}",
            subject=fake.sentence(nb_words=rng.randint(3, 8)).rstrip("."),
            traits=freeze({"channel": rng.choice(["email", "chat"])}) if i % 2 else NO_TRAITS,
            created=ws.key(_ms(started)),
            updated=ws.key(max(m.timestamp_ms for m in messages)),
            message_ids=tuple(m.id for m in messages),
            user_ids=user_ids,
            admin_ids=admin_ids,
            status=rng.choice(["open", "closed"]),
            rating=rng.choice(RATINGS),
            source=rng.choice(SOURCES),
        )
        ws.conversations.insert(conversation)
