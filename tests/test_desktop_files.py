"""The Linux desktop integration files agree with the app and with each other.

Desktops match the .desktop file, the AppStream metainfo, the icon names and the running
window by the app id, so one wrong letter hides the app or its icon. These tests read the
committed files; packaging/validate-desktop runs the freedesktop validators on them.
"""

from __future__ import annotations

import configparser
import struct
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from reader_app import APP_ID, APP_NAME, __version__

ROOT = Path(__file__).resolve().parents[1]
LINUX = ROOT / "packaging" / "linux"
DESKTOP = LINUX / f"{APP_ID}.desktop"
METAINFO = LINUX / f"{APP_ID}.metainfo.xml"
SCREENSHOTS = ROOT / "packaging" / "screenshots"
ICONS = ROOT / "resources" / "icons"
SVG = ICONS / f"{APP_ID}.svg"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
MIME_TYPES = {
    "application/epub+zip",
    "text/plain",
    "text/html",
    "text/markdown",
    "application/pdf",
    "application/x-mobipocket-ebook",
    "application/vnd.amazon.mobi8-ebook",
    "application/x-fictionbook+xml",
    "application/x-zip-compressed-fb2",
}
SVG_NS = "{http://www.w3.org/2000/svg}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _pyproject() -> dict[str, object]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == PNG_SIGNATURE, f"{path} is not a PNG"
    assert head[12:16] == b"IHDR", f"{path} has no IHDR chunk first"
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def _desktop_entry() -> configparser.SectionProxy:
    # Values hold % (field codes) and ; lists: no interpolation, and keys keep their case.
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(DESKTOP.read_text("utf-8"), source=str(DESKTOP))
    return parser["Desktop Entry"]


def _list(value: str) -> list[str]:
    return [item for item in value.split(";") if item]


def _metainfo() -> ET.Element:
    return ET.parse(METAINFO).getroot()


def _text(root: ET.Element, path: str) -> str:
    element = root.find(path)
    assert element is not None, f"metainfo has no <{path}>"
    return (element.text or "").strip()


# The .desktop file


def test_desktop_file_names_the_app() -> None:
    entry = _desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Name"] == APP_NAME
    assert entry["GenericName"] == "E-book Reader"
    assert entry["Comment"]
    assert entry["Terminal"] == "false"


def test_desktop_file_launches_the_installed_command_with_files() -> None:
    entry = _desktop_entry()
    assert entry["Exec"] == "tone-reader %F"
    assert entry["TryExec"] == "tone-reader"
    scripts = _pyproject()["project"]["scripts"]  # type: ignore[index]
    assert "tone-reader" in scripts


def test_desktop_file_opens_every_supported_format() -> None:
    assert set(_list(_desktop_entry()["MimeType"])) == MIME_TYPES


def test_desktop_file_icon_is_the_shipped_svg() -> None:
    icon = _desktop_entry()["Icon"]
    assert icon == APP_ID
    assert (ICONS / f"{icon}.svg").is_file()
    assert DESKTOP.stem == APP_ID


def test_desktop_file_matches_the_window_qt_creates() -> None:
    # On X11 Qt sets the WM_CLASS class to QApplication.applicationName(), which the app sets
    # to APP_NAME; on Wayland the app id is the desktop file name, which the app sets to APP_ID.
    entry = _desktop_entry()
    assert entry["StartupWMClass"] == APP_NAME
    assert entry["StartupNotify"] == "true"
    app_source = (ROOT / "reader_app" / "app.py").read_text("utf-8")
    assert "setDesktopFileName(APP_ID)" in app_source
    assert "setApplicationName(APP_NAME)" in app_source


def test_desktop_file_has_categories_and_keywords() -> None:
    entry = _desktop_entry()
    assert {"Office", "Viewer"} <= set(_list(entry["Categories"]))
    keywords = {k.lower() for k in _list(entry["Keywords"])}
    assert {"epub", "ebook", "tone"} <= keywords


# The AppStream metainfo


def test_metainfo_ids_match_the_app() -> None:
    root = _metainfo()
    assert root.tag == "component"
    assert root.get("type") == "desktop-application"
    assert _text(root, "id") == APP_ID
    assert _text(root, "name") == APP_NAME
    assert _text(root, "launchable") == DESKTOP.name
    assert root.find("launchable").get("type") == "desktop-id"  # type: ignore[union-attr]
    assert METAINFO.name == f"{APP_ID}.metainfo.xml"


def test_metainfo_licences() -> None:
    root = _metainfo()
    assert _text(root, "metadata_license") in {"CC0-1.0", "FSFAP"}
    assert _text(root, "project_license") == _pyproject()["project"]["license"]  # type: ignore[index]


def test_metainfo_newest_release_is_this_version() -> None:
    releases = _metainfo().findall("releases/release")
    assert releases, "metainfo lists no release"
    assert releases[0].get("version") == __version__
    assert releases[0].get("date")
    assert releases[0].find("description") is not None


