"""The control API's page for a browser: tenants, record counts, the latest requests.

Plain server-rendered HTML (no script, no assets), built under the store lock by the
index view. Every value is escaped: paths and credentials come from clients.
"""
from __future__ import annotations

import time
from html import escape
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    from .app import MockState

LATEST = 25  # journal entries shown, newest first

_STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin-bottom: 2em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
code { font: 13px ui-monospace, monospace; }
.rejected { color: #a00; }
"""


def _row(cells: Iterable[str], cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    return f"<tr{attr}>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>"


def _table(table_id: str, headings: Iterable[str], rows: list[str], empty: str) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headings)
    body = "".join(rows) if rows else f'<tr><td colspan="99">{escape(empty)}</td></tr>'
    return f'<table id="{table_id}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def render(state: "MockState") -> str:
    tenants = []
    for vendor in state.vendors.values():
        counts = vendor.record_counts()
        for credential in vendor.credentials:
            kinds = ", ".join(f"{escape(kind)}: {n}" for kind, n in counts.get(credential, {}).items())
            tenants.append(_row([escape(vendor.name), f"<code>{escape(vendor.prefix)}</code>", f"<code>{escape(credential)}</code>", kinds]))

    journal = state.journal
    latest = journal[-LATEST:][::-1] if journal.enabled else []
    requests = []
    for entry in latest:
        target = entry.path + (f"?{entry.query_string}" if entry.query_string else "")
        requests.append(_row([
            str(entry.id),
            escape(time.strftime("%H:%M:%S", time.localtime(entry.time))),
            escape(entry.method),
            f"<code>{escape(target)}</code>",
            "no answer" if entry.status is None else str(entry.status),
            escape(entry.reason or ""),
            escape(entry.operation or ""),
            f"<code>{escape(entry.tenant or '')}</code>",
        ], "rejected" if entry.reason else ""))
    if not journal.enabled:
        journal_note = "The journal is off (journal_size=0)."
    else:
        journal_note = f"{len(journal)} of at most {journal.capacity} kept"
        journal_note += f", {journal.dropped} older dropped." if journal.dropped else "."

    routes = [
        _row([escape(op.method), f"<code>{escape(op.full_path)}</code>", escape(op.summary)])
        for op in state.operations.values() if op.vendor == "control"
    ]
    rules = [
        _row([str(rule.id), escape(rule.method), f"<code>{escape(rule.path)}</code>",
              escape(", ".join(f"{k}={v}" for k, v in rule.as_json().items() if k in ("status", "error", "delay") and v is not None)),
              f"{rule.fired}" + (f" of {rule.times}" if rule.times is not None else "")])
        for rule in state.faults
    ]
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8"><title>mockserver</title>',
        f"<style>{_STYLE}</style></head><body>",
        "<h1>mockserver</h1>",
        "<h2>Tenants</h2>",
        _table("tenants", ["vendor", "prefix", "credential", "records"], tenants, "no tenants"),
        "<h2>Latest requests</h2>",
        f'<p id="journal-size">{escape(journal_note)}</p>',
        _table("requests", ["#", "time", "method", "path", "status", "rejected", "operation", "tenant"], requests,
               "No requests yet."),
        "<h2>Fault rules</h2>",
        _table("faults", ["#", "method", "path", "fault", "fired"], rules, "No fault rules."),
        "<h2>Control API</h2>",
        _table("routes", ["method", "path", "what"], routes, "no routes"),
        "</body></html>",
    ])
