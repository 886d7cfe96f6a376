"""``python -m camsite`` is the same as the ``camsite`` command."""

from camsite.cli import main

if __name__ == "__main__":  # pragma: no cover
    main(prog_name="camsite")
