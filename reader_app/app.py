"""Composition root of the GUI: builds every object once and hands each what it needs."""

from __future__ import annotations

import functools
import logging
import os
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import (
    QLocale,
    QObject,
    QSettings,
    QStandardPaths,
    QThreadPool,
    QTimer,
    QTranslator,
)
from PySide6.QtGui import QIcon, QImageReader
from PySide6.QtWidgets import QApplication

from reader_app import APP_ID, APP_NAME, __version__
from reader_app.ai.models import model_to_use
from reader_app.ai.prompt import prompt_settings
from reader_app.config.profile_lock import ProfileBusyError, lock_for_window
from reader_app.config.resources import bundled_book, resource_path
from reader_app.config.secrets import ApiKeys, KeyringSecretStore
from reader_app.config.settings import Settings, load_settings, save_settings
from reader_app.core.book_cache import BookCache
from reader_app.core.errors import ReaderError
from reader_app.core.gc_pause import HeapFreezer
from reader_app.services.analysis_controller import AnalysisController
from reader_app.services.analyzer_provider import AnalyzerProvider, check_key
from reader_app.services.batch_service import BatchService
from reader_app.services.book_service import BookService
from reader_app.services.eval_service import EvalService
from reader_app.services.glossary_service import GlossaryService
from reader_app.services.group_analysis import GroupAnalysis
from reader_app.services.highlights import HighlightController
from reader_app.services.library_care import LibraryCare
from reader_app.services.opening_guard import OpeningGuard, same_file, unfinished_open
from reader_app.services.search_service import SearchService
from reader_app.services.settings_store import SettingsStore
from reader_app.services.tasks import TaskRunner
from reader_app.services.tone_service import ToneService
from reader_app.startup import crash_note, open_library
from reader_app.storage.analyses import AnalysisRepository
from reader_app.storage.annotations import AnnotationQuery
from reader_app.storage.batch_jobs import BatchJobRepository
from reader_app.storage.books import BookRepository
from reader_app.storage.corrections import CorrectionRepository
from reader_app.storage.eval_sources import items_from_corrections, items_from_examples
from reader_app.storage.evals import EvalRepository
from reader_app.storage.examples import ExampleRepository
from reader_app.storage.guesses import GuessRepository
from reader_app.storage.highlights import HighlightRepository
from reader_app.storage.speaker_names import SpeakerNameRepository
from reader_app.ui.annotation_commands import AnnotationParts
from reader_app.ui.connect_card import KeySetup
from reader_app.ui.main_window import MainWindow
from reader_app.ui.tone_commands import Evaluation, ToneParts
from reader_app.usecases.examples import seed_examples
from reader_app.usecases.importing import import_file
from reader_app.usecases.models import discover_default_model, known_default_model

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Callable, Sequence
    from types import TracebackType

    from reader_app.ai.batches import BatchClient
    from reader_app.ai.eval_runner import EvalRunner
    from reader_app.config.paths import AppPaths
    from reader_app.core.eval_data import EvalItem
    from reader_app.storage.recover import RecoveryReport

log = logging.getLogger(__name__)
SAMPLE_EVAL_SET = "eval/poem_sentiment_sample.csv"
# A second window on one profile: the command line's exit code for "cannot go on".
EXIT_BUSY = 2
# The day's backup starts this long after the window: never in the way of the first page.
BACKUP_DELAY_MS = 8000
# The Tone panel looks for a key this soon after start, or after the first book came.
KEY_LOOK_DELAY_MS, KEY_AFTER_BOOK_MS = 1500, 400


