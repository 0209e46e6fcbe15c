"""MkDocs hook: a page includes a marked section of the README, its links made relative to the page.

`<!-- include README.md:differences -->` on a line of its own is replaced by the README's text
between `<!-- --8<-- [start:differences] -->` and `<!-- --8<-- [end:differences] -->`, with links
into `docs/` rewritten for the including page (the README's own links are relative to the
repository's root).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

README = Path(__file__).resolve().parent / "README.md"
INCLUDE = re.compile(r"^<!-- include README\.md:([\w-]+) -->$", re.MULTILINE)
DOCS_LINK = re.compile(r"\]\(docs/")


def section(name: str) -> str:
    text = README.read_text()
    start, end = f"<!-- --8<-- [start:{name}] -->", f"<!-- --8<-- [end:{name}] -->"
    if start not in text or end not in text:
        raise ValueError(f"README.md has no section {name!r} (markers {start} ... {end})")
    return text.split(start, 1)[1].split(end, 1)[0].strip("\n")


def on_page_markdown(markdown: str, page: Any, **kwargs: Any) -> str:
    up = "../" * page.file.src_uri.count("/")
    return INCLUDE.sub(lambda m: DOCS_LINK.sub(f"]({up}", section(m.group(1))), markdown)
