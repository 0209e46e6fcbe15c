"""The build values `GET /` reports for each emulated release, and where each one was read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = [
    "BUILD_SOURCE",
    "LUCENE_SOURCES",
    "OTHER_SOURCES",
    "RELEASES",
    "Release",
    "compatibility",
]

BUILD_SOURCE: Final = (
    "labels `org.opencontainers.image.revision` / `.created` of the official Docker image, "
    "in elastic/dockerfiles (tag `v<version>`)"
)


@dataclass(frozen=True)
class Release:
    """One Elasticsearch release: its build commit and date, and its Lucene version.

    None marks a value that could not be verified: `GET /` then reports a placeholder, and
    docs/versions.md says so.
    """

    version: str
    build_hash: str | None
    build_date: str | None
    lucene: str | None
    source: str = ""
    """Where this row's values were read when not where `BUILD_SOURCE` / `LUCENE_SOURCES` say
    (`OTHER_SOURCES` explains each kind; the ids are the search index's file ids)."""


_R = Release
_CAPTURED: Final = "captured `GET /` answers"
_REPO_INFO: Final = "docker-library/repo-info labels"
RELEASES: Final = (
    _R(
        "7.17.0",
        "bee86328705acaa9a6daede7140defd4d9ec56bd",
        "2022-01-28T12:02:58.245119914Z",
        "8.11.1",
    ),
    _R(
        "7.17.29",
        "580aff1a0064ce4c93293aaab6fcc55e22c10d1c",
        "2025-06-19T01:37:57.847711500Z",
        "8.11.3",
        _CAPTURED + " (ids 7836934987, 13203188104, 59373483318)",
    ),
    _R(
        "8.0.0",
        "1b6a7ece17463df5ff54a3e1302d825889aa1161",
        "2022-02-03T22:52:11.916594404Z",
        "9.0.0",
    ),
    _R(
        "8.1.0",
        "3700f7679f7d95e36da0b43762189bab189bc53a",
        "2022-03-03T17:48:45.112302284Z",
        "9.0.0",
    ),
    _R(
        "8.2.0",
        "b174af62e8dd9f4ac4d25875e9381ffe2b9282c5",
        "2022-04-20T13:32:27.787910643Z",
        "9.1.0",
    ),
    _R(
        "8.3.0",
        "5b8b981647acdf1ba1d88751646b49d1b461b4cc",
        "2022-06-24T01:36:25.145132573Z",
        "9.2.0",
    ),
    _R(
        "8.4.0",
        "f56126089ca4db89b631901ad7cce0a8e10e2fe5",
        "2022-08-19T22:37:22.116074826Z",
        "9.3.0",
    ),
    _R(
        "8.5.0",
        "c94b4700cda13820dad5aa74fae6db185ca5c304",
        "2022-10-24T20:23:55.503438230Z",
        "9.4.1",
    ),
    _R(
        "8.6.0",
        "f67ef2df40237445caa70e2fef79471cc608d70d",
        "2023-01-04T09:35:21.782467981Z",
        "9.4.2",
    ),
    _R(
        "8.7.0",
        "09520b59b6bc1057340b55750186466ea715e30e",
        "2023-03-27T16:31:09.816451435Z",
        "9.5.0",
    ),
    _R(
        "8.8.0",
        "c01029875a091076ed42cdb3a41c10b1a9a5a20f",
        "2023-05-23T17:16:07.179039820Z",
        "9.6.0",
    ),
    _R(
        "8.9.0",
        "8aa461beb06aa0417a231c345a1b8c38fb498a0d",
        "2023-07-19T14:43:58.555259655Z",
        "9.7.0",
    ),
    _R(
        "8.10.0",
        "e338da74c79465dfdc204971e600342b0aa87b6b",
        "2023-09-07T08:16:21.960703010Z",
        "9.7.0",
    ),
    _R(
        "8.11.0",
        "d9ec3fa628c7b0ba3d25692e277ba26814820b20",
        "2023-11-04T10:04:57.184859352Z",
        "9.8.0",
    ),
    _R(
        "8.12.0",
        "1665f706fd9354802c02146c1e6b5c0fbcddfbc9",
        "2024-01-11T10:05:27.953830042Z",
        "9.9.1",
    ),
    _R(
        "8.13.0",
        "09df99393193b2c53d92899662a8b8b3c55b45cd",
        "2024-03-22T03:35:46.757803203Z",
        "9.10.0",
    ),
    _R(
        "8.14.0",
        "8d96bbe3bf5fed931f3119733895458eab75dca9",
        "2024-06-03T10:05:49.073003402Z",
        "9.10.0",
    ),
    _R(
        "8.15.0",
        "1a77947f34deddb41af25e6f0ddb8e830159c179",
        "2024-08-05T10:05:34.233336849Z",
        "9.11.1",
    ),
    _R(
        "8.16.0",
        "12ff76a92922609df4aba61a368e7adf65589749",
        "2024-11-08T10:05:56.292914697Z",
        "9.12.0",
    ),
    _R(
        "8.17.0",
        "2b6a7fed44faa321997703718f07ee0420804b41",
        "2024-12-11T12:08:05.663969764Z",
        "9.12.0",
    ),
    _R(
        "8.18.0",
        "04e979aa50b657bebd4a0937389308de82c2bdad",
        "2025-04-10T10:09:16.444104780Z",
        "9.12.1",
        _CAPTURED + " (ids 23247585316, 67659575922, 36214602363)",
    ),
    _R(
        "8.19.0",
        "93788a8c2882eb5b606510680fac214cff1c7a22",
        "2025-07-23T22:10:18.138212839Z",
        "9.12.2",
        _CAPTURED + " (ids 57470916441, 12930505213)",
    ),
    _R(
        "8.19.10",
        "493241b351be6d9f40d52a1406c91a23b4148821",
        "2026-01-08T22:07:49.939644068Z",
        None,
    ),
    _R(
        "8.19.22",
        "3b2a41103de35e0af4064d647974032fcc1bcde9",
        "2026-09-18T10:10:07.018982263Z",
        None,
        _REPO_INFO + " (id 68920496001)",
    ),
    _R(
        "9.0.0",
        "112859b85d50de2a7e63f73c8fc70b99eea24291",
        "2025-04-08T15:13:46.049795831Z",
        "10.1.0",
        _CAPTURED + " (ids 67114473932, 67188507201, 8071325449)",
    ),
    _R("9.0.8", "936f7cf370e0d7952bb71a98629284c3c0e0d00e", "2025-10-02T22:06:15.098088583Z", None),
    _R(
        "9.1.0",
        "00e7d33bf08f1476229d9d1642e2da46cfebdd53",
        "2025-07-23T22:09:53.891289976Z",
        "10.2.2",
    ),
    _R(
        "9.1.10", "f2e019bd8110088070638ca779ec1543188c0f43", "2026-01-08T22:08:21.336552225Z", None
    ),
    _R(
        "9.2.0",
        "25d88452371273dd27356c98598287b669a03eae",
        "2025-10-21T10:06:21.288851013Z",
        "10.3.1",
        _CAPTURED + " (ids 62092548386, 42108408172)",
    ),
    _R(
        "9.2.4",
        "dfc5c38614c29a598e132c035b66160d3d350894",
        "2026-01-08T22:07:25.170027027Z",
        "10.3.2",
        _CAPTURED + " (ids 32410840609, 32213556710)",
    ),
    _R(
        "9.3.0",
        "17b451d8979a29e31935fe1eb901310350b30e62",
        "2026-01-29T10:05:46.708397977Z",
        "10.3.2",
        _CAPTURED + " (ids 36297585351, 16796264760)",
    ),
    _R(
        "9.3.8",
        "171dd53e53c29b91f45d2d87857a3f74db48cca5",
        "2026-07-15T22:14:38.667958010Z",
        None,
        _REPO_INFO + " (id 61232654419)",
    ),
    _R("9.4.0", None, None, "10.4.0"),
    _R(
        "9.4.1",
        "3c7c6027c5769d860d87448e2749f4c550a239da",
        "2026-05-08T10:08:29.383338563Z",
        "10.4.0",
        _CAPTURED + " (id 53131414577)",
    ),
    _R(
        "9.4.2",
        "c402c2b36d90eae29c0182f86bd9050fd0b746cc",
        "2026-05-25T22:10:36.017759931Z",
        "10.4.0",
        _CAPTURED + " (ids 68947709266, 68916071343, 55143328584)",
    ),
    _R(
        "9.4.4",
        "77cd231096e56b56ac1d24445a9430a252622e6d",
        "2026-07-15T22:13:42.125968334Z",
        "10.4.0",
        _CAPTURED + " (id 69071147503)",
    ),
    _R(
        "9.4.6",
        "10011cbc74640115d0ffac0cef7c925aec4754f5",
        "2026-08-26T22:12:16.859701616Z",
        None,
        _REPO_INFO + " (id 61010360629)",
    ),
    _R(
        "9.5.0",
        "8d4246a64bc255212407b1b313fe402391299c88",
        "2026-07-29T23:38:48.847847767Z",
        "10.5.0",
        _CAPTURED + " (id 60074584882; Lucene also id 63389594126)",
    ),
    _R(
        "9.5.1",
        "0e1cdd500cb446f51b847d131747da3cc500eee1",
        "2026-08-05T23:10:54.760245929Z",
        None,
        _REPO_INFO + " (id 60856651475)",
    ),
    _R(
        "9.5.3",
        "367ec317ec5f668dd864d41be06052a567102fec",
        "2026-09-01T16:11:59.322249404Z",
        None,
        _REPO_INFO + " (id 61279207587)",
    ),
)
"""Every release with known build values: each minor's first, and the patches found."""

OTHER_SOURCES: Final = {
    _CAPTURED: "the JSON a real node answered to `GET /`, as pasted into public repositories "
    "(install notes, lab logs); a row cites the files, which agree with each other",
    _REPO_INFO: "the `org.opencontainers.image.revision` / `.created` labels of the official "
    "image recorded in docker-library/repo-info (`repos/elasticsearch/local/<version>.md`)",
}

LUCENE_SOURCES: Final = {
    "7": "`IndexVersions.V_7_17_0` (Lucene 8.11.1)",
    "8": "the release's index version in `IndexVersions.csv` and its Lucene version in "
    "`IndexVersions.java` (8.0 to 8.17)",
    "9.1": '9.1.0 release notes ("Upgrade to lucene 10.2.2")',
    "9.4": "`build-tools-internal/version.properties` on the 9.4 branch (`lucene = 10.4.0`)",
}
"""Where the Lucene versions of the rows without a `source` were read."""


def compatibility(major: int, minor: int) -> tuple[str, str]:
    """`minimum_wire_compatibility_version` and `minimum_index_compatibility_version`."""
    if major == 7:
        return "6.8.0", "6.0.0-beta1"
    if major == 8:
        return "7.17.0", "7.0.0"
    return ("8.18.0" if minor == 0 else "8.19.0"), "8.0.0"
