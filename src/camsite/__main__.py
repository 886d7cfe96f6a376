"""``python -m camsite`` is the same as the ``camsite`` command."""

from camsite.cli import entry

if __name__ == "__main__":  # pragma: no cover
    entry()
