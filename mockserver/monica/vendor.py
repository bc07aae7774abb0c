"""Monica as the core sees it: Laravel's request pipeline for the core's pipeline to
call, in Monica's order, and Laravel's way of rendering what goes wrong.

Laravel, for Monica: ValidatePostSize (413, global, before routing) -> route match
(404/405; OPTIONS answered by the router) -> auth:api (401, or 302 to the login
page) -> throttle:api (429) -> ApiController's middleware (sort 39, limit 30,
`null` body 37) -> the controller (views.py) -> the service (models.py).
"""
from __future__ import annotations

import re
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Mapping
from urllib.parse import parse_qs

from ..errors import ApiError, RequestTooLarge
from ..operations import Answer
from ..ratelimit import FixedWindowLimiter, RateDecision
from ..surface import FAULT_RETRY_AFTER, BaseUrl, Call, Reply, Unrouted, Vendor, WsgiApp
from .contract import MonicaContract
from .control import TABLE as CONTROL_TABLE
from .errors import LARAVEL_VERBS, STATUS_TEXTS, ModelNotFound, MonicaError, NotFound, Unauthenticated, UncaughtValidation, error_body
from .fixtures import account_specs, counts, data_set_tokens, fill_accounts, open_account
from .handle import MonicaHandle
from .laravel import PhpError, expects_json, php_array, validation_summary
from .models import MonicaAccount, MonicaWorld
from .operations import LARAVEL, PREFIX, RATE_HEADERS, TABLE, framework
from .options import MonicaOptions
from .request import api_controller_middleware, bearer_token, laravel_path
from .seed import seed_account

if TYPE_CHECKING:
    from werkzeug.wrappers import Request

    from ..config import Config
    from ..seeding import Seeder
    from ..store import Store


def html_page(status: int, title: str) -> str:
    """Laravel's error view for a request that does not want JSON (our minimal rendering)."""
    return f"<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>{title}</title></head>\n<body>{status} | {title}</body>\n</html>\n"


def redirect_page(url: str) -> str:
    """Symfony's RedirectResponse body."""
    return (
        "<!DOCTYPE html>\n<html>\n    <head>\n        <meta charset=\"UTF-8\" />\n"
        f"        <meta http-equiv=\"refresh\" content=\"0;url='{url}'\" />\n\n        <title>Redirecting to {url}</title>\n"
        f"    </head>\n    <body>\n        Redirecting to <a href=\"{url}\">{url}</a>.\n    </body>\n</html>"
    )


def framework_error(request: "Request", status: int, message: str, reason: str | None = None) -> Reply:
    """Laravel's Handler: `{"message"}` when JSON is expected, its HTML page otherwise."""
    if not expects_json(request.headers):
        return Reply(status, html=html_page(status, STATUS_TEXTS.get(status, "Error")), reason=reason)
    return Reply(status, {"message": message}, reason=reason)


def supported_methods(request: "Request", allowed: tuple[str, ...]) -> list[str]:
    """The verbs a URI answers, in Router::$verbs order, without the one just used."""
    methods = {method.upper() for method in allowed} - {"OPTIONS"}
    return [verb for verb in LARAVEL_VERBS if verb in methods and verb != request.method]


class MethodOverride:
    """Symfony's Request::getMethod(), which Laravel enables: a POST under /api is routed
    as the verb named by `X-HTTP-Method-Override` or by `_method` in the query string."""

    def __init__(self, wsgi_app: WsgiApp) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = environ.get("PATH_INFO", "")
        if environ.get("REQUEST_METHOD") == "POST" and (path == PREFIX or path.startswith(PREFIX + "/")):
            override = environ.get("HTTP_X_HTTP_METHOD_OVERRIDE")
            if not override:
                override = (parse_qs(environ.get("QUERY_STRING", "")).get("_method") or [None])[-1]
            if override and re.fullmatch("[A-Z]+", override.upper()):
                environ["REQUEST_METHOD"] = override.upper()
        return self.wsgi_app(environ, start_response)


