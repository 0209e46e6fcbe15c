"""The code blocks of the documentation (docs/ and the README), found and written out for mypy.

`python tests/docexamples.py DIR` writes every Python block as a module in DIR, so that
`mypy --strict DIR` checks the examples as users would type them (`.ci/run` does).
"""

from __future__ import annotations

import re
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
README = ROOT / "README.md"
FENCE = re.compile(
    r"^(?P<indent>[ ]*)```(?P<lang>[\w+-]*)[^\n]*\n(?P<body>.*?)^(?P=indent)```[ ]*$",
    re.MULTILINE | re.DOTALL,
)


@dataclass(frozen=True)
class Block:
    """One fenced code block: where it is, its language and its text (dedented)."""

    page: Path
    line: int
    lang: str
    source: str

    @property
    def name(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"

    @property
    def tests(self) -> int:
        """How many pytest tests the block defines (0: a script, run as it is)."""
        return len(re.findall(r"^def test_", self.source, re.MULTILINE))


def pages() -> list[Path]:
    return sorted(DOCS.rglob("*.md"))


def blocks(paths: list[Path] | None = None) -> list[Block]:
    found = []
    for page in paths if paths is not None else pages():
        text = page.read_text()
        for match in FENCE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            body = textwrap.dedent(match.group("body"))
            found.append(Block(page, line, match.group("lang"), body))
    return found


def python_blocks(*, readme: bool = False) -> list[Block]:
    paths = [*pages(), README] if readme else pages()
    return [block for block in blocks(paths) if block.lang == "python"]


def write_modules(directory: Path) -> list[Path]:
    """Each Python block of the docs and the README as `<page>_<line>.py` in `directory`."""
    written = []
    for block in python_blocks(readme=True):
        stem = re.sub(r"\W", "_", str(block.page.relative_to(ROOT).with_suffix("")))
        path = directory / f"{stem}_{block.line}.py"
        path.write_text(block.source)
        written.append(path)
    return written


if __name__ == "__main__":
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    print(f"{len(write_modules(out))} examples written to {out}")
