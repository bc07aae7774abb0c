"""The baseline: a bare Flask app returning canned JSON, the same bodies the fake sends.

Each case is served at `/case/<name>` for any method, with the fake's status code and
the fake's response body (parsed once, answered with `jsonify` as a plain Flask view
would), so the difference to the fake is everything that makes it a fake: auth, rate
limit, validation, the store and the shaping of records.

Run as a program it is the loopback baseline: `python -m bench.baseline --payloads F`.
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from flask import Flask, jsonify
from werkzeug.serving import make_server

Payloads = dict[str, tuple[int, Any]]  # case name -> (status, JSON body)


def baseline_app(payloads: Payloads) -> Flask:
    app = Flask("baseline")
    app.json.sort_keys = False  # type: ignore[attr-defined]  # as the fake does

    @app.route("/case/<name>", methods=["GET", "POST", "PUT"])
    def case(name: str) -> Any:
        status, body = payloads[name]
        return jsonify(body), status

    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="bare Flask baseline server")
    parser.add_argument("--payloads", required=True, help="JSON file: {case: [status, body]}")
    parser.add_argument("--server", choices=("waitress", "werkzeug"), default="waitress")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads (as mockserver serve)")
    args = parser.parse_args(argv)
    with open(args.payloads, encoding="utf-8") as f:
        payloads = {name: (status, body) for name, (status, body) in json.load(f).items()}
    app = baseline_app(payloads)
    if args.server == "waitress":
        from waitress.server import create_server

        server = create_server(app, host="127.0.0.1", port=0, threads=args.threads)
        print(f"baseline listening on http://127.0.0.1:{server.effective_port}", flush=True)
        server.run()
    else:
        # The default handler, access log and all, as `mockserver serve --server werkzeug` runs.
        wserver = make_server("127.0.0.1", 0, app, threaded=True)
        print(f"baseline listening on http://127.0.0.1:{wserver.server_port}", flush=True)
        wserver.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
