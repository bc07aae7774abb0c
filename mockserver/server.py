"""MockServer: the fake on a real port, in daemon threads of the current process.

The server is waitress, as behind `mockserver serve`: it keeps HTTP/1.1 connections
open, so a test's `requests.Session` or `httpx.Client` does not open one per request
(werkzeug's server, used before, closes every connection after its answer)."""
from __future__ import annotations

import http.client
import os
import threading
import time
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from flask import Flask

from . import datasets
from .app import create_app, state_of
from .registry import Handles
from .toolkit import JournalAndFaults
from .transport import SocketServer, connect_host, listen

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .intercept import Interception
    from .registry import ServerOptions


class MockServer(Handles, JournalAndFaults):
    """A started fake is a URL: `url`, `vitally.base_url`, `monica.base_url`.

    >>> with MockServer(seed=1) as server:
    ...     server.vitally.base_url   # 'http://127.0.0.1:53211/resources'
    """

    def __init__(self, seed: int = 0, host: str = "127.0.0.1", port: int = 0, **options: "Unpack[ServerOptions]") -> None:
        self.host = host
        self.port = port
        self.app: Flask = create_app(seed=seed, **options)
        self._server: SocketServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------
    def start(self, timeout: float = 5.0) -> "MockServer":
        """Bind (raising OSError if the port is taken), serve, and wait until it answers."""
        if self._server is not None:
            return self
        server = listen(self.app, self.host, self.port, server="waitress")
        self._server = server
        self.port = server.port
        self._thread = threading.Thread(target=server.serve_forever, name=f"mockserver:{self.port}", daemon=True)
        self._thread.start()
        try:
            self._wait_ready(timeout)
        except Exception:
            self.stop()
            raise
        state = state_of(self.app)
        if not state.config.control_api:
            state.journal.clear()  # the readiness probe was a request to an unknown path
        return self

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        last: Exception | None = None
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection(connect_host(self.host), self.port, timeout=max(0.1, deadline - time.monotonic()))
                try:
                    conn.request("GET", "/__mockserver/health")
                    conn.getresponse()  # any answer: the control API may be off
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
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None

    def __enter__(self) -> "MockServer":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- state -----------------------------------------------------------------
    def reset(self) -> None:
        """Back to the reset point: data, id sequences, rate-limit windows; the journal
        and the fault rules emptied."""
        state_of(self.app).store.reset()

    def load_fixtures(self, *paths: str | os.PathLike[str]) -> None:
        """Replace the data with a data set (one or more files); it becomes the reset point.
        A bad file raises DataSetError naming the file, the JSON path and the rule."""
        datasets.load_files(state_of(self.app), paths)

    def reseed(self, seed: int | None = None, sizes: Mapping[str, Mapping[str, int]] | None = None) -> None:
        """Generated data, as a server started with this seed and these sizes (per vendor,
        e.g. `{"vitally": {"conversations": 100}}`) would have; it becomes the reset point."""
        datasets.reseed(state_of(self.app), seed, sizes)

    def intercept(self, hosts: Iterable[str] = (), block_others: bool = False) -> "Interception":
        """Answer calls to the vendors' real hosts in-process, for `requests` and `httpx`:

            with server.intercept():
                requests.get("https://acme.rest.vitally.io/resources/conversations", auth=(key, ""))

        `hosts` adds hosts (`*` matches one DNS label; `host:port` one port only); the path
        picks the vendor, as on the fake's own URL. Other hosts go out as usual, or are
        refused with the client's connection error when `block_others`. The fake's own URL
        is answered in-process too. Needs the `intercept` extra (responses, respx).
        """
        from .intercept import Interception  # here: most test runs never intercept, and its import costs ~1 ms of boot

        return Interception(self.app, hosts, block_others, own_url=self.url if self.running else None)

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("MockServer is not started: call start() or use it as a context manager")
        return self._server.url

    def url_for(self, path: str) -> str:
        return self.url + "/" + path.lstrip("/")

    def _vendor_handle(self, vendor: str, credential: str | None) -> Any:
        return state_of(self.app).vendor(vendor).handle(lambda: self.url, credential)

    def __repr__(self) -> str:
        where = self.url if self._server else "not started"
        return f"<MockServer {where}>"
