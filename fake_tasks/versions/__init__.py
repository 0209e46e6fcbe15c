"""The Elasticsearch versions fake-tasks emulates: one table of behaviours, one of releases.

`parse_version("8.15")` gives an `EsVersion`; `version.has("timeout_429")` tells whether a
behaviour of `features.FEATURES` is present in it, `version.at_least(8, 9)` compares, and
`version.build` gives the values `GET /` reports. A version outside the emulated range is
refused with `UnsupportedVersion`. docs/versions.md is generated from these tables
(`python -m fake_tasks.versions`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cached_property
from typing import Final

from fake_tasks.versions.features import FEATURES, Feature, Minor
from fake_tasks.versions.releases import RELEASES, Release, compatibility

__all__ = [
    "DEFAULT_VERSION",
    "FEATURES",
    "MINORS",
    "RELEASES",
    "Build",
    "EsVersion",
    "Feature",
    "Minor",
    "Release",
    "UnsupportedVersion",
    "parse_version",
    "supported_text",
]

MINORS: Final[tuple[Minor, ...]] = (
    (7, 17),
    *((8, n) for n in range(20)),
    *((9, n) for n in range(6)),
)
"""Every emulated release line: 7.17, 8.0 to 8.19, 9.0 to 9.5."""

DEFAULT_VERSION: Final = "9.5.0"
"""The newest version whose behaviour was verified in the Elasticsearch source."""

PLACEHOLDER_DATE: Final = "1970-01-01T00:00:00.000Z"
"""`build_date` for a release whose build date is not known."""

_FEATURES: Final = {feature.key: feature for feature in FEATURES}
_RELEASES: Final = {release.version: release for release in RELEASES}
_VERSION = re.compile(r"(\d{1,3})\.(\d{1,3})(?:\.(\d{1,3}))?")


class UnsupportedVersion(ValueError):
    """An Elasticsearch version fake-tasks does not emulate (or no version at all)."""


def supported_text() -> str:
    return "7.17, 8.0 to 8.19 and 9.0 to 9.5"


@dataclass(frozen=True)
class Build:
    """What `GET /` says about the build; `verified` lists the fields read from a real release."""

    hash: str
    date: str
    lucene: str
    minimum_wire_compatibility: str
    minimum_index_compatibility: str
    verified: frozenset[str]


@dataclass(frozen=True)
class EsVersion:
    """An emulated Elasticsearch version (`major.minor.patch`)."""

    major: int
    minor: int
    patch: int

    @property
    def number(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"

    @property
    def line(self) -> Minor:
        return (self.major, self.minor)

    def __str__(self) -> str:
        return self.number

    def at_least(self, major: int, minor: int = 0) -> bool:
        """Whether this version is `major.minor` or newer."""
        return self.line >= (major, minor)

    def has(self, feature: str) -> bool:
        """Whether the behaviour `feature` (a key of `FEATURES`) is present in this version."""
        found = _FEATURES.get(feature)
        if found is None:
            raise KeyError(f"no version feature {feature!r}; known: {sorted(_FEATURES)}")
        return found.present_in(self.line)

    def warning_header(self, message: str) -> str:
        """A `Warning` header value as `HeaderWarning` formats it for this version's build."""
        escaped = _percent_encode(message.replace("\\", "\\\\").replace('"', '\\"'))
        return f'299 Elasticsearch-{self.number}-{self.build.hash} "{escaped}"'

    @cached_property
    def build(self) -> Build:
        release = _RELEASES.get(self.number)
        wire, index = compatibility(self.major, self.minor)
        verified = set()
        if release is not None and release.build_hash is not None:
            verified.add("build_hash")
        if release is not None and release.build_date is not None:
            verified.add("build_date")
        lucene = release.lucene if release is not None else None
        if lucene is not None:
            verified.add("lucene_version")
        return Build(
            hash=(release.build_hash if release and release.build_hash else _synthetic(self)),
            date=(release.build_date if release and release.build_date else PLACEHOLDER_DATE),
            lucene=lucene or _assumed_lucene(self),
            minimum_wire_compatibility=wire,
            minimum_index_compatibility=index,
            verified=frozenset(verified),
        )


def parse_version(text: str | EsVersion) -> EsVersion:
    """`"8.15"` or `"8.15.2"` as an `EsVersion`; `UnsupportedVersion` outside the emulated lines.

    A `major.minor` alone means that line's first release (`x.y.0`).
    """
    if isinstance(text, EsVersion):
        return text
    found = _VERSION.fullmatch(str(text).strip())
    if found is None:
        raise UnsupportedVersion(
            f"{text!r} is not an Elasticsearch version (major.minor or major.minor.patch, "
            f"e.g. {DEFAULT_VERSION!r}); fake-tasks emulates {supported_text()}"
        )
    major, minor = int(found.group(1)), int(found.group(2))
    patch = int(found.group(3) or 0)
    if (major, minor) not in MINORS:
        raise UnsupportedVersion(
            f"Elasticsearch {major}.{minor}.{patch} is not emulated: fake-tasks emulates "
            f"{supported_text()} (default {DEFAULT_VERSION})"
        )
    return EsVersion(major, minor, patch)


def _synthetic(version: EsVersion) -> str:
    return hashlib.sha1(f"fake-tasks {version.number}".encode()).hexdigest()


def _assumed_lucene(version: EsVersion) -> str:
    """The Lucene version of the nearest earlier release of the same major that has one."""
    known = [(parse_version(r.version), r.lucene) for r in RELEASES if r.lucene is not None]
    earlier = [
        (v, lucene)
        for v, lucene in known
        if v.major == version.major and (v.line, v.patch) <= (version.line, version.patch)
    ]
    if earlier:
        return max(earlier, key=lambda vl: (vl[0].line, vl[0].patch))[1]
    return min((vl for vl in known if vl[0].major == version.major), key=lambda vl: vl[0].line)[1]


def _keeps(code: int) -> bool:
    """Whether `HeaderWarning.encode` leaves this character as it is (RFC 7230 qdtext)."""
    return (
        code in (0x09, 0x20, 0x21, 0x22, 0x5C)
        or 0x23 <= code <= 0x24
        or 0x26 <= code <= 0x5B
        or 0x5D <= code <= 0x7E
        or 0x80 <= code <= 0xFF
    )


def _percent_encode(text: str) -> str:
    """`HeaderWarning.encode`: each run of other characters as `%XX` of its UTF-8 bytes."""
    out: list[str] = []
    run: list[str] = []
    for char in text:
        if _keeps(ord(char)):
            if run:
                out.append("".join(f"%{b:02X}" for b in "".join(run).encode("utf-8")))
                run = []
            out.append(char)
        else:
            run.append(char)
    if run:
        out.append("".join(f"%{b:02X}" for b in "".join(run).encode("utf-8")))
    return "".join(out)
