"""Which frames folder a dream of given settings writes: the first folder while it is free or holds the same dream,
else a folder named after the settings, and that name with the settings' sha1 where the named one holds yet another
dream; mode 3 finds a named folder only when its recorded dream agrees with the flags."""

from __future__ import annotations

from pathlib import Path

from deepdream_torch.video.folder_choice import choose_frames_folder, find_frames_folder, settings_sha1
from deepdream_torch.video.manifest import record_settings

A = {"layers": ["conv1"], "iterations": 10, "guide": None}
B = {"layers": ["conv1"], "iterations": 6, "guide": None}
C = {"layers": ["conv1"], "iterations": 6, "guide": "0123456789"}  # differs from B only where no word tells


def dream_into(folder: Path, settings: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    record_settings(folder, settings, done=1, total=1)
    (folder / "dream_frame_00000001.jpg").write_bytes(b"frame")
    return folder


def folder_for(root: Path):
    return lambda words: root / (f"clip_{words}" if words else "clip")


def words_for(seen: list):
    def words(keys):
        seen.append(keys)
        return "i-6"

    return words


def test_the_first_folder_while_it_is_free_or_holds_the_same_dream(tmp_path: Path) -> None:
    assert choose_frames_folder(folder_for(tmp_path), words_for([]), B).folder == tmp_path / "clip"
    dream_into(tmp_path / "clip", B)
    choice = choose_frames_folder(folder_for(tmp_path), words_for([]), B)
    assert (choice.folder, choice.words, choice.describe()) == (tmp_path / "clip", "", None)


def test_other_settings_go_to_a_named_folder_and_say_why(tmp_path: Path) -> None:
    dream_into(tmp_path / "clip", A)
    seen: list = []
    choice = choose_frames_folder(folder_for(tmp_path), words_for(seen), B)
    assert (choice.folder, choice.words) == (tmp_path / "clip_i-6", "i-6")
    assert seen == [["iterations"]]  # the words are asked for the settings that differ, and only those
    line = choice.describe()
    assert line is not None and "iterations: 10 → 6" in line and str(tmp_path / "clip_i-6") in line


def test_a_named_folder_holding_yet_another_dream_gets_the_settings_sha1(tmp_path: Path) -> None:
    dream_into(tmp_path / "clip", A)
    dream_into(tmp_path / "clip_i-6", B)
    choice = choose_frames_folder(folder_for(tmp_path), words_for([]), C)
    twin = f"i-6_{settings_sha1(C)[:8]}"
    assert (choice.folder, choice.words) == (tmp_path / f"clip_{twin}", twin)
    dream_into(choice.folder, C)
    # each of the three finds its own folder again
    for settings, folder in ((A, "clip"), (B, "clip_i-6"), (C, f"clip_{twin}")):
        assert choose_frames_folder(folder_for(tmp_path), words_for([]), settings).folder == tmp_path / folder


def test_a_named_dream_is_found_again_after_the_first_folder_was_emptied(tmp_path: Path) -> None:
    dream_into(tmp_path / "clip_i-6", B)
    (tmp_path / "clip").mkdir()
    assert choose_frames_folder(folder_for(tmp_path), words_for([]), B).folder == tmp_path / "clip_i-6"
    assert choose_frames_folder(folder_for(tmp_path), words_for([]), A).folder == tmp_path / "clip"


def test_mode_3_finds_the_named_folder_whose_dream_agrees_with_the_flags(tmp_path: Path) -> None:
    dream_into(tmp_path / "clip", A)
    dream_into(tmp_path / "clip_i-6", B)
    twin = dream_into(tmp_path / f"clip_i-6_{settings_sha1(C)[:8]}", C)
    find = folder_for(tmp_path)
    assert find_frames_folder(find, "i-6", {"iterations": 6}).folder == tmp_path / "clip_i-6"
    assert find_frames_folder(find, "i-6", {"iterations": 6, "guide": "0123456789"}).folder == twin
    assert find_frames_folder(find, "i-6", {"iterations": 7}).folder == tmp_path / "clip"  # none agrees
    assert find_frames_folder(find, "", {}).folder == tmp_path / "clip"
