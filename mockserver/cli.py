"""The `mockserver` command: `mockserver serve` runs the fake until Ctrl-C or SIGTERM."""
from __future__ import annotations

import argparse
import signal
import sys
from typing import Any, Sequence

from .config import DEFAULT_MONICA_TOKEN, DEFAULT_VITALLY_KEY


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mockserver", description="A faithful fake of the Vitally and Monica Conversations APIs.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the fake server")
    serve.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8080, help="port to bind; 0 picks a free one (default 8080)")
    serve.add_argument("--seed", type=int, default=0, help="seed of the generated data (default 0)")
    serve.add_argument("--vitally-key", action="append", dest="vitally_keys", metavar="KEY",
                       help=f"a Vitally API key; repeat for more isolated workspaces (default {DEFAULT_VITALLY_KEY})")
    serve.add_argument("--monica-token", action="append", dest="monica_tokens", metavar="TOKEN",
                       help=f"a Monica API token; repeat for more isolated accounts (default {DEFAULT_MONICA_TOKEN})")
    serve.add_argument("--vitally-rate-limit", type=int, help="Vitally requests per minute per key (default 1000)")
    serve.add_argument("--monica-rate-limit", type=int, help="Monica requests per minute per token (default 60)")
    serve.add_argument("--max-body-bytes", type=int, help="largest request body accepted (default 1048576)")
    serve.add_argument("--server", choices=("waitress", "werkzeug"), default="waitress", help="WSGI server (default waitress)")
    serve.add_argument("--threads", type=int, default=8, help="waitress worker threads (default 8)")
    return parser


def _options(args: argparse.Namespace) -> dict[str, Any]:
    options: dict[str, Any] = {"seed": args.seed}
    for name in ("vitally_keys", "monica_tokens", "vitally_rate_limit", "monica_rate_limit", "max_body_bytes"):
        value = getattr(args, name)
        if value is not None:
            options[name] = value
    return options


def _announce(url: str, config: Any) -> None:
    print(f"mockserver listening on {url}", flush=True)
    for key in config.vitally_keys:
        print(f"  vitally  base URL {url}/resources  API key {key} (HTTP Basic, key as user name)", flush=True)
    for token in config.monica_tokens:
        print(f"  monica   base URL {url}/api  token {token} (Authorization: Bearer)", flush=True)
    print(f"  control  POST {url}/__mockserver/reset", flush=True)


def serve(args: argparse.Namespace) -> int:
    from .app import create_app

    app = create_app(_options(args))
    config = app.extensions["mockserver"].config

    def _stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    # Both explicitly: a shell starts background jobs with SIGINT ignored, and Python
    # then keeps it ignored, so `mockserver serve &` would not stop on `kill -INT`.
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    host_for_url = "127.0.0.1" if args.host in ("0.0.0.0", "") else args.host
    try:
        if args.server == "waitress":
            from waitress.server import create_server

            server = create_server(app, host=args.host, port=args.port, threads=args.threads, ident="mockserver")
            _announce(f"http://{host_for_url}:{server.effective_port}", config)
            try:
                server.run()
            finally:
                server.close()
        else:
            from werkzeug.serving import make_server

            wserver = make_server(args.host, args.port, app, threaded=True)
            _announce(f"http://{host_for_url}:{wserver.server_port}", config)
            try:
                wserver.serve_forever()
            finally:
                wserver.server_close()
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        print(f"mockserver: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print("mockserver stopped", flush=True)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "serve":
        return serve(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
