import shutil
from pathlib import Path

import pytest

from khcadre_sim.paths import BUNDLED_PROVINCE


@pytest.fixture
def province_dir(tmp_path: Path) -> Path:
    """A writable copy of the bundled province, to break in tests."""
    target = tmp_path / "province"
    shutil.copytree(BUNDLED_PROVINCE, target)
    return target
