"""The figures' colours stay apart for readers with a colour-vision deficiency.

Each palette the figures use (the trajectory explorer's optimizers, the eigen-view's two
coordinates) is passed through the simulations of protanopia, deuteranopia and tritanopia of
Machado, Oliveira & Fernandes (2009) at full severity, on linear RGB; every pair of colours must
then stay at least ``MIN_DELTA_E`` apart in CIEDE2000 (a just-noticeable difference is about 1;
neighbouring colours of a categorical palette are typically 10 or more apart), and every colour
must keep WCAG's 3:1 contrast against the white plot background. The CIEDE2000 code is checked
against Sharma, Wu & Dalal's (2005) published test pairs.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from d2l_opt import widgets

MIN_DELTA_E = 9.0

# Machado, Oliveira & Fernandes (2009), "A physiologically-based model for simulation of color
# vision deficiency", severity 1.0 (complete dichromacy); applied to linear RGB.
MACHADO_2009 = {
    "protanopia": [
        [0.152286, 1.052583, -0.204868],
        [0.114503, 0.786281, 0.099216],
        [-0.003882, -0.048116, 1.051998],
    ],
    "deuteranopia": [
        [0.367322, 0.860646, -0.227968],
        [0.280085, 0.672501, 0.047413],
        [-0.011820, 0.042940, 0.968881],
    ],
    "tritanopia": [
        [1.255528, -0.076749, -0.178779],
        [-0.078411, 0.930809, 0.147602],
        [0.004733, 0.691367, 0.303900],
    ],
}


def srgb_to_linear(c):
    c = np.asarray(c, float)
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def hex_to_linear(color: str) -> np.ndarray:
    raw = color.lstrip("#")
    return srgb_to_linear([int(raw[i : i + 2], 16) / 255 for i in (0, 2, 4)])


def linear_to_lab(rgb) -> np.ndarray:
    m = np.array(
        [
            [0.4124564, 0.3575761, 0.1804375],
            [0.2126729, 0.7151522, 0.0721750],
            [0.0193339, 0.1191920, 0.9503041],
        ]
    )
    xyz = m @ np.clip(rgb, 0, 1) / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def ciede2000(lab1, lab2) -> float:
    L1, a1, b1 = lab1
    L2, a2, b2 = lab2
    c_bar = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(c_bar**7 / (c_bar**7 + 25**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360 if c2p else 0.0
    dL, dC = L2 - L1, c2p - c1p
    if c1p * c2p == 0:
        dh = 0.0
    else:
        dh = h2p - h1p
        dh = dh - 360 if dh > 180 else dh + 360 if dh < -180 else dh
    dH = 2 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh / 2))
    L_bar, C_bar = (L1 + L2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        h_bar = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        h_bar = (h1p + h2p) / 2
    else:
        h_bar = (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    t = (
        1
        - 0.17 * np.cos(np.radians(h_bar - 30))
        + 0.24 * np.cos(np.radians(2 * h_bar))
        + 0.32 * np.cos(np.radians(3 * h_bar + 6))
        - 0.20 * np.cos(np.radians(4 * h_bar - 63))
    )
    d_theta = 30 * np.exp(-(((h_bar - 275) / 25) ** 2))
    r_c = 2 * np.sqrt(C_bar**7 / (C_bar**7 + 25**7))
    s_l = 1 + 0.015 * (L_bar - 50) ** 2 / np.sqrt(20 + (L_bar - 50) ** 2)
    s_c, s_h = 1 + 0.045 * C_bar, 1 + 0.015 * C_bar * t
    r_t = -np.sin(np.radians(2 * d_theta)) * r_c
    return float(
        np.sqrt((dL / s_l) ** 2 + (dC / s_c) ** 2 + (dH / s_h) ** 2 + r_t * (dC / s_c) * (dH / s_h))
    )


def distances(palette: dict, vision: str | None):
    labs = {}
    for name, color in palette.items():
        rgb = hex_to_linear(color)
        if vision:
            rgb = np.array(MACHADO_2009[vision]) @ rgb
        labs[name] = linear_to_lab(rgb)
    return {(a, b): ciede2000(labs[a], labs[b]) for a, b in itertools.combinations(labs, 2)}


@pytest.mark.parametrize(
    ("lab1", "lab2", "want"),
    [  # Sharma, Wu & Dalal (2005), table 1: pairs 1, 7 and 17
        ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
        ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
        ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
    ],
)
def test_ciede2000_matches_published_pairs(lab1, lab2, want):
    assert ciede2000(lab1, lab2) == pytest.approx(want, abs=1e-4)
    assert ciede2000(lab2, lab1) == pytest.approx(want, abs=1e-4)


def test_simulation_keeps_grey_grey():
    # each matrix row sums to 1: white and greys are unchanged (a transcription check)
    for matrix in MACHADO_2009.values():
        np.testing.assert_allclose(np.sum(matrix, axis=1), 1.0, atol=1e-5)


PALETTES = {
    "trajectory explorer": dict(widgets.COLORS),
    "eigen view": {f"x{i + 1}": c for i, c in enumerate(widgets.EIGEN_COLORS)},
}


@pytest.mark.parametrize("palette", PALETTES)
@pytest.mark.parametrize("vision", [None, "protanopia", "deuteranopia", "tritanopia"])
def test_palette_colours_stay_apart(palette, vision):
    close = {
        pair: round(d, 1)
        for pair, d in distances(PALETTES[palette], vision).items()
        if d < MIN_DELTA_E
    }
    assert close == {}, f"{palette} under {vision or 'normal vision'}: {close}"


@pytest.mark.parametrize("palette", PALETTES)
def test_palette_contrasts_with_the_white_background(palette):
    for name, color in PALETTES[palette].items():
        rgb = hex_to_linear(color)
        luminance = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]
        assert 1.05 / (luminance + 0.05) >= 3.0, f"{name} {color}"
