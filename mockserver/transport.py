"""Socket servers around the fake's WSGI app: the one way MockServer and `serve` build one.

`listen()` binds at once (a taken port raises OSError, never a print and sys.exit),
and returns a `SocketServer`: `port`, `url`, `serve_forever()` (blocking) and
`shutdown()` (from any thread). Every answer carries `Server: mockserver`, whatever
the server behind it; no access log is written unless asked for.

Both servers honour the pipeline's transport faults (faults.TRANSPORT_FAULT in the
environ): `malformed_body` cuts the body short with a Content-Length to match (a WSGI
middleware, the same for both); `connection_reset` and `empty_response` send nothing
and close the connection, abortively (RST) or cleanly, each server its own way.
"""
from __future__ import annotations

import ipaddress
import logging
import socket
import struct
import threading
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator, Protocol

from .faults import CONNECTION_RESET, MALFORMED_BODY, NO_ANSWER, TRANSPORT_FAULT, cut_short

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


WsgiApp = Callable[..., Any]


def abort_on_close(sock: socket.socket) -> None:
    """SO_LINGER 0: closing the socket resets the connection (RST) instead of ending it."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


class _NoAnswer(ConnectionError):
    """Raised to werkzeug's handler, which then drops the connection (connection_dropped)."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


class TransportFaults:
    """WSGI middleware of the socket front ends. With `malformed_body`, the answer goes
    out with its body cut short (faults.cut_short) and a Content-Length to match. With
    `connection_reset` or `empty_response`, the answer is withheld: `no_answer(kind)`
    returns the body to give the server instead (or raises for it)."""

    def __init__(self, app: WsgiApp, no_answer: Callable[[str], Iterable[bytes]]) -> None:
        self.app = app
        self.no_answer = no_answer

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        held: list[Any] = []

        def hold(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            if TRANSPORT_FAULT not in environ:  # the pipeline marks a fault before it answers
                return start_response(status, headers, exc_info)
            held[:] = [status, headers, exc_info]
            return lambda data: None  # the fake's app never writes through it

        body = self.app(environ, hold)
        kind = environ.get(TRANSPORT_FAULT)
        if kind is None or not held:
            return body  # type: ignore[no-any-return]
        try:
            data = b"".join(body)
        finally:
            getattr(body, "close", lambda: None)()
        if kind in NO_ANSWER:
            return self.no_answer(kind)
        assert kind == MALFORMED_BODY, kind
        cut = cut_short(data)
        status, headers, exc_info = held
        headers = [(k, v) for k, v in headers if k.lower() != "content-length"] + [("Content-Length", str(len(cut)))]
        start_response(status, headers, exc_info)
        return [cut]


class SocketServer(Protocol):
    host: str
    port: int

    @property
    def url(self) -> str: ...

    def serve_forever(self) -> None: ...

    def shutdown(self) -> None: ...


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def _raise_no_answer(kind: str) -> Iterable[bytes]:
    raise _NoAnswer(kind)


class _WerkzeugServer:
    def __init__(self, app: Callable[..., Any], host: str, port: int, log_requests: bool) -> None:
        from werkzeug.serving import WSGIRequestHandler, make_server  # only the chosen server is imported

        class Handler(WSGIRequestHandler):
            def version_string(self) -> str:
                return SERVER_HEADER

            def log_request(self, *args: Any, **kwargs: Any) -> None:
                if log_requests:
                    super().log_request(*args, **kwargs)

            def connection_dropped(self, error: BaseException, environ: Any = None) -> None:
                if not isinstance(error, _NoAnswer):
                    return
                self.close_connection = True
                if error.kind == CONNECTION_RESET:
                    abort_on_close(self.connection)
                    # Closed now, before the server's shutdown(SHUT_WR) would send a FIN
                    # first; the fd goes when the handler's files are closed.
                    self.connection.close()

        app = TransportFaults(app, _raise_no_answer)

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


def _waitress_channel() -> type[Any]:
    """Waitress's channel with a task that sends nothing for a withheld answer and
    closes the connection (reset first, for connection_reset)."""
    from waitress.channel import HTTPChannel
    from waitress.task import WSGITask

    class Task(WSGITask):
        def write(self, data: bytes) -> None:
            kind = (self.environ or {}).get(TRANSPORT_FAULT)
            if kind not in NO_ANSWER:
                super().write(data)
            elif not self.close_on_finish:
                self.close_on_finish = True
                if kind == CONNECTION_RESET and self.channel.socket is not None:
                    abort_on_close(self.channel.socket)

    class Channel(HTTPChannel):
        task_class = Task

    return Channel


class _WaitressServer:
    def __init__(self, app: Callable[..., Any], host: str, port: int, threads: int) -> None:
        from waitress.server import create_server  # only the chosen server is imported

        app = TransportFaults(app, lambda kind: [])
        # Waitress writes no access log, but warns "Task queue depth is N" whenever a request
        # waits for a free thread: a line per request under load, which nobody asked for.
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)
        server: Any = create_server(app, host=host, port=port, threads=threads, ident=SERVER_HEADER, expose_tracebacks=False)
        server.channel_class = _waitress_channel()
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

        try:
            server.trigger.pull_trigger(close_all)
        except OSError:
            # The loop, awake for another pull, ran close_all between its queueing and our
            # pull, and closed the trigger with everything else: stopping as asked.
            pass
        self._stopped.wait(timeout=5)


def listen(app: Callable[..., Any], host: str = "127.0.0.1", port: int = 0, server: str = "werkzeug", threads: int = 8,
           log_requests: bool = False) -> SocketServer:
    """Bind `app` to `host:port` (0 picks a free port) on the named server."""
    if server == "werkzeug":
        return _WerkzeugServer(app, host, port, log_requests)
    if server == "waitress":
        return _WaitressServer(app, host, port, threads)
    raise ValueError(f"unknown server {server!r}; choose one of {', '.join(SERVERS)}")


@contextmanager
def served_in_thread(app: Callable[..., Any], host: str = "127.0.0.1", port: int = 0, server: str = "werkzeug",
                     threads: int = 8) -> Iterator[SocketServer]:
    """`app` served from a daemon thread for the length of the block, then shut down."""
    served = listen(app, host, port, server=server, threads=threads)
    thread = threading.Thread(target=served.serve_forever, name=f"mockserver-{server}:{served.port}", daemon=True)
    thread.start()
    try:
        yield served
    finally:
        served.shutdown()
        thread.join(timeout=5)
