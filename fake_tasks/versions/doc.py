"""docs/versions.md, written from the version tables (`python -m fake_tasks.versions`)."""

from __future__ import annotations

from fake_tasks.versions import DEFAULT_VERSION, FEATURES, MINORS, RELEASES, parse_version
from fake_tasks.versions.releases import BUILD_SOURCE, LUCENE_SOURCES, OTHER_SOURCES

__all__ = ["markdown"]

_FIELDS = ("build_hash", "build_date", "lucene_version")


def _line(minor: tuple[int, int] | None) -> str:
    return "" if minor is None else f"{minor[0]}.{minor[1]}"


def _lines_text() -> str:
    eights = [m for m in MINORS if m[0] == 8]
    nines = [m for m in MINORS if m[0] == 9]
    return (
        f"7.17, {_line(eights[0])} to {_line(eights[-1])} and {_line(nines[0])} to "
        f"{_line(nines[-1])}"
    )


def markdown() -> str:
    """The whole page: emulated versions, behaviours by version, and `GET /` build values."""
    out = [
        "# Emulated Elasticsearch versions",
        "",
        "<!-- Generated from fake_tasks/versions/ by `python -m fake_tasks.versions`;"
        " tests/test_versions_doc.py keeps it current. Do not edit by hand. -->",
        "",
        f"fake-tasks emulates Elasticsearch {_lines_text()} (`version=` in the marker,",
        f"`--es-version` for `serve`; default **{DEFAULT_VERSION}**). `8.15` means `8.15.0`;",
        "any patch of an emulated line is accepted. Other versions are refused with a message",
        "naming the emulated range.",
        "",
        "## Behaviour by version",
        "",
        'Code asks `cluster.es_version.has("<key>")` (see docs/architecture.md).',
        "",
        "| key | since | until | where present | otherwise | verified in |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for feature in FEATURES:
        out.append(
            f"| `{feature.key}` | {_line(feature.since) or 'always'} | "
            f"{_line(feature.until) or '-'} | {feature.what} | {feature.otherwise} | "
            f"{feature.source} |"
        )
    out += [
        "",
        "Content types and `compatible-with`: a request asking for "
        "`application/vnd.elasticsearch+json; compatible-with=N` is answered in that media "
        "type when N is the emulated major or the one before; any other N is a 400 "
        "`media_type_header_exception` (`Accept version must be either version M or M-1, but "
        "found N`), as `RestCompatibleVersionHelper` does. So a 9.x client against 8.x gets the "
        "400, an 8.x client against 9.x gets `compatible-with=8` back, and a 7.17 client "
        "(plain `application/json`, or `compatible-with=7` with "
        "`ELASTIC_CLIENT_APIVERSIONING=1`) works against 8.x.",
        "",
        "## `GET /` build values",
        "",
        f"Build hashes and dates: {BUILD_SOURCE}. Lucene versions: "
        + "; ".join(f"{k}: {v}" for k, v in LUCENE_SOURCES.items())
        + ". A row whose last column names another source was read there instead: "
        + "; ".join(f"{k}: {v}" for k, v in OTHER_SOURCES.items())
        + ". A value marked *not verified* could not be read from a real release: the fake "
        "reports a placeholder (a synthetic hash, the date "
        "`1970-01-01T00:00:00.000Z`, or the Lucene version of the nearest earlier release). "
        "A patch release not listed here reports placeholders for all three.",
        "",
        "| version | build_hash | build_date | lucene_version | minimum wire / index compat. "
        "| read in |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for release in RELEASES:
        build = parse_version(release.version).build
        values = {
            "build_hash": build.hash,
            "build_date": build.date,
            "lucene_version": build.lucene,
        }
        cells = [
            f"`{values[f]}`" if f in build.verified else f"*not verified* (`{values[f]}`)"
            for f in _FIELDS
        ]
        out.append(
            f"| {release.version} | {' | '.join(cells)} | "
            f"{build.minimum_wire_compatibility} / {build.minimum_index_compatibility} | "
            f"{release.source or 'the sources above'} |"
        )
    out += [
        "",
        "Minimum compatibility versions: 7.17 `6.8.0` / `6.0.0-beta1`, 8.x `7.17.0` / `7.0.0`, "
        "9.0 `8.18.0` / `8.0.0`, 9.1 and later `8.19.0` / `8.0.0`, as the captured `GET /` "
        "answers of 7.17.29, 8.18.0, 8.19.0, 9.0.0, 9.1.2 to 9.1.5 (ids 6491724519, "
        "36912086484, 54975649616, 15519021779), 9.2.0, 9.3.0, 9.4.x and 9.5.0 show.",
        "",
    ]
    return "\n".join(out)