class ReaderApp:
    """The running application: its objects, wired together, and nothing global."""

    def __init__(
        self,
        paths: AppPaths,
        conn: sqlite3.Connection,
        settings: Settings,
        *,
        api_keys: ApiKeys,
        first_book: str | None = None,
    ) -> None:
        """Build everything; with ``first_book``, start reading it before the window exists.

        Parsing a long book is the slowest part of a start, so it begins on the pool first
        and the window is built while it runs. ``api_keys`` finds the API key: in the OS
        keyring and the environment for ``tone-reader``, wherever a test says otherwise.
        """
        self.paths = paths
        self.conn = conn
        # Each Qt call gives the GIL up, and a busy worker (search snippets, placing highlights)
        # then keeps it for a whole switch interval before the GUI thread gets it back: at the
        # default 5 ms, a search of 2,000 hits froze the window for 60-80 ms. 0.2 ms keeps the
        # window's waits short; the interval only counts while two threads want the GIL.
        sys.setswitchinterval(0.0002)
        self.pool = QThreadPool()
        self.pool.setMaxThreadCount(2)
        self.tasks = TaskRunner(self.pool)
        self.books = BookRepository(conn)
        self.highlights = HighlightController(HighlightRepository(conn), self.tasks)
        self.book_service = BookService(self.tasks, BookCache(paths.cache_dir / "books"))
        self.search_service = SearchService(self.tasks)
        self.api_keys = api_keys
        self.analyzers = AnalyzerProvider(self.api_keys)
        # Analyses get their own pool: a slow answer must never hold up opening a book.
        self.ai_pool = QThreadPool()
        self.ai_pool.setMaxThreadCount(4)
        self.heap = HeapFreezer()
        self.tone_service = ToneService(self.ai_pool, self.analyzers, self.heap)
        self.analyses = AnalysisRepository(conn)
        self.examples = ExampleRepository(conn)
        # The newest fast model the API has listed (now or earlier), else a constant.
        self.default_model = known_default_model(paths.cache_dir)
        self._models_asked = False
        self._seed_examples()
        # Before any open: the mark must go down before a hostile book gets a chance.
        self.opening = OpeningGuard(paths.opening_mark, self.book_service)
        self.care = LibraryCare(paths.database, paths.backups_dir)
        if first_book is not None:
            self.book_service.open(Path(first_book))
        self.settings = SettingsStore(settings, lambda s: save_settings(paths.settings_file, s))
        self.analysis = AnalysisController(
            self.highlights,
            self.analyses,
            self.examples,
            self.tone_service,
            CorrectionRepository(conn),
            lambda: self.settings.current,
            lambda: self.default_model,
        )
        self.group = GroupAnalysis(
            self.highlights,
            self.analyses,
            self.examples,
            self.tone_service,
            lambda: self.settings.current,
            lambda: self.default_model,
        )
        self.evals = EvalRepository(conn)
        # A run keeps its own requests in flight (its concurrency); one run at a time here.
        self.eval_pool = QThreadPool()
        self.eval_pool.setMaxThreadCount(2)
        self.eval_service = EvalService(self.eval_pool, self.evals, self._make_eval_runner)
        self.batch_service = BatchService(
            self.ai_pool,
            self._batch_client,
            BatchJobRepository(conn),
            self.analyses,
            on_result=self._batch_result,
            prices=lambda: self.settings.current.prices,
        )
        self.window = MainWindow(
            self.settings,
            self.books,
            self.book_service,
            self.search_service,
            self.highlights,
            tone=ToneParts(
                self.analysis,
                self.group,
                self.batch_service,
                self.examples,
                Evaluation(
                    self.evals,
                    self.eval_service,
                    self._eval_items,
                    resource_path(SAMPLE_EVAL_SET),
                ),
                KeySetup(self.api_keys, self.tasks, check_key),
                glossary=GlossaryService(
                    conn,
                    self.tasks,
                    lambda: self.settings.current,
                    self.analyzers,
                    lambda: model_to_use(self.settings.current.model, self.default_model),
                ),
                guesses=GuessRepository(conn),
                speaker_names=SpeakerNameRepository(conn),
            ),
            annotations=AnnotationParts(
                AnnotationQuery(conn),
                HighlightRepository(conn),
                self.books.known_paths,
                self.tasks,
                functools.partial(
                    import_file, database=paths.database, books_cache=paths.cache_dir / "books"
                ),
            ),
            open_settings=self.open_settings,
            paths=paths,
        )
        self.opening.watch(self.window.pane.view.viewport())
        # A first start (or a key gone since): the Tone panel offers to connect Claude. The
        # keyring is asked once the first book is painted, contents and all: importing it
        # and finding its backend holds the interpreter for a while (a slower first page).
        self._key_looked_for = False
        self.book_service.book_loaded.connect(self._look_for_key)
        self.book_service.load_failed.connect(self._look_for_key)
        # No book to wait for; a timer of the window's, so it goes when the window does.
        self._key_timer = QTimer(self.window, singleShot=True, interval=KEY_LOOK_DELAY_MS)
        self._key_timer.timeout.connect(self._look_for_key)
        self._key_timer.start()
        # The model list needs the SDK (+75 MB, a stall while it imports): it is asked for
        # when the user first analyses or opens the settings, never at start.
        # A bound method, not a lambda: Qt would hold a lambda (and through it the whole
        # app) for as long as the service lives, a cycle no collector can see.
        self.tone_service.analysis_started.connect(self._on_analysis_started)

    def _look_for_key(self, *book_or_failure: object) -> None:
        if self._key_looked_for:
            return
        if book_or_failure:  # a book came (or failed to): a moment later, once it is painted
            self._key_timer.start(KEY_AFTER_BOOK_MS)
            return
        self._key_looked_for = True
        self.window.key_card.check_presence(if_unopened=True)  # the first look, at start

    def _make_eval_runner(self, field: str, concurrency: int, judge: bool) -> EvalRunner:
        from reader_app.ai.eval_runner import EvalRunner
        from reader_app.ai.judge import Verdict, judge_labels

        settings = self.settings.current
        pool, fixed = self.examples.for_request("", settings.fixed_set)
        prompt = prompt_settings(settings, self.default_model)

        def ask_judge(predicted: str, expected: str) -> Verdict:
            # Called on the run's worker thread, like every use of the key.
            return judge_labels(self.analyzers(), predicted, expected, model=prompt.model)  # type: ignore[arg-type]

        return EvalRunner(
            self.analyzers,
            prompt,
            judge=ask_judge if judge and field == "tone" else None,
            pool=pool,
            fixed=fixed,
            field=field,
            concurrency=concurrency,
            prices=settings.prices,
        )

    def _eval_items(self, source: str, field: str) -> list[EvalItem]:
        if source == "corrections":
            return items_from_corrections(self.conn, field)
        return items_from_examples(self.conn, field)

    def _batch_client(self) -> BatchClient:
        # On a worker thread, like every use of the key.
        from reader_app.ai.batches import BatchClient
        from reader_app.ai.client import ClaudeToneAnalyzer

        analyzer = self.analyzers()
        assert isinstance(analyzer, ClaudeToneAnalyzer)
        return BatchClient(analyzer)

    def _batch_result(self, highlight_id: int, dominant: str | None) -> None:
        if dominant:
            self.highlights.set_color(highlight_id, dominant)
        self.window.tone.refresh_tone_of(highlight_id)

    def _on_analysis_started(self, _job: int) -> None:
        self.ask_for_models()

    def ask_for_models(self) -> None:
        """List the API's models once per run, the first time they may matter."""
        if not self._models_asked:
            self._models_asked = True
            self.discover_models()

    def discover_models(self) -> None:
        """Ask the API for its models in the background, to pick the default one.

        Offline, or without a key, the built-in default stays; nothing is shown.
        """

        def work() -> str:
            return discover_default_model(self.analyzers(), self.paths.cache_dir)

        def done(model: object) -> None:
            self.default_model = str(model)
            log.info("Default model: %s", self.default_model)

        self.tasks.submit(work, done, lambda exc: log.info("Models not listed: %s", exc))

    def open_settings(self) -> None:
        """The tone analysis settings dialog (API key, model, objective, prices)."""
        from reader_app.ui.settings_dialog import SettingsDialog

        self.ask_for_models()
        names = [s.name for s in self.examples.sets()]
        dialog = SettingsDialog(
            self.settings.current,
            self.api_keys,
            self.tasks,
            _analyzer_for_key,
            self.window,
            set_names=names,
        )
        dialog.settings_accepted.connect(self.settings.replace)
        # A key saved or removed there: the Tone panel's Connect Claude card follows.
        dialog.finished.connect(self.window.key_card.check_presence)
        dialog.open()

    def start(self, file: str | None) -> None:
        """Show the window and open a book: the one asked for, the last read, or the sample."""
        self.window.show()
        target = file or first_book(self.books)
        if target is not None:
            self.window.open_path(target)

    def _seed_examples(self) -> None:
        try:
            seed_examples(self.examples)
        except ReaderError as exc:
            log.warning("Could not load the seed examples: %s", exc)

    def recover_from(self, source: Path) -> None:
        """Copy what SQLite can read from a damaged library (or a backup) into this one."""
        banner = self.window.pane.banner
        banner.show_notice(
            self.window.tr("Recovering what can be read from {name}…").format(name=source.name)
        )

        def done(report: RecoveryReport) -> None:
            self.window.refresh_library()
            book = self.window.pane.book
            if book is not None:
                self.highlights.open_book(book)
            banner.show_notice(report.summary())

        self.care.recover(source, done, banner.show_error)

    def shutdown(self) -> None:
        """Stop analyses, wait for background work, close the database, destroy the window.

        Once done, a second call does nothing.
        """
        if not shiboken6.isValid(self.window):
            return
        self.opening.finish()
        self.care.stop()
        self.batch_service.stop()
        self.eval_service.cancel_all()
        self.eval_pool.waitForDone(5000)
        self.tone_service.cancel_all()
        self.ai_pool.waitForDone(5000)
        self.highlights.cancel_placing()
        self.pool.waitForDone(3000)
        self.analyzers.close()
        self.conn.close()
        # Qt holds the slots connected to the window's and services' signals (partials,
        # lambdas), and those hold the window and the services: only destroying them
        # breaks that loop, so the book and highlights they showed are freed.
        parts = [self.window, *(p for p in vars(self).values() if isinstance(p, QObject))]
        for part in parts:
            if shiboken6.isValid(part):
                shiboken6.delete(part)
        # What was set aside is handed back, so the app's leftovers can be collected in
        # a process that goes on (the tests build many apps in one process).
        self.heap.thaw()


