"""Test modules share helpers through the shared modules (harness, police, seed, dates),
never by importing one another: a test module imported by another runs its tests' module
code twice, hides which helpers are shared, and breaks when the imported tests move."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def imported_modules(tree: ast.Module) -> list[tuple[int, str]]:
    """Every module an import names, at any depth (imports inside functions count),
    relative ones spelled out from ``tests``."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = f"tests.{base}" if base else "tests"
            found.append((node.lineno, base))
            # ``from tests import test_x`` and ``from . import test_x`` name the module last
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def cross_imports(source: str) -> list[str]:
    return [
        f"line {line}: {name}"
        for line, name in imported_modules(ast.parse(source))
        if name.split(".")[:2][-1].startswith("test_") and name.startswith("tests.")
    ]


def test_no_test_module_imports_another() -> None:
    offenders = {
        path.name: found
        for path in sorted(TESTS.glob("*.py"))
        if (found := cross_imports(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}, "move shared helpers to tests/harness.py, police.py or seed.py"


def test_the_check_catches_every_spelling() -> None:
    for source in (
        "from tests.test_queues_e2e import QUEUE",
        "import tests.test_digests",
        "from tests import test_digests",
        "from .test_digests import Seed",
        "from . import test_digests",
        "def f():\n    from tests.test_queues_e2e import setup_unit\n",
    ):
        assert cross_imports(source), source
    for source in ("from tests.police import QUEUE", "from tests.harness import Harness"):
        assert not cross_imports(source), source
