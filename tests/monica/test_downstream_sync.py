"""A user's end-to-end test, as a sync client would write it against Monica: through the
`mockserver` fixture over real HTTP with `requests`, nothing but the public API.

Create a contact, give it an email address, record an email conversation with messages,
read it back, delete the contact, and look at what Monica still shows.
"""
from __future__ import annotations

import requests


def test_sync_a_contact_and_its_email_conversation_then_delete_the_contact(mockserver):
    monica = mockserver.monica
    api = monica.base_url
    with requests.Session() as http:
        http.headers.update(monica.headers)  # Bearer token, Accept: application/json

        # 1. The contact, with the fields Monica requires of every create.
        created = http.post(f"{api}/contacts", json={
            "first_name": "Ada", "last_name": "Lovelace", "is_birthdate_known": False,
            "is_deceased": False, "is_deceased_date_known": False,
        }, timeout=10)
        assert created.status_code == 201
        contact = created.json()["data"]
        assert (contact["complete_name"], contact["is_active"], contact["is_partial"]) == ("Ada Lovelace", True, False)

        # 2. Its email address, as a contact field of the account's Email type.
        types = http.get(f"{api}/contactfieldtypes", timeout=10).json()["data"]
        email_type = next(t for t in types if t["type"] == "email")
        field = http.post(f"{api}/contactfields", json={
            "contact_id": contact["id"], "contact_field_type_id": email_type["id"], "data": "ada@example.com",
        }, timeout=10)
        assert field.status_code == 201
        assert field.json()["data"]["contact"]["id"] == contact["id"]
        fields = http.get(f"{api}/contacts/{contact['id']}/contactfields", timeout=10).json()["data"]
        assert [(f["content"], f["contact_field_type"]["name"]) for f in fields] == [("ada@example.com", "Email")]

        # 3. A conversation over the Email type, and two messages (each answers the whole conversation).
        conversation = http.post(f"{api}/conversations", json={
            "contact_id": contact["id"], "contact_field_type_id": email_type["id"], "happened_at": "2024-05-04",
        }, timeout=10)
        assert conversation.status_code == 201
        conversation_id = conversation.json()["data"]["id"]
        for written_at, by_me, content in (("2024-05-04 09:00:00", True, "Dear Ada, how is the engine?"),
                                           ("2024-05-04 17:30:00", False, "It computes Bernoulli numbers.")):
            added = http.post(f"{api}/conversations/{conversation_id}/messages",
                              json={"written_at": written_at, "written_by_me": by_me, "content": content}, timeout=10)
            assert added.status_code == 200

        # 4. Read it back.
        got = http.get(f"{api}/conversations/{conversation_id}", timeout=10).json()["data"]
        assert got["contact"]["id"] == contact["id"] and got["contact_field_type"]["name"] == "Email"
        assert got["happened_at"] == "2024-05-04T00:00:00Z"
        assert [(m["written_at"], m["written_by_me"], m["content"]) for m in got["messages"]] == [
            ("2024-05-04T09:00:00Z", True, "Dear Ada, how is the engine?"),
            ("2024-05-04T17:30:00Z", False, "It computes Bernoulli numbers."),
        ]
        listed = http.get(f"{api}/contacts/{contact['id']}/conversations", timeout=10).json()
        assert [c["id"] for c in listed["data"]] == [conversation_id]

        # 5. Delete the contact: the id comes back as the string of the URL.
        deleted = http.delete(f"{api}/contacts/{contact['id']}", timeout=10)
        assert deleted.json() == {"deleted": True, "id": str(contact["id"])}

        # 6. What Monica shows afterwards: the contact is gone...
        assert http.get(f"{api}/contacts/{contact['id']}", timeout=10).status_code == 404
        assert http.get(f"{api}/contacts/{contact['id']}/conversations", timeout=10).status_code == 404
        search = http.get(f"{api}/contacts", params={"query": "Lovelace"}, timeout=10).json()
        assert search["meta"]["total"] == 0
        # ...but its conversation is still listed and readable, with a null contact everywhere.
        after = http.get(f"{api}/conversations/{conversation_id}", timeout=10).json()["data"]
        assert after["contact"] is None
        assert [m["content"] for m in after["messages"]] == [m["content"] for m in got["messages"]]
        assert all(m["contact"] is None for m in after["messages"])
        all_ids = [c["id"] for c in http.get(f"{api}/conversations", params={"limit": 100}, timeout=10).json()["data"]]
        assert conversation_id in all_ids
        # Writing to it fails where Monica's services follow the (now null) contact.
        more = http.post(f"{api}/conversations/{conversation_id}/messages",
                         json={"written_at": "2024-05-05", "written_by_me": True, "content": "Hello?"}, timeout=10)
        assert (more.status_code, more.json()["error"]["error_code"]) == (404, 31)
        gone = http.delete(f"{api}/conversations/{conversation_id}", timeout=10)
        assert (gone.status_code, gone.json()) == (500, {"message": "Call to a member function throwInactive() on null"})
        # Deleting the contact again is Laravel's own 404, not Monica's error body.
        again = http.delete(f"{api}/contacts/{contact['id']}", timeout=10)
        assert again.status_code == 404 and set(again.json()) == {"message"}
