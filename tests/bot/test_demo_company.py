"""Where ``greenroom demo`` finds the example company: examples/ in a checkout, otherwise a
copy in a folder of the user's that keeps its database between runs."""

from __future__ import annotations

from pathlib import Path

from bot.demo_company import BUNDLED, demo_folder

REPO = Path(__file__).resolve().parents[2]


def test_in_a_checkout_the_demo_runs_on_examples_in_place() -> None:
    assert BUNDLED.resolve() == REPO / "examples"
    assert demo_folder() == REPO / "examples"


def test_a_chosen_folder_gets_a_copy_without_anyones_state(tmp_path: Path) -> None:
    folder = demo_folder(tmp_path / "demo")

    assert (folder / "greenroom.yaml").is_file()
    assert (folder / "catalog" / "catalog-info.yaml").is_file()
    assert not (folder / ".greenroom").exists()


def test_running_again_refreshes_the_files_and_keeps_the_database(tmp_path: Path) -> None:
    folder = demo_folder(tmp_path / "demo")
    (folder / ".greenroom").mkdir()
    (folder / ".greenroom" / "demo.db").write_text("kept")
    (folder / "greenroom.yaml").write_text("edited")

    again = demo_folder(tmp_path / "demo")

    assert (again / ".greenroom" / "demo.db").read_text() == "kept"
    assert (again / "greenroom.yaml").read_text() == (
        REPO / "examples" / "greenroom.yaml"
    ).read_text()
