"""The installed package carries every module and asset a clone has."""

from __future__ import annotations

import tomllib
from pathlib import Path

from device.paths import asset, sample_walls

REPO = Path(__file__).resolve().parents[1]


def test_every_package_folder_is_listed_in_pyproject():
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    mapped = {name: REPO / path for name, path in config["package-dir"].items()}
    for top in ("device", "vision"):
        for init in (REPO / top).rglob("__init__.py"):
            name = ".".join(init.parent.relative_to(REPO).parts)
            assert name in listed, f"{name} is missing from [tool.setuptools] packages"
    for name, folder in mapped.items():
        assert name in listed and folder.is_dir()


def test_assets_are_found_where_the_code_runs_from():
    for name in ("squeak.wav", "cue.wav"):
        assert asset(name).is_file()
    assert [p.suffix for p in sample_walls()] == [".jpg"] * len(sample_walls())
