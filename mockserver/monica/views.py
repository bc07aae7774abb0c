"""Monica's controllers: read the input, call the account's services, return the resource.

Each is declared in operations.py. Before a view runs, the pipeline has done what
Laravel does for Monica (vendor.py): route match, auth:api, throttle:api and
ApiController's middleware; `call.tenant` is the caller's account.
"""
from __future__ import annotations

from typing import Any, Callable
from urllib.parse import unquote

from ..surface import Call, Reply
from . import shapes
from .laravel import php_int_argument, php_string
from .models import MonicaAccount, Page
from .request import ListQuery, laravel_path, list_query, request_input

CONVERSATION_CONTROLLER = "App\\Http\\Controllers\\Api\\Contact\\ApiConversationController"
MESSAGE_CONTROLLER = "App\\Http\\Controllers\\Api\\Contact\\ApiMessageController"
CONTACT_CONTROLLER = "App\\Http\\Controllers\\Api\\ApiContactController"
CONTACT_FIELD_CONTROLLER = "App\\Http\\Controllers\\Api\\ApiContactFieldController"
GENDER_CONTROLLER = "App\\Http\\Controllers\\Api\\Account\\ApiGenderController"

MonicaCall = Call[MonicaAccount]
Payload = dict[str, Any]


def _path(call: MonicaCall) -> str:
    """`$request->url()`: scheme, host and path, without query string or trailing slash."""
    return f"{call.base_url}/{laravel_path(call.request)}"


def _page(call: MonicaCall, page: Page, shape: Callable[[Any], Payload], extra_meta: Payload | None = None) -> Payload:
    return shapes.paginated(page, [shape(item) for item in page.items], _path(call), extra_meta)


def _conversation(call: MonicaCall, conversation: Any, status: int = 200) -> Reply:
    return Reply(status, {"data": shapes.conversation(call.tenant, conversation, call.base_url)})


def _deleted(object_id: int) -> Payload:
    return {"deleted": True, "id": object_id}


# -- root ------------------------------------------------------------------------------

ROOT_LINKS = (
    ("activities", "activities"), ("addresses", "addresses"), ("calls", "calls"), ("contacts", "contacts"),
    ("conversations", "conversations"), ("countries", "countries"), ("currencies", "currencies"),
    ("documents", "documents"), ("journal", "journal"), ("notes", "notes"),
    ("relationships", "contacts/:contactId/relationships"), ("reminders", "reminders"), ("statistics", "statistics"),
)


def root(call: MonicaCall) -> Payload:
    """ApiController@success."""
    base = f"{call.base_url}/api"
    return {"success": {"message": "Welcome to Monica"}, "links": {name + "_url": f"{base}/{path}" for name, path in ROOT_LINKS}}


# -- contacts ----------------------------------------------------------------------------


def _wants_contact_fields(query: ListQuery) -> bool:
    """`$request->input('with') == 'contactfields'`, a loose PHP 8 comparison (`true` matches too)."""
    return query.with_parameter is True or query.with_parameter == "contactfields"


def list_contacts(call: MonicaCall) -> Payload:
    """ApiContactController@index: with a truthy `query`, a search (partial excluded, archived kept)."""
    account, query = call.tenant, list_query(call)
    with_fields = _wants_contact_fields(query)
    needle = request_input(call).get("query")
    page_request = query.page_request(call)

    def shape(row: Any) -> Payload:
        return shapes.contact(account, row, call.base_url, with_fields)

    if needle is not None and needle is not False and php_string(needle) not in ("", "0"):
        text = unquote(php_string(needle))  # rawurldecode
        return _page(call, account.search_contacts(text, page_request), shape, {"query": text})
    return _page(call, account.list_contacts(page_request), shape)


def get_contact(call: MonicaCall, contact_id: str) -> Payload:
    """ApiContactController@show(int $id)."""
    number = php_int_argument(contact_id, f"{CONTACT_CONTROLLER}::show", 2, "id")
    row = call.tenant.contact(number)
    return {"data": shapes.contact(call.tenant, row, call.base_url, _wants_contact_fields(list_query(call)))}


def _contact(call: MonicaCall, contact: Any, status: int = 200) -> Reply:
    """`new ContactResource($contact)`: 201 for a contact just created; `with` applies."""
    return Reply(status, {"data": shapes.contact(call.tenant, contact, call.base_url, _wants_contact_fields(list_query(call)))})


def create_contact(call: MonicaCall) -> Reply:
    """ApiContactController@store."""
    return _contact(call, call.tenant.create_contact_from_input(request_input(call)), 201)


def update_contact(call: MonicaCall, contact_id: str) -> Reply:
    """ApiContactController@update($contactId): the id untyped, checked by the service."""
    return _contact(call, call.tenant.update_contact(contact_id, request_input(call)))


def delete_contact(call: MonicaCall, contact_id: str) -> Payload:
    """ApiContactController@destroy($contactId): respondObjectDeleted($contactId) echoes
    the untyped route segment, so `id` is a string here (`"12"`), unlike other deletes."""
    call.tenant.delete_contact(contact_id)
    return {"deleted": True, "id": contact_id}


def list_contact_conversations(call: MonicaCall, contact_id: str) -> Payload:
    """ApiConversationController@conversations($contactId)."""
    account = call.tenant
    page = account.list_conversations(list_query(call).page_request(call), contact_id=contact_id)
    return _page(call, page, lambda c: shapes.conversation(account, c, call.base_url))


