#!/usr/bin/python3
"""How much of a rain preset is its veil, and can a veil be seen? (issue 10; tools/TRAINING_LOG.md, session 10)

Usage: tools/veil_analysis.py EVAL_DIR PRESET...
  EVAL_DIR/heldout-PRESET/{rainy,clean}/*.png are pairs made by
  `bin/derain synth --clean PHOTOS --out EVAL_DIR/heldout-PRESET --preset PRESET --max-size 768 --seed 1000`.

For each preset: mean PSNR of the rainy input and of the best per-image, per-channel affine map from the rainy to
the clean photo (least squares: an oracle that knows the clean photo; a uniform gray veil I = J*t + A*(1-t) is
such a map). Then, over the clean photos of the first preset, the dark channel (min over a window of the min over
R, G, B) against the floor (1 - t) * A that each preset's veil puts under every pixel: the share of windows whose
dark channel is at least that floor (there, nothing dark rules the veil out), and each photo's whole-image minimum.
Needs Debian's python3-numpy, python3-scipy and python3-pil.
"""
import os
import sys

import numpy as np
from PIL import Image
from scipy.ndimage import minimum_filter

FLOORS = {"t 0.97, A 0.80": 0.03 * 0.80, "t 0.92, A 0.80": 0.08 * 0.80, "t 0.82, A 0.82": 0.18 * 0.82,
          "t 0.70, A 0.85": 0.30 * 0.85}


def load(path):
    return np.asarray(Image.open(path).convert("RGB"), np.float64) / 255


def psnr(a, b):
    return 10 * np.log10(1 / np.mean((a - b) ** 2))


def best_affine(rainy, clean):
    out = np.empty_like(rainy)
    for c in range(3):
        design = np.stack([rainy[..., c].ravel(), np.ones(rainy[..., c].size)], 1)
        gain, offset = np.linalg.lstsq(design, clean[..., c].ravel(), rcond=None)[0]
        out[..., c] = np.clip(rainy[..., c] * gain + offset, 0, 1)
    return out


def dark_channel(image, window):
    return minimum_filter(image.min(2), size=window)[window // 2::window, window // 2::window].ravel()


def main(root, presets):
    for preset in presets:
        d = os.path.join(root, "heldout-" + preset)
        names = sorted(os.listdir(os.path.join(d, "rainy")))
        pairs = [(load(os.path.join(d, "rainy", n)), load(os.path.join(d, "clean", n))) for n in names]
        before = np.mean([psnr(r, c) for r, c in pairs])
        after = np.mean([psnr(best_affine(r, c), c) for r, c in pairs])
        print("%-8s input %.2f dB, best per-image affine map %.2f dB (gain %+.2f)" % (preset, before, after, after - before))
    clean_dir = os.path.join(root, "heldout-" + presets[0], "clean")
    names = sorted(os.listdir(clean_dir))
    images = [load(os.path.join(clean_dir, n)) for n in names]
    print("share of clean windows with a dark channel at or above a veil's floor (1 - t) * A:")
    for window in (48, 96, 192):
        values = np.concatenate([dark_channel(i, window) for i in images])
        print("  %3d px: " % window + "   ".join("%s (%.3f) %.2f" % (k, f, np.mean(values >= f)) for k, f in FLOORS.items()))
    print("whole-image dark channel of each clean photo:")
    for n, i in zip(names, images):
        print("  %-50s %.3f" % (n, i.min()))


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2:])
