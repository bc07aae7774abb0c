"""Monica's operations (routes/api.php, the part the fake serves), declared once.

Routing, the strict response check, the OpenAPI document, the journal's operation
ids, faults and the contract check all read this table. Laravel's `apiResource`
answers PUT and PATCH alike: each is its own operation here.
"""
from __future__ import annotations

from typing import Any, Callable

from ..operations import Answer, OperationTable, Param
from . import views

PREFIX = "/api"
ERROR = ("error",)
LARAVEL = ("laravel-error",)
RATE_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining")


def framework(status: int, description: str, headers: tuple[str, ...] = ()) -> Answer:
    """An answer of Laravel's Handler: `{"message"}` JSON, or an HTML page to a client
    that does not ask for JSON."""
    return Answer(status, LARAVEL, description, html=True, headers=headers)


TABLE = OperationTable(
    "monica",
    PREFIX,
    always=(
        Answer(400, ERROR, "ApiController: invalid sort (39), limit over 100 (30), a `null` body (37)"),
        framework(413, "Body over post_max_size (ValidatePostSize)"),
    ),
    authenticated=(
        Answer(302, (), "No valid token and no JSON asked for: redirect to the login page", html=True, headers=("Location",)),
        Answer(401, LARAVEL, "No valid token (a client asking for JSON)"),
        Answer(429, ERROR, "Over the rate limit (34)", headers=("Retry-After", "X-RateLimit-Reset")),
    ),
)

PAGE = (
    Param("limit", {"type": "integer", "minimum": 1, "maximum": 100, "default": 15}, "Items per page (at most 100)"),
    Param("page", {"type": "integer", "minimum": 1, "default": 1}, "Page number"),
    Param("sort", {"type": "string", "enum": ["created_at", "-created_at", "updated_at", "-updated_at"]},
          "Sort column, `-` for descending"),
)
WITH = Param("with", {"type": "string", "enum": ["contactfields"]}, "`contactfields` adds the contact fields and notes")
NOT_FOUND = Answer(404, ERROR, "Not in this account (31)")
INVALID = Answer(422, ERROR, "Validation failed, or an archived contact (32)")
LIST_500 = Answer(500, ("error", "laravel-error"), "A sort column the table lacks (40), or a non-numeric limit (PHP error)", html=True)
INT_ID_500 = framework(500, "A non-numeric id for an int-typed controller argument (PHP TypeError)")
STRING_COLUMN_500 = framework(500, "An array where a string column is written (PHP error)")
DELETED_CONTACT_500 = framework(500, "A non-numeric id (PHP TypeError), or its contact was deleted (`throwInactive()` on null)")
CONTACT_WRITE_500 = Answer(500, ("error", "laravel-error"), "An invalid query (40: `is_partial` or `is_dead` null on create); "
                           "a PHP error: an array in a free-text column, a known date of death without month or day, "
                           "no `is_deceased` on update, a date Carbon cannot build", html=True)
LABELS_500 = framework(500, "A label that is an array (PHP TypeError in mb_strtolower)")

View = Callable[..., Any]


def _update(op_id: str, path: str, view: View, summary: str, responses: dict[int, Any], request: str | None = None,
            query: tuple[Param, ...] = ()) -> None:
    """PUT and PATCH, as `apiResource` routes them to the same action."""
    TABLE.add(op_id, "PUT", path, view, summary=summary, responses=responses, request=request, query=query)
    TABLE.add(op_id.replace("update", "patch", 1), "PATCH", path, view, summary=summary + " (PATCH)", responses=responses, request=request,
              query=query)


TABLE.add("root", "GET", "", views.root, summary="Welcome to Monica, and the API's links", responses={200: "root"}, locked=False)

# -- contacts --
TABLE.add("listContacts", "GET", "/contacts", views.list_contacts, summary="Real, active contacts; with `query`, a search",
          responses={200: "contact-page", 500: LIST_500},
          query=PAGE + (WITH, Param("query", {"type": "string"}, "Search words, or `field:term` on contact fields")))
TABLE.add("getContact", "GET", "/contacts/{contact_id}", views.get_contact, summary="A contact",
          responses={200: "contact-response", 404: NOT_FOUND, 500: INT_ID_500}, query=(WITH,))
TABLE.add("createContact", "POST", "/contacts", views.create_contact, summary="Create a contact (CreateContact)",
          request="contact.create", responses={201: "contact-response", 422: INVALID, 500: CONTACT_WRITE_500}, query=(WITH,))
_update("updateContact", "/contacts/{contact_id}", views.update_contact, "Update a contact (UpdateContact)",
        {200: "contact-response", 404: NOT_FOUND, 422: INVALID, 500: CONTACT_WRITE_500}, request="contact.update", query=(WITH,))
TABLE.add("deleteContact", "DELETE", "/contacts/{contact_id}", views.delete_contact,
          summary="Soft-delete a contact (the DestroyContact job, run by the sync queue)",
          responses={
              200: "contact-deleted",
              404: framework(404, "Not in this account: the job's ModelNotFoundException, rendered by Laravel"),
              422: Answer(422, ("laravel-validation-error",), "Not an id, no such contact, or archived: the job's "
                          "ValidationException, rendered by Laravel (a client not asking for JSON is redirected back: 302)"),
          })
TABLE.add("listContactConversations", "GET", "/contacts/{contact_id}/conversations", views.list_contact_conversations,
          summary="A contact's conversations", responses={200: "conversation-page", 404: NOT_FOUND, 500: LIST_500}, query=PAGE)

