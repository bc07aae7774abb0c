"""MockServer: the fake on a real port, in a daemon thread of the current process."""
from __future__ import annotations

import http.client
import socket
import threading
import time
from typing import Any

from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from .app import create_app, state_of


class _QuietHandler(WSGIRequestHandler):
    """No access log on stderr: the fake runs inside other people's test output."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


class MockServer:
    """A started fake is a URL: `url`, `vitally.base_url`, `monica.base_url`.

    >>> with MockServer(seed=1) as server:
    ...     server.vitally.base_url   # 'http://127.0.0.1:53211/resources'
    """

    def __init__(self, seed: int = 0, host: str = "127.0.0.1", port: int = 0, **options: Any) -> None:
        self.host = host
        self.port = port
        self.app: Flask = create_app(seed=seed, **options)
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------
    def start(self, timeout: float = 5.0) -> "MockServer":
        """Bind (raising OSError if the port is taken), serve, and wait until it answers."""
        if self._server is not None:
            return self
        # Bind here so a taken port raises OSError (werkzeug would print and sys.exit).
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        with socket.create_server((self.host, self.port), family=family) as sock:
            # Threaded, with daemon handler threads: an idle client cannot hold up stop().
            server = make_server(self.host, self.port, self.app, threaded=True, request_handler=_QuietHandler, fd=sock.fileno())
        self._server = server
        self.port = server.socket.getsockname()[1]
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=f"mockserver:{self.port}", daemon=True)
        self._thread.start()
        try:
            self._wait_ready(timeout)
        except Exception:
            self.stop()
            raise
        return self

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        last: Exception | None = None
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection(self._connect_host, self.port, timeout=max(0.1, deadline - time.monotonic()))
                try:
                    conn.request("GET", "/__mockserver/health")
                    if conn.getresponse().status == 200:
                        return
                finally:
                    conn.close()
            except OSError as exc:
                last = exc
            time.sleep(0.01)
        raise TimeoutError(f"mockserver did not answer on {self.url} within {timeout}s: {last}")

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None

    def __enter__(self) -> "MockServer":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- state -----------------------------------------------------------------
    def reset(self) -> None:
        """Back to the seeded state: data, id sequences, rate-limit windows."""
        state_of(self.app).store.reset()

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def _connect_host(self) -> str:
        return {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(self.host, self.host)

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("MockServer is not started: call start() or use it as a context manager")
        host = self._connect_host
        return f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"

    def url_for(self, path: str) -> str:
        return self.url + "/" + path.lstrip("/")

    @property
    def vitally(self) -> Any:
        """The first Vitally workspace (default key `sk_test_mockserver`)."""
        return self.vitally_workspace()

    def vitally_workspace(self, api_key: str | None = None) -> Any:
        return state_of(self.app).vendors["vitally"].handle(self, api_key)

    @property
    def monica(self) -> Any:
        """The first Monica account (default token `mockserver-token`)."""
        return self.monica_account()

    def monica_account(self, token: str | None = None) -> Any:
        return state_of(self.app).vendors["monica"].handle(self, token)

    def __repr__(self) -> str:
        where = self.url if self._server else "not started"
        return f"<MockServer {where}>"
