"""`targets.yaml`: the databases of a fleet, each named, labelled, its URL taken from the environment.

    version: 1
    targets:
      eu:
        url_env: EU_DATABASE_URL
        labels: {region: eu, tier: shared}
      acme:
        url_env: ACME_DATABASE_URL
        labels: {region: us, tier: dedicated}
        premake: 12          # this tenant's monthly partitions, a year ahead

A URL never sits in the file with its password: `url:` is accepted only without one (libpq then
reads `PGPASSFILE`, `~/.pgpass` or a service file).
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from flatrender_schema.desired import Desired
from flatrender_schema.errors import InputError, Location
from flatrender_schema.manifest import read_yaml
from flatrender_schema.postgres.connect import password_of

TARGETS_FILE = "targets.yaml"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _TargetSpec(_Strict):
    url_env: str | None = None
    url: str | None = None
    labels: dict[str, str] = {}
    premake: int | None = Field(None, ge=0, le=36)
    citus: bool | None = None  # refused below, with its line: not honoured yet


class _TargetsFile(_Strict):
    version: Literal[1]
    targets: dict[str, _TargetSpec]


class TargetError(InputError):
    """A target that cannot be used as written (its URL variable unset, say)."""


@dataclass(frozen=True)
class Target:
    name: str
    url_env: str | None
    url: str | None
    labels: tuple[tuple[str, str], ...]
    premake: int | None
    location: Location

    @property
    def label_map(self) -> dict[str, str]:
        return dict(self.labels)

    def resolve_url(self, environ: Mapping[str, str] | None = None) -> str:
        env = os.environ if environ is None else environ
        if self.url is not None:
            return self.url
        value = env.get(self.url_env or "", "")
        if not value:
            raise TargetError(
                f"target {self.name}: environment variable {self.url_env} is not set", self.location,
                hint=f"export {self.url_env}=postgresql://... in the deploy job",
            )
        return value

    def desired_for(self, desired: Desired) -> Desired:
        """The desired state with this target's overrides; the fingerprint says which overrides, so a
        shadow (and a reviewed plan) made for one variant is never taken for another."""
        if self.premake is None:
            return desired
        if desired.project is None:
            raise InputError(f"target {self.name}: premake needs schema.yaml (not --desired)", self.location)
        policy = dataclasses.replace(desired.project.partition_policy, premake=self.premake)
        project = dataclasses.replace(desired.project, partition_policy=policy)
        override = (f"{TARGETS_FILE}#premake", str(self.premake))
        return dataclasses.replace(desired, project=project, sources=(*desired.sources, override))


@dataclass(frozen=True)
class Fleet:
    path: Path
    targets: tuple[Target, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.targets)

    def select(self, selectors: Sequence[str]) -> Fleet:
        """The targets matching every `key=value` given (`name=` matches the name; several values
        of one key: any of them)."""
        wanted = parse_selectors(selectors)
        chosen = tuple(t for t in self.targets if matches(t, wanted))
        if not chosen:
            shown = " ".join(f"--select {s}" for s in selectors)
            raise InputError(f"{shown} matches none of the {len(self.targets)} targets", Location(str(self.path)))
        return Fleet(self.path, chosen)


def parse_selectors(selectors: Sequence[str]) -> dict[str, set[str]]:
    wanted: dict[str, set[str]] = {}
    for s in selectors:
        key, sep, value = s.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise InputError(f"--select {s!r}: write it as label=value, e.g. --select region=eu")
        wanted.setdefault(key.strip(), set()).add(value.strip())
    return wanted


def matches(target: Target, wanted: Mapping[str, set[str]]) -> bool:
    labels = {**target.label_map, "name": target.name}
    return all(labels.get(key) in values for key, values in wanted.items())


def load_fleet(path: Path) -> Fleet:
    data, lines = read_yaml(path)
    if not isinstance(data, dict):
        raise InputError("targets.yaml must be a mapping with `version: 1` and `targets:`", Location.of(path, 1))
    _refuse_duplicate_names(path)
    try:
        model = _TargetsFile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        line = next((lines[loc[:n]] for n in range(len(loc), -1, -1) if loc[:n] in lines), None)
        field = ".".join(str(p) for p in loc)
        raise InputError(f"{field}: {_explain(err)}", Location.of(path, line)) from None
    if not model.targets:
        raise InputError("targets: lists no target", Location.of(path, lines.get(("targets",))))
    out = []
    for name, spec in model.targets.items():
        out.append(_target(path, lines, name, spec))
    return Fleet(path, tuple(out))


def _target(path: Path, lines: dict[tuple[Any, ...], int], name: str, spec: _TargetSpec) -> Target:
    def where(*key: str) -> Location:
        return Location.of(path, lines.get(("targets", name, *key), lines.get(("targets", name))))

    if not NAME.match(name):
        raise InputError(f"target name {name!r}: use letters, digits, '.', '_' and '-'", where())
    if (spec.url is None) == (spec.url_env is None):
        raise InputError(f"target {name}: give exactly one of url_env (an environment variable) or url", where())
    if spec.url_env is not None and not ENV_NAME.match(spec.url_env):
        raise InputError(f"target {name}: url_env {spec.url_env!r} is not an environment variable name",
                         where("url_env"))
    if spec.url is not None and (password_of(spec.url) or _has_password(spec.url)):
        # The file is committed: a password in it is a leaked password. The line is named, never the URL.
        raise InputError(
            f"target {name}: url carries a password; secrets do not belong in targets.yaml",
            where("url"),
            hint="put the URL in an environment variable and write url_env: NAME, or use PGPASSFILE",
        )
    if spec.citus is not None:
        raise InputError(
            f"target {name}: a per-target citus override is not supported yet (plans build the shadow on plain "
            "PostgreSQL); remove the key",
            where("citus"),
        )
    for key in spec.labels:
        if key == "name" or not NAME.match(key):
            raise InputError(f"target {name}: label {key!r} is not a usable label name", where("labels", key))
    labels = tuple(sorted(spec.labels.items()))
    return Target(name, spec.url_env, spec.url, labels, spec.premake, where())


_USERINFO_PASSWORD = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^/@\s]*:[^/@\s]*@")


def _has_password(url: str) -> bool:
    """Also catch a URL libpq would not parse (then password_of sees nothing)."""
    return bool(_USERINFO_PASSWORD.match(url.strip())) or "password=" in url.lower()


def _refuse_duplicate_names(path: Path) -> None:
    """YAML keeps the last of two equal keys without a word: a target written twice is an error."""
    node = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    if not isinstance(node, yaml.MappingNode):
        return
    for key, value in node.value:
        if key.value == "targets" and isinstance(value, yaml.MappingNode):
            seen: set[str] = set()
            for k, _ in value.value:
                if k.value in seen:
                    raise InputError(f"target {k.value} is written twice", Location.of(path, k.start_mark.line + 1))
                seen.add(k.value)


def _explain(err: Any) -> str:
    if err["type"] == "extra_forbidden":
        return "unknown key; a target takes url_env, url, labels and premake"
    if err["type"] == "missing":
        return "required key is missing"
    if err["type"] == "string_type":
        return "must be a string (quote it in YAML)"
    return str(err["msg"]).removeprefix("Value error, ")