def _analyzer_for_key(key: str) -> object:
    # Imported here, off the start-up path (the SDK import takes about a second).
    from reader_app.ai.client import ClaudeToneAnalyzer

    return ClaudeToneAnalyzer(key, max_retries=0)


def first_book(books: BookRepository) -> str | None:
    """The book to open when none is named: the last one read, else the bundled sample."""
    try:
        recent = books.recent(1)
    except ReaderError:
        recent = []
    if recent and Path(recent[0].path).exists():
        return recent[0].path
    sample = bundled_book()
    return str(sample) if sample else None


def _install_excepthook(app: ReaderApp) -> None:
    from reader_app.ui.crash_dialog import CrashDialog, crash_details

    # One dialog for the whole run: a bug that repeats (in a paint event, say) must not
    # bury the window under copies of itself.
    dialog: list[CrashDialog] = []

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        # A bug must not close the window with the reader's work in it: log it, say so.
        log.error("Unexpected error:\n%s", "".join(traceback.format_exception(kind, exc, tb)))
        details = crash_details(kind, exc, tb, (os.environ.get("ANTHROPIC_API_KEY", ""),))
        if not dialog:
            dialog.append(CrashDialog(app.paths.log_file, app.window))
        dialog[0].add_error(kind.__name__, details)
        dialog[0].show()
        dialog[0].raise_()

    sys.excepthook = hook


