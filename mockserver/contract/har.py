"""HAR 1.2 (HTTP Archive): read any browser's or proxy's export, write our own."""
from __future__ import annotations

import base64
import datetime
import json
from typing import Any, Iterable
from urllib.parse import parse_qsl, urlsplit

from .. import __version__
from .exchange import CannotRun, Exchange, header


def _iso(timestamp: float) -> str:
    return datetime.datetime.fromtimestamp(timestamp, datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _unix(text: str) -> float:
    try:
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except (ValueError, AttributeError):
        return 0.0


def _pairs(headers: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"name": name, "value": value} for name, value in headers]


def entry(exchange: Exchange) -> dict[str, Any]:
    """One HAR entry. Bodies that are not UTF-8 text are kept base64-encoded."""
    request: dict[str, Any] = {
        "method": exchange.method,
        "url": exchange.url,
        "httpVersion": "HTTP/1.1",
        "cookies": [],
        "headers": _pairs(exchange.request_headers),
        "queryString": [{"name": k, "value": v} for k, v in parse_qsl(urlsplit(exchange.url).query, keep_blank_values=True)],
        "headersSize": -1,
        "bodySize": len(exchange.request_body),
    }
    if exchange.request_body:
        kind = header(exchange.request_headers, "Content-Type") or "application/octet-stream"
        request["postData"] = {"mimeType": kind, "text": exchange.request_body.decode("utf-8", "replace")}
    content: dict[str, Any] = {"size": len(exchange.response_body), "mimeType": header(exchange.response_headers, "Content-Type") or ""}
    try:
        content["text"] = exchange.response_body.decode("utf-8")
    except UnicodeDecodeError:
        content["text"], content["encoding"] = base64.b64encode(exchange.response_body).decode(), "base64"
    elapsed = round(exchange.elapsed * 1000, 3)
    return {
        "startedDateTime": _iso(exchange.started),
        "time": elapsed,
        "request": request,
        "response": {
            "status": exchange.status,
            "statusText": "",
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": _pairs(exchange.response_headers),
            "content": content,
            "redirectURL": header(exchange.response_headers, "Location") or "",
            "headersSize": -1,
            "bodySize": len(exchange.response_body),
        },
        "cache": {},
        "timings": {"send": 0, "wait": elapsed, "receive": 0},
    }


def document(entries: list[dict[str, Any]]) -> dict[str, Any]:
    return {"log": {"version": "1.2", "creator": {"name": "mockserver", "version": __version__}, "entries": entries}}


def _headers(raw: Any) -> tuple[tuple[str, str], ...]:
    return tuple((str(h.get("name", "")), str(h.get("value", ""))) for h in raw or () if isinstance(h, dict))


def exchanges(data: Any, source: str) -> list[Exchange]:
    """The exchanges of a parsed HAR document."""
    entries = data.get("log", {}).get("entries") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise CannotRun(f"{source} is not a HAR file (no log.entries)")
    out = []
    for number, item in enumerate(entries, 1):
        try:
            request, response = item["request"], item["response"]
            content = response.get("content") or {}
            text = content.get("text") or ""
            body = base64.b64decode(text) if content.get("encoding") == "base64" else text.encode("utf-8")
            posted = (request.get("postData") or {}).get("text") or ""
            out.append(Exchange(
                method=str(request["method"]).upper(),
                url=str(request["url"]),
                status=int(response["status"]),
                response_headers=_headers(response.get("headers")),
                response_body=body,
                request_headers=_headers(request.get("headers")),
                request_body=posted.encode("utf-8"),
                started=_unix(str(item.get("startedDateTime", ""))),
                elapsed=float(item.get("time") or 0) / 1000,
                source=f"{source} entry {number}",
            ))
        except (KeyError, TypeError, ValueError) as exc:
            raise CannotRun(f"{source} entry {number} is not a HAR entry ({exc})") from None
    return out


def dumps(entries: list[dict[str, Any]]) -> str:
    return json.dumps(document(entries), indent=1, ensure_ascii=False)
