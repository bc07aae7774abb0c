"""Client JSON read and walked without unbounded recursion.

Python's json module recurses once per level of nesting, and so does a recursive walk
over the decoded value; a client can nest `[[[[...]]]]` as deep as its body allows, and
where the RecursionError then strikes depends on how deep the stack already is. So the
nesting is measured on the text first, with a flat scan, and a body deeper than the
caller's limit is refused before it is decoded (each vendor says what that means:
PHP's json_decode() reads it as null, Vitally answers 400). Walks over a decoded value
(`rebuild`) use a stack of their own, so they work at any depth.
"""
from __future__ import annotations

import json
import re
from typing import Any, Callable, Iterable, Iterator

# A JSON string (skipped: brackets inside it do not nest) or one bracket.
_TOKENS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)
_OPEN = frozenset(b"[{")


# The fake's own limit where the vendor states none (Vitally, the control API): deep
# enough for any real body, shallow enough that every answer can be encoded.
MAX_DEPTH = 512


class TooDeep(ValueError):
    """JSON text nested deeper than the reader's limit."""


def deeper_than(raw: bytes, limit: int) -> bool:
    """Whether arrays and objects in `raw` nest more than `limit` levels deep.

    Text that is not JSON is measured by its brackets all the same: it is refused either way.
    """
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False  # it cannot nest deeper than it has brackets
    depth = 0
    for token in _TOKENS.finditer(raw):
        first = token.group()[0]
        if first in _OPEN:
            depth += 1
            if depth > limit:
                return True
        elif first != 0x22:  # a closing bracket (0x22 is the quote of a string)
            depth -= 1
    return False


def decode(raw: bytes, max_depth: int, **options: Any) -> Any:
    """`raw` as strict UTF-8 JSON (no BOM, no UTF-16 guess), nested at most `max_depth`
    levels; `options` are json.loads's (parse_float, parse_constant...).

    Raises ValueError for anything else: TooDeep, UnicodeDecodeError, JSONDecodeError.
    """
    if deeper_than(raw, max_depth):
        raise TooDeep(f"JSON nested deeper than {max_depth} levels")
    return json.loads(raw.decode("utf-8"), **options)


def strings(value: Any) -> Iterator[str]:
    """Every string in a JSON value, object keys included, without recursion."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _same(value: Any) -> Any:
    return value


def rebuild(
    value: Any,
    leaf: Callable[[Any], Any] = _same,
    mapping: Callable[[Iterable[tuple[Any, Any]]], Any] = dict,
    sequence: Callable[[Iterable[Any]], Any] = list,
    keep: Callable[[Any], bool] | None = None,
) -> Any:
    """A JSON value rebuilt bottom-up, without recursion: every leaf through `leaf`, every
    object through `mapping` (given its key/value pairs) and every array through
    `sequence` (given its items); a part for which `keep` is true is taken as it is."""

    def is_container(item: Any) -> bool:
        return isinstance(item, (dict, list)) and not (keep is not None and keep(item))

    if not is_container(value):
        return value if keep is not None and keep(value) else leaf(value)
    # Each frame: the source container, an iterator over its items, the rebuilt items so
    # far, and for a child being rebuilt, the key it goes under (None in an array).
    stack: list[tuple[Any, Any, list[Any], list[Any]]] = []

    def push(container: Any) -> None:
        items = iter(container.items()) if isinstance(container, dict) else iter(container)
        stack.append((container, items, [], []))

    push(value)
    while True:
        container, items, built, pending_key = stack[-1]
        is_dict = isinstance(container, dict)
        for item in items:
            key, child = item if is_dict else (None, item)
            if is_container(child):
                pending_key.append(key)
                push(child)
                break
            done = child if keep is not None and keep(child) else leaf(child)
            built.append((key, done) if is_dict else done)
        else:
            stack.pop()
            result = mapping(built) if is_dict else sequence(built)
            if not stack:
                return result
            parent, _, parent_built, parent_key = stack[-1]
            key = parent_key.pop()
            parent_built.append((key, result) if isinstance(parent, dict) else result)
