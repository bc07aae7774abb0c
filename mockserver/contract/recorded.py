"""The offline check: recorded exchanges, matched to operations through the table.

PATH is a HAR file (`.har`, or `.json` with a `log`), a VCR.py / pytest-recording
cassette (`.yaml`/`.yml`; reading one needs PyYAML), or a folder of exchange files:

    exchanges/001-list.json
    {"request":  {"method": "GET", "url": "https://app.monicahq.com/api/conversations?page=2",
                  "headers": {"Accept": "application/json"}},
     "response": {"status": 200, "headers": {"Content-Type": "application/json"},
                  "body": {"data": [], "links": {}, "meta": {}}}}

one exchange per `*.json` file, read in file-name order. `url` may be a path; `body`
is the JSON answer, or `text` holds a body that is not JSON; headers are optional
(`Content-Type` defaults to application/json when `body` is given).
"""
from __future__ import annotations

import gzip
import json
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .check import TOLERANCE, Finding, check_exchange, table_file
from .exchange import CannotRun, Exchange, header
from .har import exchanges as har_exchanges
from .report import Report

if TYPE_CHECKING:
    from ..operations import Operation
    from ..surface import Vendor


def read(path: Path) -> list[Exchange]:
    if path.is_dir():
        return _folder(path)
    if not path.is_file():
        raise CannotRun(f"no such file or folder: {path}")
    if path.suffix.lower() in (".yaml", ".yml"):
        return _cassette(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise CannotRun(f"{path} is not JSON ({exc}); a recording is a HAR file, a cassette (.yaml) or a folder of JSON files") from None
    return har_exchanges(data, str(path))


def _decoded(body: bytes, headers: tuple[tuple[str, str], ...]) -> bytes:
    """A cassette keeps a compressed answer as it came (unless VCR was told to decode it)."""
    encoding = (header(headers, "Content-Encoding") or "").lower()
    try:
        if encoding == "gzip":
            return gzip.decompress(body)
        if encoding == "deflate":
            return zlib.decompress(body)
    except (OSError, zlib.error):
        pass  # already decoded by the recorder
    return body


def _cassette_headers(raw: Any) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    for name, values in (raw or {}).items():
        for value in values if isinstance(values, list) else [values]:
            out.append((str(name), str(value)))
    return tuple(out)


def _bytes(value: Any) -> bytes:
    if isinstance(value, dict):  # a response body: {"string": ...}
        value = value.get("string")
    if value is None:
        return b""
    return value if isinstance(value, bytes) else str(value).encode("utf-8")


def _cassette(path: Path) -> list[Exchange]:
    try:
        import yaml  # optional: pip install 'conversations-mockserver[cassettes]'
    except ImportError:
        raise CannotRun("reading a cassette needs PyYAML: pip install 'conversations-mockserver[cassettes]'") from None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise CannotRun(f"{path} is not a YAML cassette ({str(exc).splitlines()[0]})") from None
    interactions = data.get("interactions") if isinstance(data, dict) else None
    if not isinstance(interactions, list):
        raise CannotRun(f"{path} is not a VCR.py cassette (no interactions)")
    out = []
    for number, item in enumerate(interactions, 1):
        try:
            request, response = item["request"], item["response"]
            headers = _cassette_headers(response.get("headers"))
            status = response["status"]
            out.append(Exchange(
                method=str(request["method"]).upper(),
                url=str(request["uri"]),
                status=int(status["code"] if isinstance(status, dict) else status),
                response_headers=headers,
                response_body=_decoded(_bytes(response.get("body")), headers),
                request_headers=_cassette_headers(request.get("headers")),
                request_body=_bytes(request.get("body")),
                source=f"{path} interaction {number}",
            ))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise CannotRun(f"{path} interaction {number} is not a VCR.py interaction ({exc})") from None
    return out


def _folder(path: Path) -> list[Exchange]:
    files = sorted(path.glob("*.json"))
    if not files:
        raise CannotRun(f"{path} holds no *.json exchange files")
    out = []
    for file in files:
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
            request, response = data["request"], data["response"]
            headers = dict(response.get("headers") or {})
            if "body" in response:
                body = json.dumps(response["body"]).encode("utf-8")
                if not any(k.lower() == "content-type" for k in headers):
                    headers["Content-Type"] = "application/json"
            else:
                body = str(response.get("text", "")).encode("utf-8")
            sent = request.get("body")
            out.append(Exchange(
                method=str(request["method"]).upper(),
                url=str(request["url"]),
                status=int(response["status"]),
                response_headers=tuple((str(k), str(v)) for k, v in headers.items()),
                response_body=body,
                request_headers=tuple((str(k), str(v)) for k, v in (request.get("headers") or {}).items()),
                request_body=b"" if sent is None else (sent if isinstance(sent, str) else json.dumps(sent)).encode("utf-8"),
                source=str(file),
            ))
        except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise CannotRun(f"{file} is not an exchange file ({exc}); see `mockserver contract --help`") from None
    return out


def api_path(vendor: "type[Vendor[Any]]", path: str) -> str | None:
    """The part of `path` from the vendor's API prefix on (a self-hosted Monica may sit
    under a sub-path), or None when the prefix is not in it."""
    path = "/" + "/".join(part for part in path.split("/") if part)  # `//resources` as Airbyte sends it
    prefix = vendor.prefix
    start = 0
    while True:
        found = path.find(prefix, start)
        if found < 0:
            return None
        end = found + len(prefix)
        if end == len(path) or path[end] == "/":
            return path[found:]
        start = found + 1


def match(vendor: "type[Vendor[Any]]", method: str, path: str) -> "Operation | None":
    rest = api_path(vendor, path)
    return vendor.table.match(method, rest) if rest is not None else None


def check_recorded(vendor: "type[Vendor[Any]]", others: "list[type[Vendor[Any]]]", path: Path, strict: bool = False) -> Report:
    found = read(path)
    report = Report(vendor.name, "recorded", str(path), [op.id for op in vendor.table], strict=strict)
    for exchange in found:
        operation = match(vendor, exchange.method, exchange.path)
        if operation is not None:
            report.record(operation.id, exchange.status, check_exchange(vendor, operation, exchange))
            continue
        elsewhere = next(((other, op) for other in others for op in [match(other, exchange.method, exchange.path)] if op is not None), None)
        if elsewhere is not None:
            got, why = f"{elsewhere[1].id}, an operation of {elsewhere[0].name}", "a request to another vendor's API: not checked"
        else:
            got, why = f"no operation of {vendor.name} ({exchange.source})", "an unknown route: not checked"
        report.findings.append(Finding(TOLERANCE, "route", "", f"{exchange.method} {exchange.target}", exchange.status, exchange.path,
                                       f"a route of {vendor.name}'s operation table", got, table_file(vendor), why))
    report.notes.append(f"{len(found)} recorded exchange{'s' if len(found) != 1 else ''} read from {path}")
    return report
