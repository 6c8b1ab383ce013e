"""The shape of the domain package, checked so it stays: SQL lives in storage/ (one module
per aggregate), and no module in bot/ grows past what a reader takes in at one sitting.

import-linter checks who imports whom (pyproject.toml); these two rules it cannot see.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

BOT = Path(__file__).resolve().parent.parent / "bot"
MAX_LINES = 400

# The methods of storage.db.Tx that take SQL text.
SQL_METHODS = frozenset(
    {"execute", "executemany", "executescript", "fetchone", "fetchall", "scalar"}
)
SQL = re.compile(
    r"\b(SELECT|INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|REPLACE\s+INTO"
    r"|CREATE\s+(TABLE|INDEX|VIEW|TRIGGER)|DROP\s+\w+|ALTER\s+TABLE|PRAGMA|WITH\s+\w+\s+AS)\b",
    re.IGNORECASE,
)


def _strings(node: ast.AST, constants: dict[str, str]) -> list[str]:
    """Every string a call argument is built from: literals, f-string parts,
    concatenations, and module-level string constants it names."""
    found = []
    for part in ast.walk(node):
        if isinstance(part, ast.Constant) and isinstance(part.value, str):
            found.append(part.value)
        elif isinstance(part, ast.Name) and part.id in constants:
            found.append(constants[part.id])
    return found


def inline_sql(source: str) -> list[tuple[int, str]]:
    """``(line, method)`` of every call of a Tx method whose arguments hold SQL."""
    tree = ast.parse(source)
    constants = {
        target.id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    hits = []
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in SQL_METHODS
        ):
            continue
        arguments = [*node.args, *(k.value for k in node.keywords)]
        if any(SQL.search(text) for arg in arguments for text in _strings(arg, constants)):
            hits.append((node.lineno, node.func.attr))
    return hits


def domain_modules() -> list[Path]:
    return sorted(BOT.rglob("*.py"))


def test_the_scan_finds_sql_however_it_is_written() -> None:
    source = """
COUNT = "SELECT COUNT(*) FROM tips"
async def f(tx, db, table):
    await tx.execute("UPDATE tips SET status = ? WHERE id = ?", (1, 2))
    await tx.fetchone(f"SELECT {table}.id FROM {table}")
    await tx.scalar("SELECT code" " FROM tips")
    await tx.fetchall(sql="delete from outbox where id = ?")
    await tx.scalar(COUNT)
    await db.execute("insert or ignore into rate_hits(subject) values (?)")
    await tx.execute(statement)
    await queue.put("select a unit")
    print("Update the draft")
"""
    assert [line for line, _ in inline_sql(source)] == [4, 5, 6, 7, 8, 9]


def test_the_domain_holds_no_sql() -> None:
    found = [
        f"bot/{path.relative_to(BOT)}:{line} tx.{method}(...)"
        for path in domain_modules()
        for line, method in inline_sql(path.read_text("utf-8"))
    ]
    assert not found, "SQL belongs in storage/ (one module per aggregate):\n" + "\n".join(found)


def test_no_domain_module_is_too_long_to_read() -> None:
    long = {
        f"bot/{path.relative_to(BOT)}": lines
        for path in domain_modules()
        if (lines := len(path.read_text("utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"over {MAX_LINES} lines; split along a seam: {long}"
