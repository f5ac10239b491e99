"""The PyInstaller spec and launcher agree with the code they bundle (packaging/).

Building the bundle takes too long for the test suite; packaging/smoke-test checks the
built binary. These tests catch the mistakes that would only show up there.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

from reader_app import __version__

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"
SPEC = PACKAGING / "tone-reader.spec"


def _spec_tree() -> ast.Module:
    return ast.parse(SPEC.read_text("utf-8"), filename=str(SPEC))


def _spec_constant(name: str) -> object:
    for node in _spec_tree().body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{name} is not assigned in {SPEC.name}")


def _qt_modules_used() -> set[str]:
    pattern = re.compile(r"\bPySide6\.(Qt\w+)")
    used: set[str] = set()
    for path in (ROOT / "reader_app").rglob("*.py"):
        used.update(pattern.findall(path.read_text("utf-8")))
    return used


def test_spec_is_python_and_names_the_launcher() -> None:
    source = SPEC.read_text("utf-8")
    compile(source, str(SPEC), "exec")
    assert '"packaging" / "launcher.py"' in source
    assert 'name="tone-reader"' in source


def test_no_qt_module_the_app_imports_is_excluded() -> None:
    unused = _spec_constant("QT_UNUSED")
    assert isinstance(unused, list)
    used = _qt_modules_used()
    assert {"QtCore", "QtGui", "QtWidgets"} <= used
    assert used.isdisjoint(unused), f"excluded from the bundle but imported: {used & set(unused)}"


def test_resources_land_where_the_frozen_app_looks() -> None:
    # config/resources.py falls back to sys._MEIPASS/reader_app/resources in a bundle.
    source = SPEC.read_text("utf-8")
    assert '(str(ROOT / "resources"), "reader_app/resources")' in source
    finder = (ROOT / "reader_app" / "config" / "resources.py").read_text("utf-8")
    assert 'Path(frozen) / "reader_app" / "resources"' in finder


def test_keyring_backends_and_their_entry_points_are_collected() -> None:
    source = SPEC.read_text("utf-8")
    assert 'collect_submodules("keyring.backends")' in source
    assert 'copy_metadata("keyring")' in source


def test_modules_imported_by_name_are_hidden_imports() -> None:
    # importlib.import_module("x") is invisible to PyInstaller's import scan.
    spec = SPEC.read_text("utf-8")
    named: set[str] = set()
    for path in (ROOT / "reader_app").rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Tuple) and len(node.elts) == 2:
                first = node.elts[0]
                if (
                    isinstance(first, ast.Constant)
                    and isinstance(first.value, str)
                    and re.fullmatch(r"(secretstorage|jeepney)\.\w+", first.value)
                ):
                    named.add(first.value)
    assert named, "config/secrets.py no longer looks modules up by name; update this test"
    for module in named:
        assert f'"{module}"' in spec, f"{module} is imported by name but not a hidden import"


def test_launcher_runs_the_cli(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [
            sys.executable,
            str(PACKAGING / "launcher.py"),
            "--profile-dir",
            str(tmp_path),
            "--version",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"tone-reader {__version__}"


def test_build_scripts_are_executable_bash() -> None:
    for name in ("build", "smoke-test"):
        script = PACKAGING / name
        assert os.access(script, os.X_OK), f"packaging/{name} is not executable"
        text = script.read_text("utf-8")
        assert text.startswith("#!/usr/bin/env bash\n")
        assert "set -euo pipefail" in text
        check = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
