"""``python -m handlers``: the same as the ``tinbao`` command, for hosts where the
console script is not on PATH (a bare venv, a container's health check)."""

from handlers.cli import main

main()
