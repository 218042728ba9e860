"""Reference fixtures for exact tiling (issue 9), from PyTorch 1.13 + torchvision 0.14.

Run from the repository root with Debian's python:  /usr/bin/python3 tools/make_tile_fixtures.py
Writes under src/test/resources/fixtures/tiles/ (all committed; CI never runs this):

* far_model/ - a model folder whose deformable offsets reach tens of pixels at quarter resolution (random
  weights, ngf 8, 2 blocks, offset convs scaled up; BatchNorm statistics from real activations: the
  running statistics are the average over crops of the sample photos in train mode), and far.safetensors
  with a 200x150 crop of models/samples/leuven-rain.png ("image", HWC uint8), PyTorch's whole-image
  output for it ("output", CHW float in [0, 1], after the same mirror pad to 200x152 and crop back) and the
  offsets PyTorch measured per deformable conv ("offset_mean", "offset_max", quarter-resolution pixels).
* odd_model/ - a tiny model (ngf 4, 1 block, offsets of a few pixels) and odd.safetensors with inputs of odd
  widths and heights ("<case>.image", HWC uint8) and PyTorch's output ("<case>.output", CHW in [0, 1]) after
  mirror-padding the input ("reflect") to multiples of 4 and at least 8, running the net, cropping back.
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gtrain_reference as ref  # noqa: E402
from fixtures import ROOT, fixture_path, save_safetensors  # noqa: E402

torch.set_num_threads(1)


def photo(name):
    return np.asarray(Image.open(os.path.join(ROOT, "models", "samples", name)).convert("RGB"))


def to_input(hwc):
    return torch.from_numpy(hwc.astype(np.float32) / 255 * 2 - 1).permute(2, 0, 1).unsqueeze(0)


def padded(n):
    return max((n + 3) // 4 * 4, 8)


def run_padded(model, hwc):
    """What the Java tool does with an odd size: mirror-pad right and bottom ("reflect"), run, crop back."""
    h, w = hwc.shape[:2]
    x = to_input(hwc)
    x = F.pad(x, (0, padded(w) - w, 0, padded(h) - h), mode="reflect")
    with torch.no_grad():
        y = model(x)[0][:, :, :h, :w]
    return (y[0] * 0.5 + 0.5).clamp(0, 1)


def calibrate_batchnorm(model, seed):
    """Running statistics = the average batch statistics of crops of both sample photos (train mode)."""
    g = np.random.default_rng(seed)
    crops = []
    for name in ("leuven-rain.png", "leuven-clean.png"):
        p = photo(name)
        for _ in range(4):
            y, x = g.integers(0, p.shape[0] - 128), g.integers(0, p.shape[1] - 128)
            crops.append(to_input(p[y:y + 128, x:x + 128]))
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.reset_running_stats()
            m.momentum = None  # cumulative average
    model.train()
    with torch.no_grad():
        for c in crops:
            model(c)
    model.eval()
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.momentum = 0.1
    return model


def measure_offsets(model, x):
    """max and mean |offset| of every deformable conv on x, in its own (quarter-resolution) pixels."""
    seen = []
    hooks = [m.register_forward_hook(lambda mod, inp, out: seen.append(mod.offset_conv(inp[0]).abs()))
             for m in model.modules() if isinstance(m, ref.DeformableConv2d)]
    with torch.no_grad():
        model(x)
    for h in hooks:
        h.remove()
    return [float(o.mean()) for o in seen], [float(o.max()) for o in seen]


def save_model(folder, model, ngf, n_blocks, description):
    path = fixture_path("tiles", folder, "weights.safetensors")
    save_safetensors(path, {k: v for k, v in model.state_dict().items()})
    descriptor = {
        "format": "fiji-derain-model", "format_version": 1, "name": folder, "description": description,
        "architecture": {"type": "gtrain-deformable-resnet", "ngf": ngf, "n_blocks": n_blocks,
                         "activation": "leaky", "norm": "batch", "init": "normal"},
        "input": {"range": [-1, 1], "layout": "NCHW", "channels": "RGB", "size_multiple": 4},
        "weights": "weights.safetensors",
        "provenance": {"source": "tools/make_tile_fixtures.py (random weights, test fixture)"},
    }
    with open(os.path.join(os.path.dirname(path), "model.json"), "w") as f:
        json.dump(descriptor, f, indent=2)
        f.write("\n")


def far_case():
    ngf, n_blocks = 8, 2
    model = ref.seeded_random_weights(ref.build(ngf, n_blocks, "leaky", "batch"), 91, offset_scale=1.5)
    calibrate_batchnorm(model, 92)
    image = photo("leuven-rain.png")[300:450, 400:600]  # 200 x 150
    x = F.pad(to_input(image), (0, 0, 0, 2), mode="reflect")
    mean, peak = measure_offsets(model, x)
    for i, (a, b) in enumerate(zip(mean, peak)):
        print("far_model deformable conv %d: |offset| mean %.1f, max %.1f quarter-resolution px" % (i, a, b))
    save_model("far_model", model, ngf, n_blocks,
               "test fixture: random weights whose deformable offsets reach tens of pixels")
    save_safetensors(fixture_path("tiles", "far.safetensors"), {
        "image": image, "output": run_padded(model, image),
        "offset_mean": torch.tensor(mean), "offset_max": torch.tensor(peak)})


def odd_case():
    ngf, n_blocks = 4, 1
    model = ref.seeded_random_weights(ref.build(ngf, n_blocks, "leaky", "batch"), 93).eval()
    save_model("odd_model", model, ngf, n_blocks, "test fixture: tiny random weights for odd image sizes")
    p = photo("leuven-clean.png")
    out = {}
    # (width, height): both odd, odd by 1 and 2 from a multiple of 4, and tiny (padded to 8)
    for i, (w, h) in enumerate(((101, 59), (38, 71), (5, 7))):
        image = p[100 + 7 * i:100 + 7 * i + h, 200:200 + w]
        out["case%d.image" % i] = image
        out["case%d.output" % i] = run_padded(model, image)
        print("odd case%d: %dx%d padded to %dx%d" % (i, w, h, padded(w), padded(h)))
    save_safetensors(fixture_path("tiles", "odd.safetensors"), out)


if __name__ == "__main__":
    far_case()
    odd_case()
    folder = os.path.dirname(fixture_path("tiles", "far.safetensors"))
    for root, _, files in os.walk(folder):
        for f in sorted(files):
            print("%-40s %8d bytes" % (os.path.relpath(os.path.join(root, f), folder),
                                       os.path.getsize(os.path.join(root, f))))