# -- conversations -------------------------------------------------------------------------


def list_conversations(call: MonicaCall) -> Payload:
    account = call.tenant
    page = account.list_conversations(list_query(call).page_request(call))
    return _page(call, page, lambda c: shapes.conversation(account, c, call.base_url))


def create_conversation(call: MonicaCall) -> Reply:
    return _conversation(call, call.tenant.create_conversation(request_input(call)), 201)


def get_conversation(call: MonicaCall, conversation_id: str) -> Reply:
    return _conversation(call, call.tenant.conversation(conversation_id))


def update_conversation(call: MonicaCall, conversation_id: str) -> Reply:
    data = {k: v for k, v in request_input(call).items() if k != "conversation_id"}
    return _conversation(call, call.tenant.update_conversation(conversation_id, data))


def delete_conversation(call: MonicaCall, conversation_id: str) -> Payload:
    number = php_int_argument(conversation_id, f"{CONVERSATION_CONTROLLER}::destroy", 2, "conversationId")
    call.tenant.delete_conversation(number)
    return _deleted(number)


# -- messages ------------------------------------------------------------------------------


def add_message(call: MonicaCall, conversation_id: str) -> Reply:
    number = php_int_argument(conversation_id, f"{MESSAGE_CONTROLLER}::store", 2, "conversationId")
    return _conversation(call, call.tenant.add_message(number, request_input(call)))


def update_message(call: MonicaCall, conversation_id: str, message_id: str) -> Reply:
    cid = php_int_argument(conversation_id, f"{MESSAGE_CONTROLLER}::update", 2, "conversationId")
    mid = php_int_argument(message_id, f"{MESSAGE_CONTROLLER}::update", 3, "messageId")
    return _conversation(call, call.tenant.update_message(cid, mid, request_input(call)))


def delete_message(call: MonicaCall, conversation_id: str, message_id: str) -> Payload:
    cid = php_int_argument(conversation_id, f"{MESSAGE_CONTROLLER}::destroy", 2, "conversationId")
    mid = php_int_argument(message_id, f"{MESSAGE_CONTROLLER}::destroy", 3, "messageId")
    call.tenant.delete_message(cid, mid)
    return _deleted(mid)


# -- contact field types ----------------------------------------------------------------------


def list_contact_field_types(call: MonicaCall) -> Payload:
    page = call.tenant.list_contact_field_types(list_query(call).page_request(call))
    return _page(call, page, shapes.contact_field_type)


def create_contact_field_type(call: MonicaCall) -> Reply:
    return Reply(201, {"data": shapes.contact_field_type(call.tenant.create_contact_field_type(request_input(call)))})


def get_contact_field_type(call: MonicaCall, cft_id: str) -> Payload:
    return {"data": shapes.contact_field_type(call.tenant.contact_field_type(cft_id))}


def update_contact_field_type(call: MonicaCall, cft_id: str) -> Payload:
    return {"data": shapes.contact_field_type(call.tenant.update_contact_field_type(cft_id, request_input(call)))}


def delete_contact_field_type(call: MonicaCall, cft_id: str) -> Payload:
    return _deleted(call.tenant.delete_contact_field_type(cft_id))


# -- contact fields ----------------------------------------------------------------------------


def _contact_field(call: MonicaCall, field: Any, status: int = 200) -> Reply:
    return Reply(status, {"data": shapes.contact_field(call.tenant, field, call.base_url)})


def list_contact_fields(call: MonicaCall, contact_id: str) -> Payload:
    """ApiContactFieldController@contactFields($contactId)."""
    account = call.tenant
    page = account.list_contact_fields(contact_id, list_query(call).page_request(call))
    return _page(call, page, lambda f: shapes.contact_field(account, f, call.base_url))


def get_contact_field(call: MonicaCall, contact_field_id: str) -> Reply:
    return _contact_field(call, call.tenant.contact_field(contact_field_id))


def create_contact_field(call: MonicaCall) -> Reply:
    return _contact_field(call, call.tenant.create_contact_field(request_input(call)), 201)


def update_contact_field(call: MonicaCall, contact_field_id: str) -> Reply:
    return _contact_field(call, call.tenant.update_contact_field(contact_field_id, request_input(call)))


def delete_contact_field(call: MonicaCall, contact_field_id: str) -> Payload:
    number = php_int_argument(contact_field_id, f"{CONTACT_FIELD_CONTROLLER}::destroy", 2, "contactFieldId")
    return _deleted(call.tenant.delete_contact_field(number))


# -- genders ------------------------------------------------------------------------------------


def list_genders(call: MonicaCall) -> Payload:
    return _page(call, call.tenant.list_genders(list_query(call).page_request(call)), shapes.gender)


def get_gender(call: MonicaCall, gender_id: str) -> Payload:
    return {"data": shapes.gender(call.tenant.gender(gender_id))}


def create_gender(call: MonicaCall) -> Reply:
    return Reply(201, {"data": shapes.gender(call.tenant.create_gender(request_input(call)))})


def update_gender(call: MonicaCall, gender_id: str) -> Payload:
    return {"data": shapes.gender(call.tenant.update_gender(gender_id, request_input(call)))}


def delete_gender(call: MonicaCall, gender_id: str) -> Payload:
    number = php_int_argument(gender_id, f"{GENDER_CONTROLLER}::destroy", 2, "genderId")
    return _deleted(call.tenant.delete_gender(number))
