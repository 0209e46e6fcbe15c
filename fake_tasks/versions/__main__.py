"""`python -m fake_tasks.versions`: print docs/versions.md."""

from fake_tasks.versions.doc import markdown

print(markdown(), end="")
