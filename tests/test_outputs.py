"""The output folder is replaced atomically: failures never damage an earlier run."""

from __future__ import annotations

from pathlib import Path

import pytest

from camsite.errors import InputError
from camsite.outputs import MARKER, atomic_output_dir


def _leftovers(parent: Path, name: str) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(f".{name}."))


def test_success_replaces_previous_run(tmp_path: Path) -> None:
    out = tmp_path / "run"
    with atomic_output_dir(out) as tmp:
        (tmp / "a.csv").write_text("1")
        (tmp / MARKER).write_text("{}")
    with atomic_output_dir(out) as tmp:
        assert not (out / "b.csv").exists()  # nothing visible before completion
        (tmp / "b.csv").write_text("2")
        (tmp / MARKER).write_text("{}")
    assert sorted(p.name for p in out.iterdir()) == ["b.csv", MARKER]
    assert _leftovers(tmp_path, "run") == []


@pytest.mark.parametrize("exc", [RuntimeError("solver crashed"), KeyboardInterrupt()])
def test_failure_keeps_previous_run(tmp_path: Path, exc: BaseException) -> None:
    out = tmp_path / "run"
    out.mkdir()
    (out / MARKER).write_text('{"old": true}')
    with pytest.raises(type(exc)):
        with atomic_output_dir(out) as tmp:
            (tmp / "half.csv").write_text("partial")
            raise exc
    assert (out / MARKER).read_text() == '{"old": true}'
    assert sorted(p.name for p in out.iterdir()) == [MARKER]
    assert _leftovers(tmp_path, "run") == []


def test_refuses_foreign_folder_and_files(tmp_path: Path) -> None:
    foreign = tmp_path / "documents"
    foreign.mkdir()
    (foreign / "budget.xlsx").write_text("precious")
    with pytest.raises(InputError, match="holds no camsite run"):
        with atomic_output_dir(foreign):
            pass
    assert (foreign / "budget.xlsx").read_text() == "precious"
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    with pytest.raises(InputError, match="not a folder"):
        with atomic_output_dir(a_file):
            pass
    with pytest.raises(InputError, match="cannot create output folder"):
        with atomic_output_dir(a_file / "sub" / "run"):
            pass
