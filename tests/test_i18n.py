"""The texts: package data read once into a read-only table, every key in Swedish and English, in one file."""

from __future__ import annotations

import tomllib
from importlib.resources import files
from pathlib import Path
from types import MappingProxyType

import pytest

from camsite import i18n
from camsite.i18n._texts import LANGS, load_texts

TEXTS = Path(str(files("camsite.i18n") / "texts"))


def test_every_key_has_swedish_and_english_text() -> None:
    for path in sorted(TEXTS.glob("*.toml")):
        for key, texts in tomllib.loads(path.read_text(encoding="utf-8")).items():
            assert set(texts) == set(LANGS), f"{path.name}: [{key}]"
            assert all(isinstance(t, str) and t for t in texts.values()), f"{path.name}: [{key}]"


def test_the_table_is_read_only_and_holds_every_file() -> None:
    assert isinstance(i18n._T, MappingProxyType)
    with pytest.raises(TypeError):
        i18n._T["sites"] = ("x", "y")  # type: ignore[index]
    n_keys = sum(len(tomllib.loads(p.read_text(encoding="utf-8"))) for p in TEXTS.glob("*.toml"))
    assert len(i18n._T) == n_keys
    assert i18n.tr("sites", "en") == "Proposed sites"
    assert i18n.tr("run_kinds", "en").startswith(" Travellers' space")  # leading space kept by the TOML string


def test_a_key_in_two_files_is_an_error_at_load(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text('[sites]\nsv = "Platser"\nen = "Sites"\n', encoding="utf-8")
    (tmp_path / "b.toml").write_text('[sites]\nsv = "Andra"\nen = "Other"\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"b\.toml: text 'sites' is also in a\.toml"):
        load_texts(tmp_path)


@pytest.mark.parametrize("body", ['[k]\nsv = "a"\n', '[k]\nsv = "a"\nen = "b"\nde = "c"\n', '[k]\nsv = "a"\nen = 1\n',
                                  'k = "a"\n'])
def test_a_key_without_exactly_sv_and_en_text_is_an_error_at_load(tmp_path: Path, body: str) -> None:
    (tmp_path / "a.toml").write_text(body, encoding="utf-8")
    with pytest.raises(ValueError, match=r"a\.toml: \[k\]"):
        load_texts(tmp_path)


def test_files_load_in_name_order_and_other_files_are_ignored(tmp_path: Path) -> None:
    (tmp_path / "b.toml").write_text('[second]\nsv = "2"\nen = "two"\n', encoding="utf-8")
    (tmp_path / "a.toml").write_text('[first]\nsv = "1"\nen = "one"\n', encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a text table", encoding="utf-8")
    assert list(load_texts(tmp_path).items()) == [("first", ("1", "one")), ("second", ("2", "two"))]
