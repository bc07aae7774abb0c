"""Vitally's operations: every endpoint the fake serves, declared once.

Routing, the strict response check, the OpenAPI document, the journal's operation
ids, faults and the contract check all read this table.
"""
from __future__ import annotations

from ..operations import Answer, OperationTable, Param
from . import views

PREFIX = "/resources"
ERROR = ("error",)
RATE_HEADERS = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")

TABLE = OperationTable(
    "vitally",
    PREFIX,
    authenticated=(
        Answer(401, ERROR, "Missing or invalid API key"),
        Answer(429, ERROR, "Over the rate limit", headers=("Retry-After",)),
    ),
    with_body=(
        Answer(400, ERROR, "Invalid JSON, or a body that breaks the request schema or the rules"),
        Answer(413, ERROR, "Body over the payload limit"),
        Answer(415, ERROR, "A Content-Type other than JSON"),
    ),
)

PAGE = (
    Param("limit", {"type": "integer", "minimum": 1, "maximum": 100, "default": 100},
          "Page size; the max and default are 100 (values out of range are clamped)"),
    Param("from", {"type": "string", "minLength": 1}, "The cursor `next` of the previous page"),
    Param("sortBy", {"type": "string", "enum": ["updatedAt", "createdAt"], "default": "updatedAt"},
          "Sorted descending by this field"),
)
BAD_PAGE = Answer(400, ERROR, "A malformed limit, sortBy or cursor")
NOT_FOUND = Answer(404, ERROR, "No such record in this workspace")


def _list(op_id: str, path: str, view: object, schema: str, summary: str, *, item: bool = False, query: tuple[Param, ...] = ()) -> None:
    responses: dict[int, str | tuple[str, ...] | Answer | None] = {200: schema, 400: BAD_PAGE}
    if item:
        responses[404] = NOT_FOUND
    TABLE.add(op_id, "GET", path, view, summary=summary, responses=responses, query=PAGE + query)  # type: ignore[arg-type]


# -- conversations and messages --
_list("listConversations", "/conversations", views.list_conversations, "conversation-page", "List conversations (no messages)")
TABLE.add("createConversation", "POST", "/conversations", views.create_conversation, summary="Create a conversation with its messages",
          request="conversation.create", responses={200: "conversation"})
TABLE.add("getConversation", "GET", "/conversations/{conversation_id}", views.get_conversation,
          summary="A conversation with its messages, by id or externalId", responses={200: "conversation", 404: NOT_FOUND})
TABLE.add("updateConversation", "PUT", "/conversations/{conversation_id}", views.update_conversation,
          summary="Update a conversation; messages are upserted by externalId", request="conversation.update",
          responses={200: "conversation", 404: NOT_FOUND})
TABLE.add("deleteConversation", "DELETE", "/conversations/{conversation_id}", views.delete_conversation,
          summary="Delete a conversation and its messages", responses={200: "deleted", 404: NOT_FOUND})
TABLE.add("createMessage", "POST", "/conversations/{conversation_id}/messages", views.create_message,
          summary="Add a message to a conversation", request="message.create", responses={200: "message", 404: NOT_FOUND})
TABLE.add("getMessage", "GET", "/messages/{message_id}", views.get_message, summary="A message by id",
          responses={200: "message", 404: NOT_FOUND})
TABLE.add("deleteMessage", "DELETE", "/messages/{message_id}", views.delete_message, summary="Delete a message",
          responses={200: "deleted", 404: NOT_FOUND})

# -- accounts --
_list("listAccounts", "/accounts", views.list_accounts, "account-page", "List accounts",
      query=(Param("status", {"type": "string", "enum": ["active", "churned", "activeOrChurned"], "default": "active"}, "Which accounts"),))
TABLE.add("createAccount", "POST", "/accounts", views.create_account, summary="Create an account", request="account.create",
          responses={200: "account"})
TABLE.add("getAccount", "GET", "/accounts/{account_id}", views.get_account, summary="An account by id or externalId",
          responses={200: "account", 404: NOT_FOUND})
TABLE.add("updateAccount", "PUT", "/accounts/{account_id}", views.update_account, summary="Update an account; traits merge",
          request="account.update", responses={200: "account", 404: NOT_FOUND})
_list("listAccountUsers", "/accounts/{account_id}/users", views.list_account_users, "user-page", "An account's users", item=True)
_list("listAccountConversations", "/accounts/{account_id}/conversations", views.list_account_conversations, "conversation-page",
      "An account's conversations (Vitally id only)", item=True)

# -- users --
_list("listUsers", "/users", views.list_users, "user-page", "List users")
TABLE.add("searchUsers", "GET", "/users/search", views.search_users, summary="Users by exactly one of externalId, email, emailSubdomain",
          responses={200: "user-search", 400: Answer(400, ERROR, "None or several of the search parameters")},
          query=(Param("externalId", {"type": "string"}), Param("email", {"type": "string"}),
                 Param("emailSubdomain", {"type": "string"}, "The part after @, e.g. acme.com")))
TABLE.add("createUser", "POST", "/users", views.create_user, summary="Create a user", request="user.create", responses={200: "user"})
TABLE.add("getUser", "GET", "/users/{user_id}", views.get_user, summary="A user by id or externalId",
          responses={200: "user", 404: NOT_FOUND})
TABLE.add("updateUser", "PUT", "/users/{user_id}", views.update_user, summary="Update a user; traits merge", request="user.update",
          responses={200: "user", 404: NOT_FOUND})

# -- organizations --
_list("listOrganizations", "/organizations", views.list_organizations, "organization-page", "List organizations")
TABLE.add("createOrganization", "POST", "/organizations", views.create_organization, summary="Create an organization",
          request="organization.create", responses={200: "organization"})
TABLE.add("getOrganization", "GET", "/organizations/{organization_id}", views.get_organization,
          summary="An organization by id or externalId", responses={200: "organization", 404: NOT_FOUND})
TABLE.add("updateOrganization", "PUT", "/organizations/{organization_id}", views.update_organization,
          summary="Update an organization; traits merge", request="organization.update", responses={200: "organization", 404: NOT_FOUND})
_list("listOrganizationAccounts", "/organizations/{organization_id}/accounts", views.list_organization_accounts, "account-page",
      "An organization's accounts", item=True)
_list("listOrganizationUsers", "/organizations/{organization_id}/users", views.list_organization_users, "user-page",
      "An organization's users, directly or through its accounts", item=True)
_list("listOrganizationConversations", "/organizations/{organization_id}/conversations", views.list_organization_conversations,
      "conversation-page", "An organization's conversations (Vitally id only)", item=True)

# -- admins --
_list("listAdmins", "/admins", views.list_admins, "admin-page", "List admins")
TABLE.add("searchAdmins", "GET", "/admins/search", views.search_admins, summary="The admin with this email",
          responses={200: "admin", 400: Answer(400, ERROR, "No email given"), 404: NOT_FOUND},
          query=(Param("email", {"type": "string", "minLength": 1}, required=True),))
