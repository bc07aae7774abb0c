"""httpx, sync and async: requests reach `respx`, the library built to answer httpx's
calls in-process, whose router hands them to us first. Intercepted hosts are answered
by the fake (for async clients in a worker thread, so a slow answer or a fault's delay
never blocks the event loop); others fall to respx's pass-through (the real transport,
or mocks of your own registered earlier), or are refused with httpx.ConnectError."""
from __future__ import annotations

from contextlib import nullcontext
from typing import TYPE_CHECKING

import anyio
import anyio.to_thread
import httpx
import respx

from .wsgi import InProcessResponse, TimedOut

if TYPE_CHECKING:
    from . import Interception


def _read_timeout(request: httpx.Request) -> float | None:
    timeout = request.extensions.get("timeout") or {}
    read = timeout.get("read")
    return float(read) if isinstance(read, (int, float)) else None


class _Router(respx.MockRouter):
    """respx's router, asked first for every request while the mock runs."""

    def __init__(self, interception: "Interception") -> None:
        super().__init__(assert_all_called=False, assert_all_mocked=True)
        self.interception = interception
        self.route().pass_through()  # what we do not answer or refuse goes on as usual

    def _refuse_or_none(self, request: httpx.Request) -> bool:
        """True to answer in-process; raises for a refused host; False to pass through."""
        if self.interception.intercepts(str(request.url)):
            return True
        if self.interception.block_others:
            raise httpx.ConnectError(self.interception.refusal(request.method, str(request.url)), request=request)
        return False

    def handler(self, request: httpx.Request) -> httpx.Response:
        if not self._refuse_or_none(request):
            return super().handler(request)
        timeout = _read_timeout(request)
        try:
            answer = self.interception.answer(request.method, str(request.url), request.headers.multi_items(), request.content, timeout)
        except TimedOut:
            raise httpx.ReadTimeout("The read operation timed out", request=request) from None
        return _response(answer, request)

    async def async_handler(self, request: httpx.Request) -> httpx.Response:
        if not self._refuse_or_none(request):
            return await super().async_handler(request)
        timeout = _read_timeout(request)
        interception, headers = self.interception, request.headers.multi_items()

        def answer() -> InProcessResponse:
            return interception.answer(request.method, str(request.url), headers, request.content)

        try:
            with anyio.fail_after(timeout) if timeout is not None else nullcontext():
                result = await anyio.to_thread.run_sync(answer, abandon_on_cancel=True)
        except TimeoutError:
            raise httpx.ReadTimeout("The read operation timed out", request=request) from None
        return _response(result, request)


def _response(answer: InProcessResponse, request: httpx.Request) -> httpx.Response:
    """The answer, or the error httpx raises when a server resets or closes unanswered."""
    if answer.fault == "connection_reset":
        raise httpx.ConnectError("[Errno 104] Connection reset by peer", request=request)
    if answer.fault == "empty_response":
        raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)
    return httpx.Response(answer.status, headers=answer.headers, content=answer.body, request=request)


class HttpxHook:
    def __init__(self, interception: "Interception") -> None:
        self.interception = interception
        self._router: _Router | None = None

    def start(self) -> None:
        router = _Router(self.interception)
        router.start()
        self._router = router

    def stop(self) -> None:
        router, self._router = self._router, None
        if router is not None:
            router.stop(quiet=True)



