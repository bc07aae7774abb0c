"""`mockserver contract VENDOR ...`: the parser (cheap, built with every CLI call) and the
command (which imports the checks when it runs)."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from ..surface import Vendor

EPILOG = """\
Exit status: 0 the API conforms, 1 drift found, 2 the check could not run.
The base URL and credential may come from the environment instead: {env}.
A folder given to --recorded holds one exchange per *.json file:
{{"request": {{"method": "GET", "url": "<URL or path>"}},
 "response": {{"status": 200, "headers": {{...}}, "body": <the JSON answer>}}}}
"""


def _vendors() -> "list[type[Vendor[Any]]]":
    from ..registry import VENDORS

    return list(VENDORS)


def add_parser(commands: Any, positive: Callable[[int], Callable[[str], int]]) -> None:
    vendors = _vendors()
    contract = commands.add_parser(
        "contract", help="check a real vendor API (or a recording of it) against the fake's schemas",
        description="Check a vendor's answers against what the fake declares: statuses, headers, JSON Schemas.",
        epilog=EPILOG.format(env=", ".join(name for v in vendors for name in env_names(v))), formatter_class=argparse.RawDescriptionHelpFormatter)
    contract.add_argument("vendor", choices=[v.name for v in vendors])
    where = contract.add_argument_group("what to check (one of)")
    where.add_argument("--base-url", metavar="URL", help="the vendor's URL as a client is given it; the API prefix is optional")
    where.add_argument("--recorded", metavar="PATH", type=Path, help="a HAR file, a VCR.py cassette (.yaml) or a folder of JSON exchanges")
    for flag in dict.fromkeys(v.contract.credential_flag for v in vendors):
        names = ", ".join(v.name for v in vendors if v.contract.credential_flag == flag)
        contract.add_argument(f"--{flag}", metavar=flag.split("-")[-1].upper(), help=f"the credential ({names})")
    contract.add_argument("--write", action="store_true", help="also run the write round trip (create, read, update, add, delete): a sandbox only")
    contract.add_argument("--max-pages", type=positive(1), default=2, help="pages read of each list (default 2)")
    contract.add_argument("--max-items", type=positive(1), default=3, help="ids taken from each list for item calls (default 3)")
    contract.add_argument("--page-size", type=positive(1), help="`limit` sent to lists (default: the vendor's default)")
    contract.add_argument("--rate-limit", type=positive(1), help="requests a minute to stay under (default: the vendor's documented limit)")
    contract.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for each answer (default 30)")
    contract.add_argument("--strict", action="store_true", help="tolerances (warnings) fail the check too")
    contract.add_argument("--json", action="store_true", help="the report as JSON")


def env_names(vendor: "type[Vendor[Any]]") -> tuple[str, str]:
    """The environment variables of a vendor's URL and credential (vendor-verified runs too)."""
    stem = f"MOCKSERVER_{vendor.name.upper()}"
    return f"{stem}_URL", f"{stem}_{vendor.contract.credential_env}"


def _fail(message: str) -> int:
    print(f"mockserver contract: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    from .exchange import CannotRun

    vendors = _vendors()
    vendor = next(v for v in vendors if v.name == args.vendor)
    flag = vendor.contract.credential_flag
    url_env, credential_env = env_names(vendor)
    for other in {v.contract.credential_flag for v in vendors} - {flag}:
        if getattr(args, other.replace("-", "_")) is not None:
            return _fail(f"{vendor.name} takes --{flag}, not --{other}")
    try:
        if args.recorded is not None:
            if args.base_url or args.write:
                return _fail("--recorded checks a recording: it takes no --base-url and no --write")
            from .recorded import check_recorded

            report = check_recorded(vendor, [v for v in vendors if v is not vendor], args.recorded, strict=args.strict)
        else:
            base_url = args.base_url or os.environ.get(url_env)
            credential = getattr(args, flag.replace("-", "_")) or os.environ.get(credential_env)
            if not base_url:
                return _fail(f"give --base-url (or {url_env}), or --recorded PATH")
            if not credential:
                return _fail(f"give --{flag} (or {credential_env})")
            from .http import api_root
            from .live import LiveCheck, Settings

            settings = Settings(write=args.write, max_pages=args.max_pages, max_items=args.max_items, page_size=args.page_size,
                                strict=args.strict, rate_limit=args.rate_limit, timeout=args.timeout)
            report = LiveCheck(vendor, api_root(vendor, base_url), credential, settings).run()
    except CannotRun as exc:
        return _fail(str(exc))
    sys.stdout.write(report.to_json() + "\n" if args.json else report.to_text())
    return report.exit_code
