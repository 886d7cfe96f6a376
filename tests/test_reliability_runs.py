"""Nothing lost: run and batch folders are replaced only when camsite's own, one run at a time per folder.

Sibling folders named like camsite's temporary folders (``.NAME.tmp-*``,
``.NAME.old-*``) are a user's unless they carry camsite's marker for that very
target; names are matched literally, never as glob patterns. A batch folder is
owned like a run folder. Every case goes through the command line.
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path

import pytest

from camsite import batch, runfolder
from camsite.cli import batch as batch_cli
from camsite.runfolder import BATCH_MARKER, OWNER
from factory import fridhemsplan_data, invoke, one_error_line, write_scenario

pytestmark = pytest.mark.usefixtures("shipped_network_once")


def _owner(folder: Path, kind: str, target: str) -> None:
    (folder / OWNER).write_text(json.dumps({"camsite": "x", "kind": kind, "target": target, "pid": 999999999}))


def _user_folder(path: Path) -> Path:
    path.mkdir(parents=True)
    (path / "notes.txt").write_text("mine", encoding="utf-8")
    return path


def test_a_users_old_folder_survives_a_run_that_fails_at_once(tmp_path: Path) -> None:
    work = tmp_path / "work"
    notes = _user_folder(work / ".results.old-2023")
    tmp_like = _user_folder(work / ".results.tmp-1-x")  # pid 1 is alive, but it is the name of a dead-looking one
    dead_like = _user_folder(work / ".results.tmp-999999999-x")
    r = invoke("run", tmp_path / "missing.toml", "--out", work / "results")
    one_error_line(r.stderr, r.exit_code, 2, "missing.toml")
    for folder in (notes, tmp_like, dead_like):
        assert (folder / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_out_is_matched_literally_not_as_a_glob(tmp_path: Path) -> None:
    x = tmp_path / "x"
    kept = [_user_folder(x / ".A.tmp-999999999-q"), _user_folder(x / ".A.old-1")]
    _owner(kept[0], "tmp", "A")  # camsite's, but for the target A, not for the target "*"
    _owner(kept[1], "old", "A")
    r = invoke("run", tmp_path / "missing.toml", "--out", x / "*")
    assert r.exit_code == 2, r.stderr
    assert all((k / "notes.txt").is_file() for k in kept)


def test_only_marked_leftovers_of_this_target_are_removed(tmp_path: Path, no_deliverables: None) -> None:
    scen = write_scenario(tmp_path, fridhemsplan_data(250, name="liten"))
    marked = tmp_path / ".out.tmp-999999999-dead"  # a dead run's temp folder: camsite's marker, this target
    marked.mkdir()
    _owner(marked, "tmp", "out")
    other = tmp_path / ".out.tmp-999999999-other"  # the same name pattern, the marker of another target
    other.mkdir()
    _owner(other, "tmp", "ut")
    users = _user_folder(tmp_path / ".out.old-backup")
    r = invoke("run", scen, "--out", tmp_path / "out", "--no-curve", "--no-progress")
    assert r.exit_code == 0, r.stderr
    assert not marked.exists()
    assert other.exists() and (users / "notes.txt").is_file()
    run_files = {p.name for p in (tmp_path / "out").iterdir()}
    assert OWNER not in run_files and runfolder.MARKER in run_files
    assert not any(p.name.endswith(".camsite-lock") for p in tmp_path.iterdir())  # the lock goes with the run


def test_a_second_run_on_the_same_out_is_refused_at_once(tmp_path: Path) -> None:
    scen = write_scenario(tmp_path, fridhemsplan_data(250, name="liten"))
    out = tmp_path / "out"
    lock = tmp_path / ".out.camsite-lock"
    fd = os.open(lock, os.O_RDWR | os.O_CREAT)  # what a run in another process holds while it computes
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        r = invoke("run", scen, "--out", out, "--no-curve", "--no-progress")
        one_error_line(r.stderr, r.exit_code, 2, "another camsite run is writing this output folder")
        assert not out.exists()
    finally:
        os.close(fd)


# -- batch folders ---------------------------------------------------------------------------------------------------


def _batch(folder: Path, text: str) -> Path:
    write_scenario(folder, fridhemsplan_data(250, name="liten"), name="liten.toml")
    path = folder / "b.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_batch_refuses_a_folder_it_did_not_write(tmp_path: Path) -> None:
    b = _batch(tmp_path, 'out = "res"\n\n[[runs]]\nscenario = "liten.toml"\n')
    res = tmp_path / "res"
    res.mkdir()
    (res / "compare.csv").write_text("the user's own table", encoding="utf-8")
    (res / "compare.html").write_text("<p>mine</p>", encoding="utf-8")
    r = invoke("batch", b, "--no-progress", "--workers", "1")
    one_error_line(r.stderr, r.exit_code, 2, "not a camsite batch folder")
    assert (res / "compare.csv").read_text(encoding="utf-8") == "the user's own table"
    assert sorted(p.name for p in res.iterdir()) == ["compare.csv", "compare.html"]


def test_batch_reuses_its_own_folder_but_not_with_a_users_file(tmp_path: Path, no_deliverables: None) -> None:
    b = _batch(tmp_path, 'out = "res"\n\n[[runs]]\nscenario = "liten.toml"\n')
    first = invoke("batch", b, "--no-progress", "--workers", "1")
    assert first.exit_code == 0, first.stderr
    res = tmp_path / "res"
    listed = json.loads((res / BATCH_MARKER).read_text(encoding="utf-8"))["files"]
    assert listed == ["compare.csv", "compare.html", "liten"]
    again = invoke("batch", b, "--no-progress", "--workers", "1")
    assert again.exit_code == 0, again.stderr
    (res / "anteckningar.docx").write_bytes(b"notes")
    third = invoke("batch", b, "--no-progress", "--workers", "1")
    one_error_line(third.stderr, third.exit_code, 2, "files camsite did not write (anteckningar.docx)")
    assert (res / "anteckningar.docx").read_bytes() == b"notes"


def test_batch_two_runs_one_folder_names_the_batch_file(tmp_path: Path) -> None:
    b = _batch(tmp_path, '[[runs]]\nscenario = "liten.toml"\nname = "a"\n\n[[runs]]\nscenario = "liten.toml"\n'
                         'name = "a"\n')
    r = invoke("batch", b, "--no-progress")
    line = one_error_line(r.stderr, r.exit_code, 2, "two runs would write the folder 'a'", "runs[1].name")
    assert line.startswith(f"error: {b}: ")


def test_batch_prints_normalised_paths(tmp_path: Path, no_deliverables: None) -> None:
    (tmp_path / "batches").mkdir()
    write_scenario(tmp_path, fridhemsplan_data(250, name="liten"), name="liten.toml")
    b = tmp_path / "batches" / "b.toml"
    b.write_text('out = "../out/batch"\n\n[[runs]]\nscenario = "../liten.toml"\n', encoding="utf-8")
    r = invoke("batch", b, "--no-progress", "--workers", "1")
    assert r.exit_code == 0, r.stderr
    last = r.stdout.strip().splitlines()[-1]
    assert ".." not in last
    assert last == f"{tmp_path / 'out' / 'batch' / 'compare.csv'}, {tmp_path / 'out' / 'batch' / 'compare.html'}"


def test_batch_ctrl_c_after_a_run_says_what_was_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        no_deliverables: None) -> None:
    b = _batch(tmp_path, 'out = "res"\n\n[[runs]]\nscenario = "liten.toml"\nbudgets = [200000, 450000]\n')

    def first_then_ctrl_c(todo: list[batch.Job], **kwargs: object) -> list[object]:
        assert batch.run_job(None, todo[0])[0] == "ok"
        raise KeyboardInterrupt

    monkeypatch.setattr(batch_cli, "_run_jobs", first_then_ctrl_c)
    r = invoke("batch", b, "--no-progress")
    line = one_error_line(r.stderr, r.exit_code, 130, "interrupted; 1 of 2 runs were written")
    assert "no output was changed" not in line
    assert (tmp_path / "res" / "liten_200000" / "summary.json").is_file()
    assert not (tmp_path / "res" / "liten_450000").exists() and not (tmp_path / "res" / "compare.csv").exists()