def _install_translator(qt_app: QApplication) -> None:
    """Load the interface translation for the system locale, when one is shipped."""
    folder = resource_path("i18n")
    if folder is None:
        return
    translator = QTranslator(qt_app)
    # Looks for tone_reader_<lang>_<COUNTRY>.qm, then tone_reader_<lang>.qm, and so on.
    if translator.load(QLocale(), "tone_reader", "_", str(folder)):
        qt_app.installTranslator(translator)
        log.info("Interface translation: %s", translator.language())


def app_icon() -> QIcon:
    """The window icon: the shipped SVG (sharp at any scale), else PNGs, else the theme's."""
    svg = resource_path(f"icons/{APP_ID}.svg")
    # A bundle may leave out Qt's SVG plugin; the hicolor PNGs cover that case.
    if svg is not None and b"svg" in {
        bytes(f.data()) for f in QImageReader.supportedImageFormats()
    }:
        return QIcon(str(svg))
    icon = QIcon()
    hicolor = resource_path("icons/hicolor")
    for png in sorted(hicolor.glob(f"*/{APP_ID}.png")) if hicolor else []:
        icon.addFile(str(png))
    return icon if not icon.isNull() else QIcon.fromTheme(APP_ID)


def _start_later(msec: int, work: Callable[[], object]) -> QTimer:
    """Run ``work`` once after ``msec``, with a timer that can be stopped on quit."""
    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(work)
    timer.start(msec)
    return timer


def _say_once_loaded(app: ReaderApp, message: str) -> None:
    """Show ``message`` when the first book is on screen (opening one clears the banner)."""

    def say(_book: object) -> None:
        app.book_service.book_loaded.disconnect(say)
        app.window.pane.banner.show_info(message)

    app.book_service.book_loaded.connect(say)


def _use_profile_for_qt(paths: AppPaths) -> None:
    """Make Qt keep its own settings (file dialog state and the like) in the profile.

    Must run before the first QSettings exists: Qt writes ``~/.config/QtProject.conf``
    otherwise, and the design keeps every file inside the profile.
    """
    _point_qt_settings_at(str(paths.config_dir), QSettings.Format.IniFormat)


