"""The Examples dialog on a real library: add, edit, search, delete and undo, sets, import."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QWidget

from reader_app.config.resources import resource_path
from reader_app.core.examples import Example, read_jsonl
from reader_app.core.examples_io import read_examples
from reader_app.storage.db import open_database
from reader_app.storage.examples import ExampleRepository
from reader_app.ui.example_form import ID_ROLE, ExampleFormDialog
from reader_app.ui.examples_dialog import ExamplesDialog

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Iterator
    from pathlib import Path

    from pytestqt.modeltest import ModelTester
    from pytestqt.qtbot import QtBot

BOOK = "b" * 64


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    connection = open_database(tmp_path / "library.sqlite3")
    yield connection
    connection.close()


@pytest.fixture
def repo(conn: sqlite3.Connection) -> ExampleRepository:
    repository = ExampleRepository(conn)
    seed = resource_path("examples/seed.jsonl")
    assert seed is not None
    repository.seed_once(read_jsonl(seed)[0][:5])  # the five Wordsworth pairs the tests use
    return repository


@pytest.fixture
def dialog(qtbot: QtBot, repo: ExampleRepository) -> ExamplesDialog:
    widget = ExamplesDialog(repo, BOOK)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _shown_ids(dialog: ExamplesDialog) -> list[int]:
    proxy = dialog.proxy
    return [int(proxy.data(proxy.index(r, 0), ID_ROLE)) for r in range(proxy.rowCount())]


def _select(dialog: ExamplesDialog, example_id: int) -> None:
    dialog.table.selectRow(_shown_ids(dialog).index(example_id))
    assert dialog.selected_id() == example_id


def _ok(form: ExampleFormDialog) -> QWidget:
    return form.buttons.button(QDialogButtonBox.StandardButton.Ok)


def test_opens_non_modal_with_the_seed_examples(
    dialog: ExamplesDialog, qtmodeltester: ModelTester
) -> None:
    assert not dialog.isModal()
    assert _shown_ids(dialog) == [1, 2, 3, 4, 5]
    assert dialog.count_label.text() == "5 examples"
    assert dialog.proxy.index(0, 1).data() == "Scornful and Disapproving"
    assert dialog.proxy.index(0, 2).data() == "disgust 80%, anger 40%"
    assert dialog.proxy.index(0, 3).data() == "seed, romantic poetry"
    # Multi-line excerpts are one line in the table.
    assert dialog.proxy.index(0, 0).data().startswith("A fingering slave, One that")
    assert not dialog.edit_button.isEnabled()
    assert not dialog.undo_button.isEnabled()
    qtmodeltester.check(dialog.model)


# Typing a tone opens its completer's popup, which the offscreen platform cannot raise.
@pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing the keyboard)")
def test_add_an_example_through_the_form(
    qtbot: QtBot, dialog: ExamplesDialog, repo: ExampleRepository
) -> None:
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    form = dialog.form
    assert form is not None
    assert form.isVisible()
    assert not _ok(form).isEnabled()  # no excerpt and no tone yet
    qtbot.keyClicks(form.excerpt, "He said <b>no</b>.")
    qtbot.keyClick(form.excerpt, Qt.Key.Key_Return)
    qtbot.keyClicks(form.excerpt, "Then left.")
    assert not _ok(form).isEnabled()
    qtbot.keyClicks(form.tone, "Curt and Final")
    assert _ok(form).isEnabled()
    first, second, _third = form.emotion_rows
    first.name.setCurrentIndex(first.name.findData("anger"))
    first.spin.setValue(30)
    second.name.setCurrentIndex(second.name.findData("sadness"))
    second.slider.setValue(65)
    assert second.spin.value() == 65
    qtbot.keyClicks(form.explanation, "Few words, a full stop.")
    qtbot.keyClicks(form.tags, "dialogue, endings, dialogue")
    qtbot.keyClicks(form.speaker, "  the  stranger ")
    with qtbot.waitSignal(dialog.examples_changed):
        qtbot.mouseClick(_ok(form), Qt.MouseButton.LeftButton)
    assert not form.isVisible()
    stored = repo.all()[-1]
    assert stored.example == Example(
        excerpt="He said <b>no</b>.\nThen left.",
        tone="Curt and Final",
        emotions=(("sadness", 0.65), ("anger", 0.3)),
        explanation="Few words, a full stop.",
        tags=("dialogue", "endings"),
        speaker="the stranger",
    )
    assert dialog.selected_id() == stored.id
    assert dialog.count_label.text() == "6 examples"
    # The user's text is shown as text, never as markup.
    assert dialog.status.textFormat() == Qt.TextFormat.PlainText
    assert "<b>no</b>" in dialog.status.text()
    tooltip = dialog.proxy.index(5, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert "&lt;b&gt;no&lt;/b&gt;" in tooltip
    assert dialog.tag_filter.findData("endings") >= 0


def test_the_form_refuses_the_same_emotion_twice(qtbot: QtBot, dialog: ExamplesDialog) -> None:
    dialog.add_example()
    form = dialog.form
    assert form is not None
    form.excerpt.setPlainText("Text")
    form.tone.setText("Calm")
    for row in form.emotion_rows[:2]:
        row.name.setCurrentIndex(row.name.findData("joy"))
    with qtbot.assertNotEmitted(dialog.examples_changed):
        qtbot.mouseClick(_ok(form), Qt.MouseButton.LeftButton)
    assert form.isVisible()
    assert "Joy is chosen twice" in form.error.text()
    form.reject()


def test_edit_keeps_the_place(
    qtbot: QtBot, dialog: ExamplesDialog, repo: ExampleRepository
) -> None:
    _select(dialog, 3)
    # Return on the selected row opens the form, like the Edit button.
    dialog.table.setFocus()
    qtbot.keyClick(dialog.table, Qt.Key.Key_Return)
    form = dialog.form
    assert form is not None
    assert form.excerpt.toPlainText() == "Sweet is the lore which Nature brings;"
    assert form.emotion_rows[0].value() == ("joy", 0.6)
    assert form.tags.text() == "seed, romantic poetry"
    form.tone.setText("Tender")
    form.emotion_rows[1].name.setCurrentIndex(0)  # drop trust
    with qtbot.waitSignal(dialog.examples_changed):
        form.accept()
    edited = repo.get(3)
    assert edited is not None
    assert edited.example.tone == "Tender"
    assert edited.example.emotions == (("joy", 0.6),)
    assert edited.example.source == 'William Wordsworth, "The Tables Turned"'
    assert [s.id for s in repo.all()] == [1, 2, 3, 4, 5]
    assert dialog.selected_id() == 3


def test_search_and_tag_filter(
    qtbot: QtBot, dialog: ExamplesDialog, repo: ExampleRepository
) -> None:
    repo.add(Example("A quiet <room>.", "Hushed", tags=("indoors",), explanation="Soft."))
    dialog.reload()
    qtbot.keyClicks(dialog.search, "botanize")  # excerpt
    assert _shown_ids(dialog) == [1]
    assert dialog.count_label.text() == "1 of 6 shown"
    dialog.search.setText("SARCASTIC")  # tone, any case
    assert _shown_ids(dialog) == [2]
    dialog.search.setText("mock")  # explanation
    assert _shown_ids(dialog) == [2]
    dialog.search.setText("romantic")  # tags
    assert _shown_ids(dialog) == [1, 2, 3, 4, 5]
    dialog.search.setText("murder dissect")  # every word, in any order
    assert _shown_ids(dialog) == [5]
    dialog.search.setText("<room>")
    assert _shown_ids(dialog) == [6]
    dialog.search.clear()
    dialog.tag_filter.setCurrentIndex(dialog.tag_filter.findData("indoors"))
    assert _shown_ids(dialog) == [6]
    dialog.search.setText("sweet")
    assert _shown_ids(dialog) == []
    dialog.tag_filter.setCurrentIndex(0)  # all tags
    assert _shown_ids(dialog) == [3]


def test_delete_and_undo_bring_it_back_in_the_same_place(
    qtbot: QtBot, dialog: ExamplesDialog, repo: ExampleRepository
) -> None:
    poems = repo.create_set("Poems")
    repo.set_members(poems, [2, 4])
    dialog.reload()
    _select(dialog, 2)
    with qtbot.waitSignal(dialog.examples_changed):
        qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    assert repo.get(2) is None
    assert _shown_ids(dialog) == [1, 3, 4, 5]
    assert dialog.selected_id() == 3  # the next one, so Delete can be pressed again
    assert dialog.status.text().startswith("Deleted “A reasoning self-sufficing thing")
    assert dialog.undo_button.isEnabled()
    # The Delete key deletes too, and Ctrl+Z undoes the last delete first.
    dialog.table.setFocus()
    qtbot.keyClick(dialog.table, Qt.Key.Key_Delete)
    assert _shown_ids(dialog) == [1, 4, 5]
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    with qtbot.waitSignal(dialog.examples_changed):
        qtbot.keyClick(dialog.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert _shown_ids(dialog) == [1, 3, 4, 5]
    with qtbot.waitSignal(dialog.examples_changed):
        qtbot.mouseClick(dialog.undo_button, Qt.MouseButton.LeftButton)
    assert _shown_ids(dialog) == [1, 2, 3, 4, 5]
    assert dialog.selected_id() == 2
    assert dialog.status.text().startswith("Restored")
    assert not dialog.undo_button.isEnabled()
    assert [s.id for s in repo.members(poems)] == [2, 4]


def test_sets_and_the_active_set_for_the_book_and_for_all(
    qtbot: QtBot, dialog: ExamplesDialog, repo: ExampleRepository
) -> None:
    assert dialog.active_label.text() == (
        "This book uses all examples; other books use all examples."
    )
    dialog.ask_text = lambda _title, _label: "Poems <short>"
    with qtbot.waitSignal(dialog.examples_changed):
        qtbot.mouseClick(dialog.new_set_button, Qt.MouseButton.LeftButton)
    poems = dialog.current_set()
    assert poems is not None
    assert dialog.set_combo.currentText() == "Poems <short> (0)"
    assert dialog.delete_set_button.isEnabled()
    # Tick examples 1 and 3 from the keyboard: select a row, press Space.
    for example_id in (1, 3):
        _select(dialog, example_id)
        dialog.table.setCurrentIndex(dialog.table.selectionModel().selectedRows()[0])
        with qtbot.waitSignal(dialog.examples_changed):
            qtbot.keyClick(dialog.table, Qt.Key.Key_Space)
    assert [s.id for s in repo.members(poems)] == [1, 3]
    assert dialog.set_combo.currentText() == "Poems <short> (2)"
    check = dialog.proxy.index(0, 0).data(Qt.ItemDataRole.CheckStateRole)
    assert Qt.CheckState(check) == Qt.CheckState.Checked

    with qtbot.waitSignal(dialog.examples_changed):
        qtbot.mouseClick(dialog.use_for_book_button, Qt.MouseButton.LeftButton)
    assert [s.id for s in repo.for_book(BOOK)] == [1, 3]
    assert len(repo.for_book("another book")) == 5
    assert dialog.active_label.text() == (
        "This book uses “Poems <short>”; other books use all examples."
    )
    assert dialog.active_label.textFormat() == Qt.TextFormat.PlainText

    dialog.ask_text = lambda _title, _label: "Last line"
    dialog.new_set()
    short = dialog.current_set()
    assert short is not None
    assert short != poems
    repo.set_members(short, [5])
    with qtbot.waitSignal(dialog.examples_changed):
        qtbot.mouseClick(dialog.use_for_all_button, Qt.MouseButton.LeftButton)
    assert [s.id for s in repo.for_book("another book")] == [5]
    assert [s.id for s in repo.for_book(BOOK)] == [1, 3]
    assert dialog.active_label.text() == (
        "This book uses “Poems <short>”; other books use “Last line”."
    )

    # Choosing "All examples" and using it for this book undoes the book's own choice.
    dialog.set_combo.setCurrentIndex(0)
    assert not dialog.model.flags(dialog.model.index(0, 0)) & Qt.ItemFlag.ItemIsUserCheckable
    dialog.use_set(for_book=True)
    assert len(repo.for_book(BOOK)) == 5

    # A set can be deleted after confirming; its examples stay.
    dialog.set_combo.setCurrentIndex(dialog.set_combo.findData(poems))
    dialog.confirm = lambda _question: False
    dialog.delete_set()
    assert poems in [s.id for s in repo.sets()]
    asked: list[str] = []
    dialog.confirm = lambda question: asked.append(question) is None
    with qtbot.waitSignal(dialog.examples_changed):
        qtbot.mouseClick(dialog.delete_set_button, Qt.MouseButton.LeftButton)
    assert asked == ["Delete the set “Poems <short>”? Its examples stay in the library."]
    assert [s.name for s in repo.sets()] == ["Last line"]
    assert dialog.current_set() is None
    assert len(repo.all()) == 5


def test_a_set_name_that_exists_is_chosen_not_doubled(
    dialog: ExamplesDialog, repo: ExampleRepository
) -> None:
    existing = repo.create_set("Poems")
    dialog.reload()
    dialog.ask_text = lambda _title, _label: "  poems "
    dialog.new_set()
    assert dialog.current_set() == existing
    assert len(repo.sets()) == 1
    assert "already" in dialog.status.text()
    dialog.ask_text = lambda _title, _label: None  # cancelled
    dialog.new_set()
    assert len(repo.sets()) == 1


def test_import_with_bad_rows_shows_the_report(
    qtbot: QtBot,
    dialog: ExamplesDialog,
    repo: ExampleRepository,
    conn: sqlite3.Connection,
    tmp_path: Path,
) -> None:
    source = tmp_path / "mine.csv"
    source.write_text(
        "excerpt,tone,emotions,explanation,tags\n"
        '"Two\nlines",Wistful,sadness:0.5,,mine\n'
        "Bad row,Angry,rage:0.5,,mine\n"
        "Also bad,,,,\n"
        "Good <row>,Warm,joy:0.7,,mine\n",
        encoding="utf-8",
    )
    dialog.choose_file = lambda save: None if save else source
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    with qtbot.waitSignal(dialog.examples_changed):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    conn.set_trace_callback(None)
    # All good rows in one transaction.
    assert statements.count("BEGIN IMMEDIATE") == 1
    assert [s.example.tone for s in repo.all()][5:] == ["Wistful", "Warm"]
    assert dialog.report_label.isVisible()
    assert dialog.report_label.text() == "2 examples imported; 2 rows had problems:"
    assert dialog.report_text.isVisible()
    assert dialog.report_text.isReadOnly()
    assert dialog.report_text.toPlainText().splitlines() == [
        "line 4: unknown emotion “rage” (use joy, trust, fear, surprise, sadness, disgust,"
        " anger, anticipation)",
        "line 5: “tone” is missing or empty",
    ]
    assert dialog.tag_filter.findData("mine") >= 0
    qtbot.mouseClick(dialog.report_close, Qt.MouseButton.LeftButton)
    assert not dialog.report_label.isVisible()

    # A clean file: a summary without a problem box.
    clean = tmp_path / "clean.jsonl"
    clean.write_text('{"excerpt": "One", "tone": "Calm"}\n', encoding="utf-8")
    dialog.choose_file = lambda _save: clean
    dialog.import_file()
    assert dialog.report_label.text() == "1 example imported."
    assert not dialog.report_text.isVisible()

    # A file that cannot be read imports nothing and says why in one line.
    binary = tmp_path / "picture.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(range(256)))
    dialog.choose_file = lambda _save: binary
    with qtbot.assertNotEmitted(dialog.examples_changed):
        dialog.import_file()
    assert dialog.report_label.text().startswith("Nothing was imported:")
    assert "binary" in dialog.report_label.text()
    assert len(repo.all()) == 8


def test_export_writes_the_examples_shown(dialog: ExamplesDialog, tmp_path: Path) -> None:
    out = tmp_path / "shown.csv"
    dialog.choose_file = lambda save: out if save else None
    dialog.search.setText("Wordsworth Tables")
    assert dialog.proxy.rowCount() == 0  # source is not searched
    dialog.search.setText("nature")
    dialog.export_file()
    assert [e.tone for e in read_examples(out).examples] == [
        "Appreciative and Gentle",
        "Harsh and Condemning",
    ]
    assert dialog.status.text() == "Exported 2 examples to shown.csv."
    dialog.choose_file = lambda _save: None  # cancelled: nothing happens
    dialog.export_file()
    assert dialog.status.text() == "Exported 2 examples to shown.csv."


def test_widgets_have_accessible_names_and_plain_text_labels(dialog: ExamplesDialog) -> None:
    for widget in (
        dialog.table,
        dialog.search,
        dialog.tag_filter,
        dialog.set_combo,
        dialog.report_text,
    ):
        assert widget.accessibleName()
    for label in dialog.findChildren(QLabel):
        if not label.buddy():
            assert label.textFormat() == Qt.TextFormat.PlainText, label.text()
    buddies = {label.buddy() for label in dialog.findChildren(QLabel) if label.buddy()}
    assert {dialog.search, dialog.tag_filter, dialog.set_combo} <= buddies
    dialog.add_example()
    form = dialog.form
    assert form is not None
    for row in form.emotion_rows:
        assert row.name.accessibleName()
        assert row.slider.accessibleName()
    assert form.excerpt.tabChangesFocus()
    form.reject()


def test_set_book_follows_the_open_book(dialog: ExamplesDialog) -> None:
    dialog.set_book("")
    assert not dialog.use_for_book_button.isEnabled()
    assert dialog.active_label.text() == "All books use all examples."
    dialog.set_book(BOOK)
    assert dialog.use_for_book_button.isEnabled()