class Monica(Vendor[MonicaAccount]):
    name = "monica"
    title = "Monica API (mockserver, Monica 4.x)"
    prefix = PREFIX
    table = TABLE
    control_table = CONTROL_TABLE
    options_type = MonicaOptions
    credential_name = "tokens"
    hosts = ("app.monicahq.com",)
    security_scheme: ClassVar[dict[str, Any]] = {
        "type": "http",
        "scheme": "bearer",
        "description": "A personal access token (Laravel Passport)",
    }
    rate_headers = RATE_HEADERS
    contract = MonicaContract()
    uncounted = frozenset({302, 401, 413})  # 413: ValidatePostSize runs before routing
    strict_slashes = False  # Laravel matches `/x/` as `/x`
    collapse_slashes = False  # ...but not `/api//x` (nor `/api/contacts/%2F`) as `/api/x`
    fault_answer = Answer(0, ("error", *LARAVEL), "A fault rule's answer: Monica's or Laravel's error body", html=True)
    unrouted = {
        200: Answer(200, (), "OPTIONS on a known URI: the router's empty answer", headers=("Allow",)),
        400: framework(400, "Input the HTTP layer refused"),
        404: framework(404, "Unknown route"),
        405: framework(405, "Wrong method on a known route", headers=("Allow",)),
        413: framework(413, "Body over post_max_size (ValidatePostSize, before routing)"),
    }

    def __init__(self, config: "Config", store: "Store", seeder: "Seeder") -> None:
        super().__init__(config, store, seeder)
        options: MonicaOptions = self.options
        self.limiter = FixedWindowLimiter(options.rate_limit, config.rate_limit_window)
        self.world = MonicaWorld(undo_failed_writes=not options.partial_writes)
        store.register(self.world.ids)
        self.stage(config, seeder)()
        store.register(self.limiter)

    # -- building the accounts: seeded, new (empty), or from a data set --
    def stage(self, config: "Config", seeder: "Seeder", data: Mapping[str, Any] | None = None) -> Callable[[], None]:
        options: MonicaOptions = config.vendor(self.name)
        tokens = list(options.tokens)
        if data is not None:
            tokens += [token for token in data_set_tokens(data) if token not in tokens]
        specs = account_specs(data, tokens[0]) if data is not None else {}
        # Monica's database, built anew: nothing live changes until adopted. A build that
        # fails is thrown away whole, so its writes need no undoing (nor their snapshots).
        world = MonicaWorld(undo_failed_writes=False)
        for index, token in enumerate(tokens):
            if data is None and config.seeded:
                fake, rng = seeder.for_tenant(self.name, index)
                seed_account(world.add_account(token, rng=rng), fake, rng, options.sizes)
            else:
                me = specs[token][1].get("me") if token in specs else None
                open_account(world.add_account(token, rng=seeder.tenant_rng(self.name, index)), me)
        if specs:
            fill_accounts(world, specs)
        return lambda: self._adopt(world, config)

    def _adopt(self, fresh: MonicaWorld, config: "Config") -> None:
        live = self.world
        live.ids.restore(fresh.ids.snapshot())
        for token in [token for token in live.accounts if token not in fresh.accounts]:
            self.store.unregister(live.accounts.pop(token))
        for token, account in fresh.accounts.items():
            current = live.accounts.get(token)
            if current is None:
                account.world = live
                live.accounts[token] = account
                self.store.register(account)
            else:
                current.restore({**account.snapshot(), "world": live})
        self.config, self.options = config, config.vendor(self.name)
        live.undo_failed_writes = not self.options.partial_writes
        self.limiter.restore(None)

    def record_counts(self) -> dict[str, dict[str, int]]:
        return {token: counts(account) for token, account in self.world.accounts.items()}

    @property
    def credentials(self) -> tuple[str, ...]:
        return tuple(self.world.accounts)

    def account(self, token: str | None = None) -> MonicaAccount:
        token = token or self.credentials[0]
        found = self.world.accounts.get(token)
        if found is None:
            raise KeyError(f"no Monica account for token {token!r}; known: {', '.join(self.credentials)}")
        return found

    def handle(self, base_url: BaseUrl, credential: str | None = None) -> MonicaHandle:
        account = self.account(credential)
        return MonicaHandle(base_url, account.token, account, self.store)

    def describe(self, root: str) -> list[str]:
        return [f"monica   base URL {root}{self.prefix}  token {token} (Authorization: Bearer)" for token in self.credentials]

    # -- the pipeline's questions, in Laravel's order --
    def wrap_wsgi(self, wsgi_app: WsgiApp) -> WsgiApp:
        return MethodOverride(wsgi_app)

    def screen(self, request: "Request") -> None:
        """ValidatePostSize is global middleware: 413 before routing, auth or throttle."""
        limit = self.config.max_body_bytes
        if (request.content_length or 0) > limit:
            raise RequestTooLarge()

    def reads_body(self, operation: Any) -> bool:
        return True  # `$request->all()` reads the body on every verb

    def credential(self, request: "Request") -> str | None:
        return bearer_token(request.headers.get("Authorization"))

    def authenticate(self, request: "Request", credential: str | None) -> MonicaAccount:
        account = self.world.accounts.get(credential) if credential is not None else None
        if account is None:
            raise Unauthenticated()
        return account

    def admit(self, call: Call[Any]) -> None:
        decision = self.limiter.hit(call.tenant.token)
        call.cache["rate"] = decision
        if not decision.allowed:
            raise MonicaError(429, 34, "Too many attempts, please slow down the request",
                              headers={"Retry-After": str(decision.reset_after), "X-RateLimit-Reset": str(decision.reset_at)})

    def prepare(self, call: Call[Any]) -> None:
        api_controller_middleware(call)

    def fault_reply(self, status: int, request: "Request") -> Reply:
        error: ApiError
        if status == 429:  # as throttle:api answers, the window all but used up
            now = int(self.limiter.clock())
            error = MonicaError(429, 34, headers={
                "X-RateLimit-Limit": str(self.limiter.limit), "X-RateLimit-Remaining": "0",
                "Retry-After": str(FAULT_RETRY_AFTER), "X-RateLimit-Reset": str(now + FAULT_RETRY_AFTER)})
        elif status == 401:
            error = Unauthenticated()
        elif status == 404:
            error = NotFound()
        elif status == 413:
            error = RequestTooLarge()
        else:
            # Laravel's Handler answers an HttpException with its message (maintenance
            # mode's 503 says "Service Unavailable"): here, Symfony's text for the status.
            return framework_error(request, status, STATUS_TEXTS.get(status) or HTTPStatus(status).phrase)
        return self.render(error, request)

    def decorate(self, call: Call[Any] | None, reply: Reply) -> None:
        decision: RateDecision | None = call.cache.get("rate") if call is not None else None
        if decision is not None:
            reply.headers.setdefault("X-RateLimit-Limit", str(decision.limit))
            reply.headers.setdefault("X-RateLimit-Remaining", str(max(decision.remaining, 0)))

    def render(self, error: ApiError, request: "Request") -> Reply:
        if isinstance(error, MonicaError):
            return Reply(error.status, error_body(error.code, error.message), dict(error.headers), reason=error.reason)
        if isinstance(error, Unauthenticated):
            if expects_json(request.headers):
                return Reply(401, {"message": "Unauthenticated."}, reason="auth")
            url = request.host_url.rstrip("/")  # route("loginRedirect"): url("/") has no trailing slash
            return Reply(302, html=redirect_page(url), headers={"Location": url}, reason="auth")
        if isinstance(error, RequestTooLarge):
            # ValidatePostSize throws PostTooLargeException, which carries no message.
            return framework_error(request, 413, "", "too_large")
        if isinstance(error, PhpError):
            # Monica's Handler wraps any PHP error into HttpException(500, its message).
            return framework_error(request, 500, str(error))
        if isinstance(error, ModelNotFound):
            # Handler::prepareException: NotFoundHttpException with the model's message.
            return framework_error(request, 404, error.message, "not_found")
        if isinstance(error, UncaughtValidation):
            # Handler::convertValidationExceptionToResponse: JSON, or back to the previous URL.
            if expects_json(request.headers):
                return Reply(422, {"message": validation_summary(error.messages), "errors": php_array(error.errors)}, reason="validation")
            url = request.headers.get("Referer") or request.host_url.rstrip("/")  # url()->previous(), no session
            return Reply(302, html=redirect_page(url), headers={"Location": url}, reason="validation")
        return self.render_crash(error, request)

    def render_unrouted(self, unrouted: Unrouted, request: "Request") -> Reply:
        path = laravel_path(request)
        if unrouted.status == 404:
            return framework_error(request, 404, f"The route {path} could not be found.", "unknown_route")
        if unrouted.status == 405:
            others = supported_methods(request, unrouted.allowed)
            if request.method == "OPTIONS":
                # The router's synthetic OPTIONS route: empty 200, no auth, no throttle.
                return Reply(200, headers={"Allow": ",".join(others)})
            message = f"The {request.method} method is not supported for route {path}. Supported methods: {', '.join(others)}."
            reply = framework_error(request, 405, message, "method_not_allowed")
            reply.headers["Allow"] = ", ".join(others)
            return reply
        # Werkzeug refuses input Laravel reads as empty; no /api route lets this through.
        return framework_error(request, 400, "", "validation")

    def render_crash(self, error: Exception, request: "Request") -> Reply:
        # Laravel's text for a non-HTTP exception (APP_DEBUG=false).
        return framework_error(request, 500, "Server Error")
