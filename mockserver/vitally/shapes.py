"""Vitally's JSON objects, field for field, from the workspace's records."""
from __future__ import annotations

from typing import Any

from .models import (
    TRAIT_FIELDS,
    Account,
    Admin,
    Conversation,
    Message,
    Organization,
    Participant,
    User,
    VitallyWorkspace,
    iso_ms,
)


def _nps_score(nps: tuple[int, int, int]) -> float | None:
    detractors, passives, promoters = nps
    total = detractors + passives + promoters
    return None if total == 0 else round(100 * (promoters - detractors) / total, 1)


def _trait_fields(traits: dict[str, Any]) -> dict[str, Any]:
    return {name: traits.get(name) for name in TRAIT_FIELDS}


def organization(ws: VitallyWorkspace, org: Organization) -> dict[str, Any]:
    accounts = ws.organization_accounts(org)
    return {
        "id": org.id,
        "externalId": org.external_id,
        "name": org.name,
        "createdAt": iso_ms(org.created[0]),
        "updatedAt": iso_ms(org.updated[0]),
        "traits": org.traits,
        "organizationOwnerId": org.owner_id,
        **_trait_fields(org.traits),
        "firstPaidDate": org.first_paid_date,
        "usersCount": len(ws.organization_user_ids(org)),
        "accountsCount": len(accounts),
        "healthScore": org.health_score,
        "csmId": None,
        "accountExecutiveId": None,
        "npsDetractorCount": org.nps[0],
        "npsPassiveCount": org.nps[1],
        "npsPromoterCount": org.nps[2],
        "npsScore": _nps_score(org.nps),
        "keyRoles": [],
        "segments": [],
    }


def account(ws: VitallyWorkspace, acc: Account) -> dict[str, Any]:
    return {
        "id": acc.id,
        "externalId": acc.external_id,
        "name": acc.name,
        "createdAt": iso_ms(acc.created[0]),
        "updatedAt": iso_ms(acc.updated[0]),
        "traits": acc.traits,
        "organizationId": acc.organization_id,
        "accountOwnerId": acc.owner_id,
        **_trait_fields(acc.traits),
        "firstSeenTimestamp": acc.first_seen,
        "lastSeenTimestamp": acc.last_seen,
        "lastInboundMessageTimestamp": acc.last_inbound,
        "lastOutboundMessageTimestamp": acc.last_outbound,
        "usersCount": len(ws.account_user_ids(acc)),
        "npsDetractorCount": acc.nps[0],
        "npsPassiveCount": acc.nps[1],
        "npsPromoterCount": acc.nps[2],
        "npsScore": _nps_score(acc.nps),
        "healthScore": acc.health_score,
        "csmId": None,
        "accountExecutiveId": None,
        "keyRoles": [],
        "segments": [],
    }


def user(ws: VitallyWorkspace, usr: User) -> dict[str, Any]:
    accounts = [ws.accounts.rows[a] for a in usr.account_ids if a in ws.accounts.rows]
    orgs = [ws.organizations.rows[o] for o in usr.organization_ids if o in ws.organizations.rows]
    return {
        "id": usr.id,
        "externalId": usr.external_id,
        "name": usr.name,
        "email": usr.email,
        "avatar": usr.avatar,
        "createdAt": iso_ms(usr.created[0]),
        "updatedAt": iso_ms(usr.updated[0]),
        "traits": usr.traits,
        "accountIds": [a.id for a in accounts],
        "organizationIds": [o.id for o in orgs],
        "accounts": [account(ws, a) for a in accounts],
        "organizations": [organization(ws, o) for o in orgs],
        "joinDate": usr.join_date,
        "firstKnown": usr.first_known,
        "lastSeenTimestamp": usr.last_seen,
        "lastInboundMessageTimestamp": usr.last_inbound,
        "lastOutboundMessageTimestamp": usr.last_outbound,
        "npsLastScore": usr.nps_last[0],
        "npsLastFeedback": usr.nps_last[1],
        "npsLastRespondedAt": usr.nps_last[2],
        "unsubscribedFromConversations": usr.unsubscribed,
        "deactivatedAt": usr.deactivated_at,
        "segments": [],
    }


def admin(adm: Admin) -> dict[str, Any]:
    return {"id": adm.id, "name": adm.name, "email": adm.email, "licenseStatus": adm.license_status}


def _participant(p: Participant) -> dict[str, str]:
    return {"type": p[0], "id": p[1]}


def message(msg: Message) -> dict[str, Any]:
    return {
        "id": msg.id,
        # Vitally infers the direction from the sender: admins write outbound, users inbound.
        "type": "outbound" if msg.sender[0] == "admin" else "inbound",
        "externalId": msg.external_id,
        "externalUrl": msg.external_url,
        "conversationId": msg.conversation_id,
        "message": msg.body,
        "timestamp": iso_ms(msg.timestamp_ms),
        "from": _participant(msg.sender),
        "to": [_participant(p) for p in msg.to],
        "cc": [_participant(p) for p in msg.cc],
        "bcc": [_participant(p) for p in msg.bcc],
    }


def conversation_item(conv: Conversation) -> dict[str, Any]:
    """A conversation as lists show it: no messages, no associations."""
    return {
        "id": conv.id,
        "externalId": conv.external_id,
        "externalUrl": conv.external_url,
        "subject": conv.subject,
        "status": conv.status,
        "rating": conv.rating,
        "source": conv.source,
        "traits": conv.traits,
        "createdAt": iso_ms(conv.created[0]),
        "updatedAt": iso_ms(conv.updated[0]),
    }


def conversation(ws: VitallyWorkspace, conv: Conversation) -> dict[str, Any]:
    """A conversation by id: with its messages and the implicit associations."""
    users = [ws.users.rows[u] for u in conv.user_ids if u in ws.users.rows]  # sorted by id
    admins = [ws.admins.rows[a] for a in conv.admin_ids if a in ws.admins.rows]
    accounts = [ws.accounts.rows[a] for a in ws.conversation_account_ids(conv) if a in ws.accounts.rows]
    return {
        **conversation_item(conv),
        "messages": [message(m) for m in ws.conversation_messages(conv)],
        "accounts": [account(ws, a) for a in accounts],
        "users": [user(ws, u) for u in users],
        "admins": [admin(a) for a in admins],
    }
