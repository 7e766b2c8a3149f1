"""bench/readme_screenshots.py, the README's screenshots: one page shot on a copy of the sample workspace in
Debian's Chromium (never a downloaded one) is a 1400×900 PNG with something on it."""

import importlib.util
import shutil
from pathlib import Path

import pytest
from test_playwright import chromium_path  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# bench/ is a folder of scripts run from the repository root, not part of the package: loaded by its path
_spec = importlib.util.spec_from_file_location(
    "readme_screenshots", Path(__file__).resolve().parents[2] / "bench" / "readme_screenshots.py")
shots = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(shots)


def test_the_script_writes_a_non_blank_png_of_a_page(sample_dir, tmp_path, chromium_path):  # noqa: F811
    from PIL import Image

    workspace = tmp_path / "ws"
    shutil.copytree(sample_dir, workspace)
    written = shots.screenshots(tmp_path / "img", ["journey-health"], workspace=workspace)
    assert written == [tmp_path / "img" / "journey-health.png"]
    with Image.open(written[0]) as image:
        assert image.format == "PNG" and image.size == (1400, 900)
        grey = image.convert("L")
        low, high = grey.getextrema()
        assert high - low > 100, "text on a background, not one flat colour"
        assert len(grey.getcolors(maxcolors=256 * 256) or range(257)) > 16
