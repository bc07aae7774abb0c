"""Socket servers around the fake's WSGI app: the one way MockServer and `serve` build one.

`listen()` binds at once (a taken port raises OSError, never a print and sys.exit),
and returns a `SocketServer`: `port`, `url`, `serve_forever()` (blocking) and
`shutdown()` (from any thread). Every answer carries `Server: mockserver`, whatever
the server behind it; no access log is written unless asked for.
"""
from __future__ import annotations

import ipaddress
import socket
import threading
from typing import Any, Callable, Protocol

SERVER_HEADER = "mockserver"
SERVERS = ("waitress", "werkzeug")


def url_host(host: str) -> str:
    """The host to put in a URL for a bound address: a wildcard becomes loopback, an IPv6
    address gets its brackets."""
    connect = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
    return f"[{connect}]" if ":" in connect else connect


def connect_host(host: str) -> str:
    """The address a client on this machine connects to for a server bound to `host`."""
    return url_host(host).strip("[]")


def check_host(host: str) -> str:
    """`host` if it is an IP address or a resolvable name, else a ValueError saying why."""
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    try:
        socket.getaddrinfo(host, None)
    except (socket.gaierror, UnicodeError) as exc:
        raise ValueError(f"{host!r} is not an IP address or a name this machine can resolve ({exc})") from None
    return host


class SocketServer(Protocol):
    host: str
    port: int

    @property
    def url(self) -> str: ...

    def serve_forever(self) -> None: ...

    def shutdown(self) -> None: ...


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


class _WerkzeugServer:
    def __init__(self, app: Callable[..., Any], host: str, port: int, log_requests: bool) -> None:
        from werkzeug.serving import WSGIRequestHandler, make_server  # only the chosen server is imported

        class Handler(WSGIRequestHandler):
            def version_string(self) -> str:
                return SERVER_HEADER

            def log_request(self, *args: Any, **kwargs: Any) -> None:
                if log_requests:
                    super().log_request(*args, **kwargs)

        # Bind here so a taken port raises OSError (werkzeug would print and sys.exit).
        with socket.create_server((host, port), family=_family(host)) as sock:
            # Threaded, with daemon handler threads: an idle client cannot hold up shutdown().
            self._server = make_server(host, port, app, threaded=True, request_handler=Handler, fd=sock.fileno())
        self.host = host
        self.port = int(self._server.socket.getsockname()[1])

    @property
    def url(self) -> str:
        return f"http://{url_host(self.host)}:{self.port}"

    def serve_forever(self) -> None:
        try:
            self._server.serve_forever(poll_interval=0.05)
        finally:
            self._server.server_close()

    def shutdown(self) -> None:
        self._server.shutdown()


class _WaitressServer:
    def __init__(self, app: Callable[..., Any], host: str, port: int, threads: int) -> None:
        from waitress.server import create_server  # only the chosen server is imported

        # Waitress writes no access log at all.
        server: Any = create_server(app, host=host, port=port, threads=threads, ident=SERVER_HEADER, expose_tracebacks=False)
        self._server = server
        self.host = host
        self.port = int(server.effective_port)
        self._stopped = threading.Event()

    @property
    def url(self) -> str:
        return f"http://{url_host(self.host)}:{self.port}"

    def serve_forever(self) -> None:
        try:
            self._server.run()
        finally:
            self._server.task_dispatcher.shutdown()
            self._stopped.set()

    def shutdown(self) -> None:
        server = self._server

        def close_all() -> None:  # runs in the server's loop: an empty map ends run()
            for dispatcher in list(server._map.values()):
                dispatcher.close()

        server.trigger.pull_trigger(close_all)
        self._stopped.wait(timeout=5)


def listen(app: Callable[..., Any], host: str = "127.0.0.1", port: int = 0, server: str = "werkzeug", threads: int = 8,
           log_requests: bool = False) -> SocketServer:
    """Bind `app` to `host:port` (0 picks a free port) on the named server."""
    if server == "werkzeug":
        return _WerkzeugServer(app, host, port, log_requests)
    if server == "waitress":
        return _WaitressServer(app, host, port, threads)
    raise ValueError(f"unknown server {server!r}; choose one of {', '.join(SERVERS)}")
