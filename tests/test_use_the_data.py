"""docs/use-the-data.md: its pandas and curl examples run, as written, against a live server;
the French and Creole pages (docs/use-the-data.fr.md, .ht.md) show the same examples."""

import re
import subprocess
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parent.parent / "docs" / "use-the-data.md"
TRANSLATIONS = {"fr": DOC.with_suffix(".fr.md"), "ht": DOC.with_suffix(".ht.md")}
DEMO = "http://127.0.0.1:8000"


def _blocks(language: str, doc: Path = DOC) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", doc.read_text(), re.DOTALL)


def _against(server, code: str) -> str:
    assert DEMO in code
    return code.replace(DEMO, server.url)


@pytest.fixture
def sample(sample_missions):
    return sample_missions


def test_the_page_has_pandas_r_and_curl_examples():
    assert [len(_blocks(language)) for language in ("python", "r", "sh")] == [1, 1, 1]


@pytest.mark.django_db(transaction=True)
def test_the_pandas_example_runs(live_server, sample, capsys):
    namespace: dict = {}
    exec(_against(live_server, _blocks("python")[0]), namespace)
    summary, events, kenya = namespace["summary"], namespace["events"], namespace["kenya"]
    assert "Kenya" in set(summary["country"])
    assert len(events) == 8 and set(events["personnel_type"]) == {"police"}
    assert str(events["date"].dtype).startswith("datetime64")
    assert set(kenya["country_iso3"]) == {"KEN"} and len(kenya) == 7
    assert "Kenya" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_the_curl_examples_run(live_server, sample, tmp_path):
    script = _against(live_server, _blocks("sh")[0])
    result = subprocess.run(
        ["bash", "-e", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "mss-events.csv").read_text().startswith("date,date_precision,")
    assert '"columns":["mission","country_iso3"' in result.stdout
    assert "<feed" in result.stdout and "Kenya" in result.stdout


def test_the_site_shows_the_page_with_its_own_address(client, db):
    html = client.get("/use-the-data/").content.decode()
    assert "<h1>Use the data</h1>" in html
    assert "http://testserver/missions/mss/events.atom?country=KEN" in html
    assert DEMO not in html


@pytest.mark.parametrize(
    ("language", "heading", "section"),
    [
        ("fr", "<h1>Utiliser les données</h1>", "Ce que contient chaque fichier"),
        ("ht", "<h1>Sèvi ak done yo</h1>", "Sa ki nan chak fichye"),
    ],
)
def test_it_is_written_in_french_and_creole_too(client, db, language, heading, section):
    response = client.get(f"/{language}/use-the-data/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html and heading in html and section in html
    assert f"http://testserver/{language}/missions/mss/?as_of=2025-01-05" in html


@pytest.mark.parametrize("language", ["fr", "ht"])
def test_the_translations_show_the_same_examples(language):
    for block in ("python", "r", "sh"):
        assert _blocks(block, TRANSLATIONS[language]) == _blocks(block), block


def test_every_page_links_it_from_the_footer(client, sample):
    for page in ("/", "/missions/mss/", "/missions/mss/events/"):
        assert 'href="/use-the-data/"' in client.get(page).content.decode()
        assert 'href="/fr/use-the-data/"' in client.get(f"/fr{page}").content.decode()


def test_the_readme_links_it():
    readme = (DOC.parent.parent / "README.md").read_text()
    assert "docs/use-the-data.md" in readme
