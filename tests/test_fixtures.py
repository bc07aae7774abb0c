"""The docs' own examples against our request schemas: what Vitally documents as a
valid request must pass validation in the fake."""
from __future__ import annotations

import json

from mockserver import validation
from mockserver.resources import data_dir


def _examples() -> dict:
    return json.loads((data_dir("fixtures") / "vitally" / "docs-examples.json").read_text())


def test_documented_requests_pass_our_request_schemas():
    examples = _examples()
    assert validation.problems("vitally", "conversation.create", examples["createConversationRequest"]) == []
    assert validation.problems("vitally", "conversation.update", examples["updateConversationRequest"]) == []


def test_documented_message_shape_matches_ours_but_for_placeholder_ids():
    documented = _examples()["createMessageResponse"]
    problems = validation.problems("vitally", "message", documented)
    # The docs use "xxxxxxxx-…" placeholders where Vitally sends UUIDs; every other field matches.
    assert problems and all(p.message.endswith("has an invalid format") for p in problems)
    assert {p.path.split(".")[-1] for p in problems} == {"id", "conversationId"}