def _point_qt_settings_at(folder: str, default: QSettings.Format) -> None:
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, folder)
    QSettings.setDefaultFormat(default)


def _release_qt_settings() -> None:
    """Give Qt back its usual settings folder once the window has closed.

    The redirection is process-wide; a process that runs the window more than once (the
    tests do) must not find Qt writing into a profile that is gone.
    """
    _point_qt_settings_at(
        QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericConfigLocation),
        QSettings.Format.NativeFormat,
    )


def _pick_first_book(
    paths: AppPaths, books: BookRepository, file: str | None
) -> tuple[str | None, str]:
    """The book to open at start, and a note when the last one was skipped.

    A book named on the command line is the user's choice and is opened. Otherwise the
    last book read is reopened, unless it is the one whose open never finished last time.
    """
    unfinished = unfinished_open(paths.opening_mark)
    if file is not None:
        return file, ""
    target = first_book(books)
    if unfinished is None or target is None:
        return target, ""
    if unfinished == "" or same_file(unfinished, target):
        name = Path(unfinished or target).name
        log.warning("Not reopening %s: the app closed while opening it last time", target)
        # Off the Recent list too, or the start after next would try it again; File →
        # Open still opens it, with its highlights, when the user chooses to.
        try:
            books.forget_path(target)
        except ReaderError as exc:
            log.warning("Could not take %s off the Recent list: %s", target, exc)
        return None, crash_note(name)
    return target, ""


def run_gui(
    paths: AppPaths, file: str | None, argv: list[str], also_given: Sequence[str] = ()
) -> int:
    """Run the GUI until the window closes; returns the exit code.

    Args:
        paths: the profile's folders.
        file: the book to open, or None for the last one read.
        argv: Qt's command line.
        also_given: more files named on the command line; one book is shown at a time.
    """
    try:
        locks = lock_for_window(paths.window_lock_file, paths.lock_file)
    except ProfileBusyError as exc:
        print(f"tone-reader: {exc}", file=sys.stderr)
        return EXIT_BUSY
    try:
        return _run_locked(paths, file, argv, also_given)
    finally:
        _release_qt_settings()
        for lock in locks:
            lock.release()


def _run_locked(
    paths: AppPaths, file: str | None, argv: list[str], also_given: Sequence[str]
) -> int:
    _use_profile_for_qt(paths)
    qt_app = QApplication.instance() or QApplication(argv)
    assert isinstance(qt_app, QApplication)
    qt_app.setApplicationName(APP_NAME)
    qt_app.setApplicationVersion(__version__)
    qt_app.setDesktopFileName(APP_ID)
    qt_app.setStyle("Fusion")
    qt_app.setWindowIcon(app_icon())
    _install_translator(qt_app)
    settings, warning = load_settings(paths.settings_file)
    try:
        conn, damaged = open_library(paths)
    except ReaderError as exc:
        print(f"tone-reader: {exc}", file=sys.stderr)
        return 1
    target, skipped = _pick_first_book(paths, BookRepository(conn), file)
    keys = ApiKeys(KeyringSecretStore(), os.environ)
    app = ReaderApp(paths, conn, settings, api_keys=keys, first_book=target)
    _install_excepthook(app)
    notes = [note for note in (skipped, warning) if note]
    if damaged is not None:
        source = damaged.recover_from
        app.window.show_notice(
            " ".join([damaged.message(), *notes]),
            app.window.tr("Recover…") if source else "",
            (lambda: app.recover_from(source)) if source else None,
        )
    elif notes:
        app.window.show_notice(" ".join(notes))
    elif also_given:
        _say_once_loaded(
            app,
            app.window.tr(
                "Tone Reader shows one book at a time, so only the first of the {n} files"
                " was opened."
            ).format(n=len(also_given) + 1),
        )
    # What lives as long as the app (modules, classes, the window) is set aside from the
    # cycle collector's full collections (HeapFreezer) before the event loop: the 30 ms
    # this holds the GUI thread, on a timer, froze the first book's open.
    app.heap.settle()
    app.window.show()
    later = [
        # Batch jobs left running when the app was last closed carry on.
        _start_later(5000, app.batch_service.resume),
        # The day's backup, on its own worker, once the first page is long painted.
        _start_later(BACKUP_DELAY_MS, app.care.back_up),
    ]
    code = qt_app.exec()
    for timer in later:
        timer.stop()  # closed within seconds of starting: the library is about to close
    app.shutdown()
    return code
