"""Run folders are replaced atomically: failures never damage an earlier run, and foreign folders are never replaced."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from camsite.errors import InputError
from camsite.runfolder import MARKER, OWNER, atomic_run_folder, check_run_folder


def _leftovers(parent: Path, name: str) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(f".{name}."))


def _owner(folder: Path, kind: str) -> None:
    """The marker camsite puts into its own temporary (``tmp``) and set-aside (``old``) folders."""
    target = folder.name[1:].split(f".{kind}-")[0]
    (folder / OWNER).write_text(json.dumps({"camsite": "x", "kind": kind, "target": target, "pid": 1}))


def _run(out: Path, **files: str) -> None:
    with atomic_run_folder(out) as tmp:
        for name, text in files.items():
            (tmp / name.replace("_", ".")).write_text(text)


def test_success_replaces_previous_run(tmp_path: Path) -> None:
    out = tmp_path / "run"
    _run(out, a_csv="1")
    marker = json.loads((out / MARKER).read_text(encoding="utf-8"))
    assert marker["files"] == ["a.csv"]
    with atomic_run_folder(out) as tmp:
        assert not (out / "b.csv").exists()  # nothing visible before completion
        (tmp / "b.csv").write_text("2")
    assert sorted(p.name for p in out.iterdir()) == sorted(["b.csv", MARKER])
    assert _leftovers(tmp_path, "run") == []


@pytest.mark.parametrize("exc", [RuntimeError("solver crashed"), KeyboardInterrupt()])
def test_failure_keeps_previous_run(tmp_path: Path, exc: BaseException) -> None:
    out = tmp_path / "run"
    _run(out, summary_json='{"old": true}')
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    with pytest.raises(type(exc)), atomic_run_folder(out) as tmp:
        (tmp / "half.csv").write_text("partial")
        raise exc
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert _leftovers(tmp_path, "run") == []


def test_older_run_listed_in_its_summary_is_replaced(tmp_path: Path) -> None:
    """A run written before the marker existed: its summary.json lists its files."""
    out = tmp_path / "run"
    out.mkdir()
    (out / "sites.csv").write_text("rank\n")
    (out / "summary.json").write_text(json.dumps({"outputs": ["sites.csv", "summary.json"]}))
    _run(out, new_csv="x")
    assert sorted(p.name for p in out.iterdir()) == sorted(["new.csv", MARKER])


def test_refuses_foreign_folder_and_files(tmp_path: Path) -> None:
    foreign = tmp_path / "documents"
    foreign.mkdir()
    (foreign / "budget.xlsx").write_text("precious")
    with pytest.raises(InputError, match="not a camsite run folder"), atomic_run_folder(foreign):
        pass
    assert (foreign / "budget.xlsx").read_text() == "precious"
    # a folder holding a summary.json that lists nothing is not a run either
    (foreign / "summary.json").write_text('{"scenario": "x"}')
    with pytest.raises(InputError, match="not a camsite run folder"):
        check_run_folder(foreign)
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    with pytest.raises(InputError, match="not a folder"), atomic_run_folder(a_file):
        pass
    with pytest.raises(InputError, match="cannot create output folder"), atomic_run_folder(a_file / "sub" / "run"):
        pass


def test_notes_beside_a_run_are_never_deleted(tmp_path: Path) -> None:
    out = tmp_path / "run"
    _run(out, sites_csv="1")
    (out / "anteckningar.txt").write_text("mine")
    with pytest.raises(InputError, match=r"files camsite did not write \(anteckningar.txt\)"):
        check_run_folder(out)
    assert (out / "anteckningar.txt").read_text() == "mine"


def test_interrupted_swap_is_recovered(tmp_path: Path) -> None:
    """Killed between the two renames: the earlier run waits in .run.old-*/previous and is put back."""
    out = tmp_path / "run"
    _run(out, sites_csv="old")
    aside = tmp_path / ".run.old-abc123"
    aside.mkdir()
    _owner(aside, "old")
    os.replace(out, aside / "previous")
    dead = tmp_path / ".run.tmp-999999999-xyz"  # no such process
    dead.mkdir()
    _owner(dead, "tmp")
    alive = tmp_path / f".run.tmp-{os.getpid()}-xyz"  # this process: a run still going
    alive.mkdir()
    _owner(alive, "tmp")
    assert check_run_folder(out) == out.absolute()
    assert (out / "sites.csv").read_text() == "old"
    assert not aside.exists() and not dead.exists() and alive.exists()


def test_symlink_target_is_written_through(tmp_path: Path) -> None:
    real = tmp_path / "share" / "run"
    _run(real, a_csv="1")
    link = tmp_path / "run-link"
    link.symlink_to(real, target_is_directory=True)
    _run(link, b_csv="2")
    assert link.is_symlink() and (link / "b.csv").read_text() == "2"
    assert sorted(p.name for p in real.iterdir()) == sorted(["b.csv", MARKER])
