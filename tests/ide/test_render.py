"""``axiom-ide render``: a non-blank picture of the flow at the requested width."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtCore import QStandardPaths
from PySide6.QtGui import QColor, QImage

from axiom_ide.cli.main import main

QStandardPaths.setTestModeEnabled(True)
EXAMPLES = Path(__file__).resolve().parents[2] / "axiom_ide" / "resources" / "examples" / "workspace"


def non_background(img: QImage, step: int = 3) -> int:
    white = QColor("#ffffff").rgb()
    return sum(1 for y in range(0, img.height(), step) for x in range(0, img.width(), step) if img.pixel(x, y) != white)


@pytest.mark.parametrize("flow", ["branching", "counter", "words"])
def test_render_png_has_requested_width_and_content(qapp, tmp_path, flow, capsys):
    out = tmp_path / f"{flow}.png"
    rc = main(["render", str(EXAMPLES / "flows" / f"{flow}.flow.yaml"), "-o", str(out), "--width", "800",
               "--workspace", str(EXAMPLES)])
    assert rc == 0
    img = QImage(str(out))
    assert img.width() == 800 and img.height() > 100
    sampled = (img.width() // 3 + 1) * (img.height() // 3 + 1)
    assert 0.03 * sampled < non_background(img) < 0.6 * sampled


def test_render_svg(qapp, tmp_path):
    out = tmp_path / "greeter.svg"
    assert main(["render", str(EXAMPLES / "flows" / "greeter.flow.yaml"), "-o", str(out), "--workspace", str(EXAMPLES)]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<?xml") and "<svg" in text and "greet" in text


def test_render_rejects_other_formats(qapp, tmp_path):
    assert main(["render", str(EXAMPLES / "flows" / "greeter.flow.yaml"), "-o", str(tmp_path / "x.jpg")]) == 2
