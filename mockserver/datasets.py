"""Data for tests: data set files, reseeding, and putting either in place.

A data set is a JSON object with one section per vendor (`{"vitally": {...},
"monica": {...}}`, plus an optional `$schema` and `description`); each section is
checked against schemas/<vendor>/dataset.json and loaded by the vendor (its
`stage()`), so records go through the models' own create functions. Several files
may each give some vendors' sections; a vendor no file mentions gets empty tenants:
a data set is the whole state. A bad file is a DataSetError naming the file, the JSON
path and the rule, and leaves the store as it was.

Loading and reseeding build every vendor's tenants off to the side, without the store
lock, then put them in place under the lock and seal: the result is the state reset()
returns to. Nothing here names a vendor.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

from . import validation
from .errors import DataSetError, OptionError, RecordRejected
from .seeding import Seeder

if TYPE_CHECKING:
    from .app import MockState
    from .config import Config

DOCUMENT_KEYS = ("$schema", "description")  # allowed beside the vendors' sections
SCHEMA = "dataset"  # schemas/<vendor>/dataset.json
RecordCounts = dict[str, dict[str, dict[str, int]]]  # vendor -> credential -> kind -> count


@dataclass
class DataSet:
    """Each vendor's section, and where it came from (for error messages)."""

    sections: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)

    def add(self, document: Any, source: str, vendors: Sequence[str]) -> None:
        """Check one document and take its sections; a vendor given twice is an error."""
        if not isinstance(document, dict):
            raise DataSetError(f"{source}: $ must be an object with a section per vendor ({', '.join(vendors)})")
        for key, section in document.items():
            if key in DOCUMENT_KEYS:
                continue
            if key not in vendors:
                raise DataSetError(f"{source}: $.{key} is not a vendor; a data set has sections {', '.join(vendors)} (and {', '.join(DOCUMENT_KEYS)})")
            if key in self.sections:
                raise DataSetError(f"{source}: $.{key} is given already by {self.sources[key]}")
            found = validation.strict_problems(key, SCHEMA, section)
            if found:
                more = f" (and {len(found) - 1} more problem{'s' if len(found) > 2 else ''})" if len(found) > 1 else ""
                raise DataSetError(f"{source}: {_located(key, found[0])}{more}")
            self.sections[key] = section
            self.sources[key] = source


def _located(vendor: str, problem: validation.Problem) -> str:
    """`$.vitally.workspaces[0].users[1].externalId is required` from a section's problem."""
    path, message = problem.path, problem.message
    rule = message[len(path):].lstrip() if path and message.startswith(path) else message.removeprefix("body").lstrip()
    where = f"$.{vendor}" + ("" if not path else path if path.startswith("[") else f".{path}")
    return f"{where} {rule}"


def parse(raw: bytes | str, source: str) -> Any:
    """JSON text as a Python value, or a DataSetError saying where it is broken."""
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
        return json.loads(text)
    except UnicodeDecodeError:
        raise DataSetError(f"{source}: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise DataSetError(f"{source}: line {exc.lineno} column {exc.colno}: not valid JSON ({exc.msg})") from None
    except RecursionError:
        raise DataSetError(f"{source}: not valid JSON (nested too deeply)") from None


def read(paths: Sequence[str | os.PathLike[str]], vendors: Sequence[str]) -> DataSet:
    """The data set of one or more files."""
    data = DataSet()
    for path in paths:
        source = os.fspath(path)
        try:
            with open(path, "rb") as file:
                raw = file.read()
        except OSError as exc:
            raise DataSetError(f"{source}: cannot read the data set: {exc.strerror or exc}") from None
        data.add(parse(raw, source), source, vendors)
    return data


def _put_in_place(state: "MockState", config: "Config", stage: Callable[[Any], Callable[[], None]]) -> RecordCounts:
    commits = [stage(vendor) for vendor in state.vendors.values()]  # may raise: nothing live changed yet
    with state.store.lock:
        for commit in commits:
            commit()
        state.config = config
        state.store.seal()
        return {name: vendor.record_counts() for name, vendor in state.vendors.items()}


def load(state: "MockState", data: DataSet) -> RecordCounts:
    """Replace every tenant's records with the data set's; it becomes the reset point."""
    seeder = Seeder(state.config.seed)  # a seeder of its own: the live one may be in use

    def stage(vendor: Any) -> Callable[[], None]:
        try:
            commit: Callable[[], None] = vendor.stage(state.config, seeder, data.sections.get(vendor.name, {}))
        except RecordRejected as exc:
            raise DataSetError(f"{data.sources.get(vendor.name, 'data set')}: $.{vendor.name}.{exc.path}: {exc.message}") from None
        return commit

    return _put_in_place(state, state.config, stage)


def load_files(state: "MockState", paths: Sequence[str | os.PathLike[str]]) -> RecordCounts:
    return load(state, read(paths, list(state.vendors)))


def reseed(state: "MockState", seed: int | None = None, sizes: Mapping[str, Mapping[str, int]] | None = None) -> RecordCounts:
    """Generated data, exactly that of a server started with this seed and these sizes
    (a vendor's sizes replace its own; counts not given take their defaults; vendors not
    named keep theirs). It becomes the reset point. Bad values raise OptionError."""
    config = state.config
    vendors = dict(config.vendors)
    for name, counts in (sizes or {}).items():
        if name not in state.vendors:
            raise OptionError(f"sizes: no vendor {name!r}; known: {', '.join(state.vendors)}")
        vendors[name] = replace(vendors[name], sizes=dict(counts))  # the options check the counts
    config = replace(config, seed=config.seed if seed is None else seed, empty=False, fixtures=(), vendors=vendors)
    seeder = Seeder(config.seed)
    made = _put_in_place(state, config, lambda vendor: vendor.stage(config, seeder))
    state.seeder = seeder
    return made
