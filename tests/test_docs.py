"""The README and docs/ stand on their own: a reader never needs a file outside the repository."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
# A path that leaves the repository, or the specification and the original contract by name.
OUTSIDE = re.compile(r"\.\./|\bshared/|\bSPEC\b|\bAPI\.md\b")
LINK = re.compile(r"\]\(([^)#\s]+)")


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_it_points_nowhere_outside_the_repository(doc):
    lines = [
        f"{number}: {line.strip()}"
        for number, line in enumerate(doc.read_text().splitlines(), 1)
        if OUTSIDE.search(line)
    ]
    assert lines == []


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_its_relative_links_lead_to_files_of_the_repository(doc):
    broken = [
        target
        for target in LINK.findall(doc.read_text())
        if "://" not in target
        and not target.startswith("mailto:")
        and not (doc.parent / target).resolve().exists()
    ]
    assert broken == []
