"""The command-line package imports one way: ``__init__`` → commands → ``common``/``exit_codes``.

The graph is grimp's (import-linter's engine), so imports inside functions count too: a
command that imported ``reader_app.cli`` lazily would still be caught.
"""

from __future__ import annotations

import grimp
import pytest

PACKAGE = "reader_app.cli"


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("reader_app", cache_dir=None)


def _modules(graph: grimp.ImportGraph) -> list[str]:
    return sorted(graph.find_descendants(PACKAGE))


def test_the_package_holds_the_commands(graph: grimp.ImportGraph) -> None:
    modules = set(_modules(graph))
    for name in ("common", "exit_codes", "inspect", "analyze", "eval", "export", "key"):
        assert f"{PACKAGE}.{name}" in modules


def test_no_cli_module_imports_the_package_init(graph: grimp.ImportGraph) -> None:
    importers = {
        module
        for module in graph.find_modules_that_directly_import(PACKAGE)
        if module.startswith(f"{PACKAGE}.")
    }
    assert importers == set()
    # Not through another package either, e.g. a command importing the app that imports it.
    for module in _modules(graph):
        assert graph.find_shortest_chain(importer=module, imported=PACKAGE) is None, module


def test_no_import_cycles_among_cli_modules(graph: grimp.ImportGraph) -> None:
    modules = [PACKAGE, *_modules(graph)]
    cycles = [
        (a, b)
        for i, a in enumerate(modules)
        for b in modules[i + 1 :]
        if graph.find_shortest_chain(importer=a, imported=b) is not None
        and graph.find_shortest_chain(importer=b, imported=a) is not None
    ]
    assert cycles == []


def test_the_old_flat_modules_are_gone(graph: grimp.ImportGraph) -> None:
    flat = [m for m in graph.modules if m.startswith("reader_app.cli_")]
    assert flat == []
