"""The repository explains itself: every rule the code cites is in the clone.

A comment or docstring that cites `docs/<file>.md, "<section>"` names a file of docs/ and a
section of it (a heading, or a paragraph's bold lead: **Formula safety.**); a test file
that a comment cites exists; nothing cites an issue number or a file kept outside the
repository."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [
    path
    for folder in ("mss_tracker", "tests", "templates", "docs")
    for path in sorted((ROOT / folder).rglob("*"))
    if path.suffix in {".py", ".html", ".md", ".txt", ".svg"} and path.is_file()
]
CITATION = re.compile(r"(docs/[\w.-]+\.md)\W{0,3}[\"“]([^\"”\n]+(?:\n\s*#?\s*[^\"”\n]+)?)[\"”]")


def sections(doc: Path) -> set[str]:
    text = doc.read_text()
    headings = {line.lstrip("#").strip() for line in text.splitlines() if line.startswith("#")}
    leads = {lead.strip().rstrip(".:") for lead in re.findall(r"\*\*([^*]+)\*\*", text)}
    before_colon = {lead.partition(":")[0] for lead in leads}  # **Record ids: by id.**
    return headings | leads | before_colon


def citations() -> list[tuple[str, str, str]]:
    found = []
    for path in SOURCES:
        for doc, section in CITATION.findall(path.read_text()):
            section = re.sub(r"\s*\n\s*#?\s*", " ", section)  # wrapped over two lines
            found.append((str(path.relative_to(ROOT)), doc, section))
    return found


def test_every_cited_section_is_in_its_doc():
    cited = citations()
    assert len(cited) > 20  # the pattern still finds them
    wrong = [
        (source, doc, section)
        for source, doc, section in cited
        if not (ROOT / doc).exists() or section not in sections(ROOT / doc)
    ]
    assert wrong == []


def test_every_cited_test_file_exists():
    missing = {
        (str(path.relative_to(ROOT)), cited)
        for path in SOURCES
        for cited in re.findall(r"tests/[\w/]+\.py", path.read_text())
        if not (ROOT / cited).exists()
    }
    assert missing == set()


def test_nothing_cites_an_issue_or_a_file_outside_the_repository():
    outside = re.compile(r"issue [0-9]+|\.\./shared|/work/|STYLE\.md", re.IGNORECASE)
    found = [
        str(path.relative_to(ROOT))
        for path in SOURCES
        if path.name != "test_doc_citations.py" and outside.search(path.read_text())
    ]
    assert found == []
