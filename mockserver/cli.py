"""The `mockserver` command: `serve` runs the fake until Ctrl-C or SIGTERM; `openapi`
prints a vendor's OpenAPI document; `contract` checks a vendor against the fake's schemas."""
from __future__ import annotations

import argparse
import ipaddress
import json
import os
import signal
import socket
import sys
from typing import Any, Callable, Sequence

from . import __version__
from .app import create_app, state_of
from .errors import OptionError
from .openapi import document
from .registry import VENDORS
from .transport import SERVERS, check_host, listen


def _int_at_least(minimum: int, maximum: int | None = None) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum or (maximum is not None and value > maximum):
            span = f"from {minimum} to {maximum}" if maximum is not None else f"at least {minimum}"
            raise argparse.ArgumentTypeError(f"{value} is out of range: it must be {span}")
        return value

    return parse


def _host(text: str) -> str:
    try:
        return check_host(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _sizes(text: str) -> dict[str, int]:
    """`conversations=100,users=5` -> {"conversations": 100, "users": 5}; names are checked with the options."""
    counts: dict[str, int] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, equals, value = item.partition("=")
        if not equals or not name.strip():
            raise argparse.ArgumentTypeError(f"{item!r} is not NAME=COUNT (e.g. conversations=100,users=5)")
        counts[name.strip()] = _int_at_least(0)(value.strip())
    return counts


def _vendor_names() -> list[str]:
    return [kind.name for kind in VENDORS]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mockserver", description="A faithful fake of the Vitally and Monica Conversations APIs.")
    parser.add_argument("--version", action="version", version=f"mockserver {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the fake server")
    serve.add_argument("--host", type=_host, default="127.0.0.1", metavar="H", help="interface to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=_int_at_least(0, 65535), default=8080, metavar="P", help="port to bind, 0-65535; 0 picks a free one (default 8080)")
    serve.add_argument("--seed", type=int, default=0, metavar="N", help="seed of the generated data (default 0)")
    serve.add_argument("--locale", help="locale of the seeded names and text, e.g. de_DE (needs the faker extra; default en_US)")
    serve.add_argument("--vitally-key", action="append", dest="vitally_keys", metavar="KEY",
                       help="a Vitally API key; repeat for more isolated workspaces (default sk_test_mockserver)")
    serve.add_argument("--monica-token", action="append", dest="monica_tokens", metavar="TOKEN",
                       help="a Monica API token; repeat for more isolated accounts (default mockserver-token)")
    serve.add_argument("--vitally-rate-limit", type=_int_at_least(1), metavar="N", help="Vitally requests per minute per key (default 1000)")
    serve.add_argument("--monica-rate-limit", type=_int_at_least(1), metavar="N", help="Monica requests per minute per token (default 60)")
    serve.add_argument("--monica-partial-writes", action="store_true",
                       help="keep what a Monica write refused half-way had written, as Monica does (default: a refused write changes nothing)")
    serve.add_argument("--max-body-bytes", type=_int_at_least(1), metavar="N", help="largest request body accepted (default 1048576)")
    for vendor in _vendor_names():
        serve.add_argument(f"--{vendor}-sizes", type=_sizes, dest=f"{vendor}_sizes", metavar="NAME=N,...",
                           help=f"how much {vendor} data to generate per tenant, e.g. conversations=100,users=5 (others keep their defaults)")
    data = serve.add_mutually_exclusive_group()
    data.add_argument("--fixtures", action="append", metavar="PATH",
                      help="load a data set file instead of generated data (repeat to combine files, one vendor section each)")
    data.add_argument("--empty", action="store_true", help="tenants with no records (Monica keeps a new account's contact field types and me contact)")
    serve.add_argument("--server", choices=SERVERS, default="waitress", help="WSGI server (default waitress)")
    serve.add_argument("--threads", type=_int_at_least(1), default=8, metavar="N", help="worker threads (default 8)")
    serve.add_argument("--journal-size", type=_int_at_least(0), metavar="N",
                       help="requests the journal keeps, oldest dropped first; 0 turns it off (default 1000)")
    serve.add_argument("--no-control-api", dest="control_api", action="store_false",
                       help="switch off the routes under /__mockserver: they answer 404 as any unknown path does")
    openapi = commands.add_parser("openapi", help="print a vendor's OpenAPI 3.1 document (JSON)")
    openapi.add_argument("vendor", choices=_vendor_names())
    from .contract.cli import add_parser as add_contract  # argparse only: the checks load when they run

    add_contract(commands, _int_at_least)
    return parser


def _options(args: argparse.Namespace) -> dict[str, Any]:
    options: dict[str, Any] = {"seed": args.seed}
    sizes = tuple(f"{vendor}_sizes" for vendor in _vendor_names())
    for name in ("locale", "vitally_keys", "monica_tokens", "vitally_rate_limit", "monica_rate_limit", "max_body_bytes", "fixtures", "journal_size", *sizes):
        value = getattr(args, name)
        if value is not None:
            options[name] = value
    for flag in ("empty", "monica_partial_writes"):
        if getattr(args, flag):
            options[flag] = True
    if not args.control_api:
        options["control_api"] = False
    return options


def is_loopback(host: str) -> bool:
    """Whether every address `host` stands for is on this machine only (a wildcard
    such as 0.0.0.0 is not: it listens on every interface)."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except (socket.gaierror, UnicodeError):
        return False
    return bool(addresses) and all(ipaddress.ip_address(str(a).split("%")[0]).is_loopback for a in addresses)


def _announce(url: str, app: Any) -> None:
    print(f"mockserver listening on {url}", flush=True)
    for vendor in state_of(app).vendors.values():
        for line in vendor.describe(url):
            print(f"  {line}", flush=True)
    if state_of(app).config.control_api:
        print(f"  control  POST {url}/__mockserver/reset", flush=True)


def _warn_open_control_api(host: str, url: str) -> None:
    print(f"mockserver: warning: listening on {host}, so the control API ({url}/__mockserver/) is reachable from other "
          "machines without credentials: anyone who can connect can reset the data, read the request journal (with the "
          "credentials clients sent) and set faults. Use --no-control-api to switch it off.", file=sys.stderr, flush=True)


def serve(args: argparse.Namespace) -> int:
    try:
        app = create_app(_options(args))
    except OptionError as exc:
        print(f"mockserver: {exc}", file=sys.stderr)
        return 2

    def _stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    # Both explicitly: a shell starts background jobs with SIGINT ignored, and Python
    # then keeps it ignored, so `mockserver serve &` would not stop on `kill -INT`.
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        server = listen(app, args.host, args.port, server=args.server, threads=args.threads)
    except OSError as exc:
        reason = os.strerror(exc.errno) if exc.errno else str(exc)  # the same words whichever server bound
        print(f"mockserver: cannot listen on {args.host}:{args.port}: {reason}", file=sys.stderr)
        return 1
    try:  # a signal from here on is a clean stop, even during the banner
        if args.control_api and not is_loopback(args.host):
            _warn_open_control_api(args.host, server.url)
        _announce(server.url, app)
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    print("mockserver stopped", flush=True)
    return 0


def openapi(args: argparse.Namespace) -> int:
    app = create_app()
    print(json.dumps(document(state_of(app).vendor(args.vendor)), indent=2))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "serve":
        return serve(args)
    if args.command == "openapi":
        return openapi(args)
    if args.command == "contract":
        from .contract.cli import run as contract

        return contract(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
