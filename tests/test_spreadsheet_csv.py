"""CSV for spreadsheets: each CSV download also comes "for Excel / LibreOffice" (the same
bytes after a UTF-8 byte-order mark, `bom=1`), an export opened and saved in a spreadsheet
imports with no change, and a file a spreadsheet double-encoded is refused by line."""

from __future__ import annotations

import codecs
import csv
import io
import shutil
import subprocess

import pytest
from django.test import Client

from mss_tracker.tracker.csv.importing import import_csv
from mss_tracker.tracker.csv.importing.double_encoding import likely_original
from mss_tracker.tracker.models import DeploymentEvent, Source
from mss_tracker.tracker.sample_data import load_sample_data

BOM = codecs.BOM_UTF8


@pytest.fixture
def sample(db):
    load_sample_data()


def _get(client: Client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    return b"".join(response.streaming_content) if response.streaming else response.content


EXPORTS = [
    "/missions/mss/export/events.csv",
    "/missions/mss/export/pledges.csv",
    "/missions/mss/export/summary.csv",
    "/export/missions.csv",
    "/missions/gsf/export/events.csv?type=police&as_of=2026-01-01",
]


@pytest.mark.parametrize("url", EXPORTS)
def test_the_spreadsheet_file_is_the_same_bytes_after_a_byte_order_mark(client, sample, url):
    plain = _get(client, url)
    separator = "&" if "?" in url else "?"
    for_spreadsheets = _get(client, f"{url}{separator}bom=1")
    assert not plain.startswith(BOM)
    assert for_spreadsheets == BOM + plain


def test_the_spreadsheet_file_has_its_own_name(client, sample):
    plain = client.get("/missions/mss/export/events.csv?as_of=2025-03-01")
    marked = client.get("/missions/mss/export/events.csv?as_of=2025-03-01&bom=1")
    assert 'filename="mss-events-2025-03-01.csv"' in plain["Content-Disposition"]
    assert (
        'filename="mss-events-2025-03-01-for-spreadsheets.csv"' in (marked["Content-Disposition"])
    )
    assert marked["Content-Type"] == "text/csv; charset=utf-8"


@pytest.mark.parametrize("value", ["2", "yes", "true", "١"])
def test_a_bad_bom_value_is_a_400_naming_it(client, sample, value):
    response = client.get(f"/missions/mss/export/events.csv?bom={value}")
    assert response.status_code == 400
    assert "bom" in response.content.decode()


def test_bom_0_or_empty_is_the_plain_file(client, sample):
    plain = _get(client, "/missions/mss/export/events.csv")
    assert _get(client, "/missions/mss/export/events.csv?bom=0") == plain
    assert _get(client, "/missions/mss/export/events.csv?bom=") == plain


def test_json_is_the_same_with_or_without_bom(client, sample):
    url = "/missions/mss/export/events.json"
    assert _get(client, url + "?bom=1") == _get(client, url)


def test_the_spreadsheet_file_is_not_a_resource_of_the_data_package(client, sample):
    package = _get(client, "/missions/mss/datapackage.json").decode()
    assert "bom" not in package
    assert "for-spreadsheets" not in package


@pytest.mark.parametrize("prefix", ["", "/fr", "/ht"])
@pytest.mark.parametrize(
    ("page", "exports"),
    [
        ("/missions/mss/", ["summary", "events", "pledges"]),
        ("/missions/mss/events/", ["events", "pledges"]),
        ("/missions/mss/countries/KEN/", ["events", "pledges", "summary"]),
        ("/", ["missions"]),
    ],
)
def test_every_csv_link_has_its_spreadsheet_link_beside_it(client, sample, prefix, page, exports):
    html = _get(client, prefix + page).decode()
    for export in exports:
        assert f"export/{export}.csv" in html
        links = [part for part in html.split('href="')[1:] if f"{export}.csv?" in part]
        assert any("bom=1" in link.split('"')[0] for link in links), (page, export)
    assert html.count('class="spreadsheet-link"') == len(exports)
    if prefix == "":
        assert "for Excel / LibreOffice" in html
    else:
        assert "for Excel / LibreOffice" not in html  # translated


def test_the_spreadsheet_links_download_the_page_s_filters(client, sample):
    html = _get(client, "/missions/mss/events/?type=police&country=KEN").decode()
    link = next(
        part.split('"')[0]
        for part in html.split('href="')[1:]
        if part.startswith("/missions/mss/export/events.csv") and "bom=1" in part.split('"')[0]
    )
    assert "type=police" in link and "country=KEN" in link
    assert _get(client, link.replace("&amp;", "&")).startswith(BOM)


def test_the_admin_exports_selected_records_for_spreadsheets(editor_client, sample):
    ids = list(DeploymentEvent.objects.values_list("pk", flat=True)[:3])
    posted = {"_selected_action": ids, "index": 0}
    plain = editor_client.post(
        "/admin/tracker/deploymentevent/", {**posted, "action": "export_selected_as_csv"}
    )
    marked = editor_client.post(
        "/admin/tracker/deploymentevent/",
        {**posted, "action": "export_selected_for_spreadsheets"},
    )
    plain_bytes = b"".join(plain.streaming_content)
    assert b"".join(marked.streaming_content) == BOM + plain_bytes
    assert "for-spreadsheets.csv" in marked["Content-Disposition"]
    page = editor_client.get("/admin/tracker/pledge/").content.decode()
    assert "Export selected as CSV for Excel / LibreOffice" in page


# What a spreadsheet does to the file -------------------------------------------------------


def _as_a_spreadsheet_saves(rows: list[list[str]], *, encoding: str) -> bytes:
    """Write rows back as Excel's "CSV UTF-8" and LibreOffice do: CRLF, minimal quoting."""
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


def _as_a_spreadsheet_reads(data: bytes) -> list[list[str]]:
    """A spreadsheet reads UTF-8 when the file starts with a byte-order mark, and the
    system's legacy code page (Windows-1252 in Western Europe) when it does not."""
    if data.startswith(BOM):
        text = data.decode("utf-8-sig")
    else:
        text = data.decode("cp1252", errors="replace")
    return list(csv.reader(io.StringIO(text, newline="")))


def test_an_events_export_for_spreadsheets_read_and_saved_back_imports_with_no_change(
    client, sample
):
    exported = _get(client, "/missions/mss/export/events.csv?bom=1")
    assert "Centroamérica 360".encode() in exported
    saved = _as_a_spreadsheet_saves(_as_a_spreadsheet_reads(exported), encoding="utf-8-sig")
    assert saved.startswith(BOM)
    result = import_csv("events", saved, dry_run=True)
    assert result.errors == []
    assert result.rows == DeploymentEvent.objects.filter(mission__slug="mss").count()
    assert (result.new_lines, result.updated_lines) == ([], [])
    assert len(result.present_lines) == result.rows


def test_an_export_without_the_mark_garbled_by_a_spreadsheet_is_refused_by_line(client, sample):
    exported = _get(client, "/missions/mss/export/events.csv")
    saved = _as_a_spreadsheet_saves(_as_a_spreadsheet_reads(exported), encoding="utf-8")
    assert "CentroamÃ©rica 360".encode() in saved
    sources = Source.objects.count()
    result = import_csv("events", saved)
    assert not result.written
    assert Source.objects.count() == sources
    garbled = [error for error in result.errors if error.column == "source_publisher"]
    assert garbled, result.errors
    first = garbled[0]
    line = (
        saved.decode()
        .splitlines()
        .index(next(row for row in saved.decode().splitlines() if "CentroamÃ©rica 360," in row))
    )
    assert first.line == line + 1
    assert "“CentroamÃ©rica 360”" in first.message
    assert "probably “Centroamérica 360”" in first.message
    assert "for Excel / LibreOffice" in first.message


def test_the_import_accepts_a_byte_order_mark_before_a_semicolon_header(sample):
    text = (
        "date;date_precision;mission;country_iso3;country;event;personnel_type;personnel;"
        "disputed;source_publisher;source_title;source_url;source_date;notes\r\n"
        "2025-01-03;day;mss;SLV;El Salvador;arrival;military;8;false;Test;;;;Haïti\r\n"
    )
    result = import_csv("events", BOM + text.encode(), dry_run=True)
    assert result.errors == []
    assert len(result.new_lines) == 1


@pytest.mark.parametrize(
    ("garbled", "original"),
    [
        ("HaÃ¯ti", "Haïti"),
        ("CentroamÃ©rica 360", "Centroamérica 360"),
        ("CÃ´te dâ€™Ivoire", "Côte d’Ivoire"),
        ("Ã‰tat", "État"),
        ("SÃ£o TomÃ©, and naïve", "São Tomé, and naïve"),
    ],
)
def test_double_encoded_text_is_recognised_with_its_original(garbled, original):
    assert likely_original(garbled) == original


@pytest.mark.parametrize(
    "text", ["Haïti", "Côte d’Ivoire — 2025", "日本", "€5, 30°C", "Ã alone", "plain", ""]
)
def test_real_text_is_not_taken_for_double_encoding(text):
    assert likely_original(text) is None


# LibreOffice, where it is installed -------------------------------------------------------

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


# The import options LibreOffice's Text Import dialog shows for a file that starts with a
# UTF-8 byte-order mark: comma, double quote, UTF-8 (76), from line 1, standard columns,
# "detect special numbers" on (dates and numbers become cells of those types, as people
# open files). Headless conversion does not sniff the mark itself, so the test gives the
# dialog's choice; the file without the mark is read in the legacy code page (1252).
LIBREOFFICE_READS = {True: "44,34,76,1,,1033,false,true", False: "44,34,1,1,,1033,false,true"}
LIBREOFFICE_SAVES = "44,34,76,1,,1033,false,true,true"  # comma, quote, UTF-8, as shown


def _libreoffice_round_trip(data: bytes, tmp_path) -> bytes:
    """Open the file in LibreOffice Calc as a person would, and save it again as CSV."""
    source = tmp_path / "in" / "events.csv"
    source.parent.mkdir()
    source.write_bytes(data)
    out = tmp_path / "out"
    reads = LIBREOFFICE_READS[data.startswith(BOM)]
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            f"--infilter=Text - txt - csv (StarCalc):{reads}",
            "--convert-to",
            f"csv:Text - txt - csv (StarCalc):{LIBREOFFICE_SAVES}",
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return (out / "events.csv").read_bytes()


@pytest.mark.slow
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed here")
def test_libreoffice_round_trip_of_the_spreadsheet_file_imports_with_no_change(
    client, sample, tmp_path
):
    exported = _get(client, "/missions/mss/export/events.csv?bom=1")
    saved = _libreoffice_round_trip(exported, tmp_path)
    assert "Centroamérica 360" in saved.decode("utf-8-sig")
    result = import_csv("events", saved, dry_run=True)
    assert result.errors == []
    assert (result.new_lines, result.updated_lines) == ([], [])
    assert len(result.present_lines) == result.rows > 0


@pytest.mark.slow
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed here")
def test_libreoffice_round_trip_of_the_plain_file_is_refused_by_line(client, sample, tmp_path):
    exported = _get(client, "/missions/mss/export/events.csv")
    saved = _libreoffice_round_trip(exported, tmp_path)
    result = import_csv("events", saved, dry_run=True)
    assert any("probably “Centroamérica 360”" in error.message for error in result.errors)
    assert (result.new_lines, result.updated_lines) == ([], [])