def test_metainfo_provides_the_command_and_the_desktop_mime_types() -> None:
    root = _metainfo()
    assert _text(root, "provides/binary") == "tone-reader"
    mediatypes = {(m.text or "").strip() for m in root.findall("provides/mediatype")}
    assert mediatypes == set(_list(_desktop_entry()["MimeType"]))


def test_metainfo_describes_the_features() -> None:
    root = _metainfo()
    description = root.find("description")
    assert description is not None
    assert len(description.findall("p")) >= 2
    features = " ".join((li.text or "") for li in description.findall("ul/li"))
    for word in ("EPUB", "Markdown", "HTML", "emotions", "Evaluation", "Anki", "Readwise"):
        assert word in features, word
    content_rating = root.find("content_rating")
    assert content_rating is not None
    assert content_rating.get("type") == "oars-1.1"


def test_metainfo_urls_are_the_project_homepage() -> None:
    homepage = _pyproject()["project"]["urls"]["Homepage"]  # type: ignore[index]
    root = _metainfo()
    urls = {u.get("type"): (u.text or "").strip() for u in root.findall("url")}
    assert urls["homepage"] == homepage


def _screenshot_file(url: str) -> Path:
    # A raw file URL in the project's repository: .../<owner>/<repo>/<branch>/<path>.
    homepage: str = _pyproject()["project"]["urls"]["Homepage"]  # type: ignore[index]
    owner_repo = homepage.removeprefix("https://github.com/")
    prefix = f"https://raw.githubusercontent.com/{owner_repo}/main/"
    assert url.startswith(prefix), url
    return ROOT / url.removeprefix(prefix)


def test_metainfo_screenshots_are_committed_files() -> None:
    screenshots = _metainfo().findall("screenshots/screenshot")
    assert len(screenshots) >= 3
    assert [s.get("type") for s in screenshots].count("default") == 1
    for screenshot in screenshots:
        assert _text(screenshot, "caption")
        image = screenshot.find("image")
        assert image is not None
        path = _screenshot_file((image.text or "").strip())
        assert path.parent == SCREENSHOTS
        assert path.is_file(), path
        assert _png_size(path) == (int(image.get("width", 0)), int(image.get("height", 0)))


def test_every_committed_screenshot_is_used() -> None:
    named = {
        _screenshot_file((i.text or "").strip()).name
        for i in _metainfo().findall("screenshots/screenshot/image")
    }
    assert {p.name for p in SCREENSHOTS.glob("*.png")} == named


# Icons


def test_svg_icon_is_self_contained() -> None:
    root = ET.parse(SVG).getroot()
    assert root.tag == f"{SVG_NS}svg"
    assert root.get("viewBox") == "0 0 128 128"
    for element in root.iter():
        tag = element.tag.removeprefix(SVG_NS)
        assert tag not in {"script", "foreignObject", "image", "style"}, tag
        for name, value in element.attrib.items():
            assert not name.startswith("on"), f"event handler {name}"
            if name.endswith("href"):
                assert value.startswith("#"), f"external reference {value}"
            assert "url(" not in value or "url(#" in value, value
    text = SVG.read_text("utf-8")
    assert "<!ENTITY" not in text
    assert "http://" not in text.replace("http://www.w3.org/", "")


def test_png_icons_have_the_size_their_folder_names() -> None:
    hicolor = ICONS / "hicolor"
    folders = {p.name for p in hicolor.iterdir() if p.is_dir()}
    assert folders == {f"{n}x{n}" for n in PNG_SIZES}
    for n in PNG_SIZES:
        png = hicolor / f"{n}x{n}" / "apps" / f"{APP_ID}.png"
        assert png.is_file(), png
        assert _png_size(png) == (n, n), png


@pytest.mark.parametrize("size", [16, 48, 256])
def test_png_icons_are_rendered_from_the_current_svg(
    qapp: object, tmp_path: Path, size: int
) -> None:
    from PySide6.QtGui import QImage

    from tools.render_icons import png_path, render

    render(SVG, tmp_path, (size,))
    fresh = QImage(str(png_path(tmp_path, size))).convertToFormat(QImage.Format.Format_ARGB32)
    committed = QImage(str(png_path(ICONS, size))).convertToFormat(QImage.Format.Format_ARGB32)
    assert fresh.size() == committed.size()
    # Allow for small anti-aliasing differences between Qt patch releases; a changed design
    # moves whole shapes and exceeds this by far.
    worst = 0
    for y in range(size):
        for x in range(size):
            a, b = fresh.pixelColor(x, y), committed.pixelColor(x, y)
            worst = max(
                worst,
                abs(a.red() - b.red()),
                abs(a.green() - b.green()),
                abs(a.blue() - b.blue()),
                abs(a.alpha() - b.alpha()),
            )
    assert worst <= 24, f"{size}px icon is stale: run python tools/render_icons.py"
