"""Locate files under ``resources/`` both in a checkout and in an installed wheel."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path


@cache
def resources_root() -> Path:
    """The resources folder: shipped inside the package in a wheel, beside it in a checkout."""
    packaged = Path(str(files("harcors"))) / "_resources"
    if packaged.is_dir():
        return packaged
    # Editable install or a plain checkout: resources/ sits next to the package.
    return Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    """Path of one resource, e.g. ``resource_path("fixes", "express.toml")``."""
    return resources_root().joinpath(*parts)