# -- conversations --
TABLE.add("listConversations", "GET", "/conversations", views.list_conversations, summary="The account's conversations",
          responses={200: "conversation-page", 500: LIST_500}, query=PAGE)
TABLE.add("createConversation", "POST", "/conversations", views.create_conversation, summary="Create a conversation",
          request="conversation.create", responses={201: "conversation-response", 404: NOT_FOUND, 422: INVALID})
TABLE.add("getConversation", "GET", "/conversations/{conversation_id}", views.get_conversation, summary="A conversation with its messages",
          responses={200: "conversation-response", 404: NOT_FOUND})
_update("updateConversation", "/conversations/{conversation_id}", views.update_conversation, "Update a conversation",
        {200: "conversation-response", 404: NOT_FOUND, 422: INVALID,
         500: framework(500, "The conversation's contact was deleted (`throwInactive()` on null)")},
        request="conversation.update")
TABLE.add("deleteConversation", "DELETE", "/conversations/{conversation_id}", views.delete_conversation,
          summary="Delete a conversation and its messages", responses={200: "deleted", 404: NOT_FOUND, 422: INVALID, 500: DELETED_CONTACT_500})

# -- messages --
TABLE.add("addMessage", "POST", "/conversations/{conversation_id}/messages", views.add_message,
          summary="Add a message; answers the whole conversation", request="message.create",
          responses={200: "conversation-response", 404: NOT_FOUND, 422: INVALID, 500: INT_ID_500})
_update("updateMessage", "/conversations/{conversation_id}/messages/{message_id}", views.update_message,
        "Update a message; answers the whole conversation", {200: "conversation-response", 404: NOT_FOUND, 422: INVALID, 500: INT_ID_500},
        request="message.update")
TABLE.add("deleteMessage", "DELETE", "/conversations/{conversation_id}/messages/{message_id}", views.delete_message,
          summary="Delete a message", responses={200: "deleted", 404: NOT_FOUND, 422: INVALID, 500: DELETED_CONTACT_500})

# -- contact field types --
TABLE.add("listContactFieldTypes", "GET", "/contactfieldtypes", views.list_contact_field_types,
          summary="The account's contact field types (id order)", responses={200: "contactfieldtype-page", 500: LIST_500}, query=PAGE)
TABLE.add("createContactFieldType", "POST", "/contactfieldtypes", views.create_contact_field_type,
          summary="Create a contact field type", request="contactfieldtype.create",
          responses={201: "contactfieldtype-response", 422: INVALID, 500: STRING_COLUMN_500})
TABLE.add("getContactFieldType", "GET", "/contactfieldtypes/{cft_id}", views.get_contact_field_type, summary="A contact field type",
          responses={200: "contactfieldtype-response", 404: NOT_FOUND})
_update("updateContactFieldType", "/contactfieldtypes/{cft_id}", views.update_contact_field_type, "Update a contact field type",
        {200: "contactfieldtype-response", 404: NOT_FOUND, 422: INVALID, 500: STRING_COLUMN_500}, request="contactfieldtype.update")
TABLE.add("deleteContactFieldType", "DELETE", "/contactfieldtypes/{cft_id}", views.delete_contact_field_type,
          summary="Delete a contact field type, its contact fields and conversations", responses={200: "deleted", 404: NOT_FOUND})

# -- contact fields --
TABLE.add("listContactFields", "GET", "/contacts/{contact_id}/contactfields", views.list_contact_fields,
          summary="A contact's contact fields (id order)", responses={200: "contactfield-page", 404: NOT_FOUND, 500: LIST_500}, query=PAGE)
TABLE.add("createContactField", "POST", "/contactfields", views.create_contact_field, summary="Add a contact field to a contact",
          request="contactfield.create", responses={201: "contactfield-response", 404: NOT_FOUND, 422: INVALID, 500: LABELS_500})
TABLE.add("getContactField", "GET", "/contactfields/{contact_field_id}", views.get_contact_field, summary="A contact field",
          responses={200: "contactfield-response", 404: NOT_FOUND})
_update("updateContactField", "/contactfields/{contact_field_id}", views.update_contact_field, "Update a contact field",
        {200: "contactfield-response", 404: NOT_FOUND, 422: INVALID, 500: LABELS_500}, request="contactfield.update")
TABLE.add("deleteContactField", "DELETE", "/contactfields/{contact_field_id}", views.delete_contact_field, summary="Delete a contact field",
          responses={200: "deleted", 404: NOT_FOUND, 422: INVALID, 500: DELETED_CONTACT_500})

# -- genders --
TABLE.add("listGenders", "GET", "/genders", views.list_genders, summary="The account's genders",
          responses={200: "gender-page", 500: LIST_500}, query=PAGE)
TABLE.add("createGender", "POST", "/genders", views.create_gender, summary="Create a gender", request="gender.create",
          responses={201: "gender-response", 422: INVALID})
TABLE.add("getGender", "GET", "/genders/{gender_id}", views.get_gender, summary="A gender", responses={200: "gender-response", 404: NOT_FOUND})
_update("updateGender", "/genders/{gender_id}", views.update_gender, "Update a gender",
        {200: "gender-response", 404: NOT_FOUND, 422: INVALID}, request="gender.update")
TABLE.add("deleteGender", "DELETE", "/genders/{gender_id}", views.delete_gender, summary="Delete a gender (its contacts keep no gender)",
          responses={200: "deleted", 404: NOT_FOUND, 422: INVALID, 500: INT_ID_500})
