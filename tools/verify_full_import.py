"""End-to-end check of the issue's acceptance test: a GT-RAIN checkpoint of the full-size network
(ngf 64, 9 blocks, 12,901,993 parameters) in the official format ({'state_dict': {'resnet.<name>': ...}}),
imported and run through bin/derain, derains a photo to within 1/255 of PyTorch's output.

usage: /usr/bin/python3 tools/verify_full_import.py [WORKDIR] [PHOTO]   (from the repository root)
Writes WORKDIR/gtrain_full.pth and WORKDIR/reference.png (PyTorch + torchvision, reflection-padded on the
right/bottom to a multiple of 4 as Fiji Derain does, cropped back, rounded to 8 bits), runs
`bin/derain import-gtrain` and `bin/derain run` (whole image and default tiles) and prints the differences.
"""
import collections
import os
import subprocess
import sys

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gtrain_reference as ref  # noqa: E402


def main(work, photo):
    os.makedirs(work, exist_ok=True)
    torch.set_num_threads(os.cpu_count())
    model = ref.build(ngf=64, n_blocks=9, activation="leaky", norm="batch")
    ref.seeded_random_weights(model, seed=42, offset_scale=0.5)
    model.eval()
    n = sum(p.numel() for p in model.parameters())
    ckpt = os.path.join(work, "gtrain_full.pth")
    torch.save({"state_dict": collections.OrderedDict(("resnet." + k, v) for k, v in model.state_dict().items())},
               ckpt)
    out = ref.derain_photo(model, np.asarray(Image.open(photo).convert("RGB"), dtype=np.float32) / 255.0)
    Image.fromarray(np.round(out * 255).astype(np.uint8)).save(os.path.join(work, "reference.png"))
    print("checkpoint: %s (%d parameters); reference output mean %.3f, std %.3f" % (ckpt, n, out.mean(), out.std()))

    model_dir = os.path.join(work, "model")
    subprocess.run(["bin/derain", "import-gtrain", ckpt, "--out", model_dir, "--overwrite"], check=True)
    base = os.path.splitext(os.path.basename(photo))[0]
    for tile in ("0", "512"):
        out_dir = os.path.join(work, "java-tile" + tile)
        subprocess.run(["bin/derain", "run", "--model", model_dir, "--tile", tile, "--out", out_dir, "--overwrite",
                        "--device", "cpu", photo], check=True)
        java = np.asarray(Image.open(os.path.join(out_dir, base + ".png")).convert("RGB"), dtype=np.int32)
        diff = np.abs(java - np.round(out * 255).astype(np.int32))
        print("tile %-4s: max |java - pytorch| = %d/255, pixels differing: %.4f%%, mean %.5f/255"
              % (tile, diff.max(), 100.0 * (diff > 0).mean(), diff.mean()))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/derain-full-import",
         sys.argv[2] if len(sys.argv) > 2 else "models/samples/leuven-rain.png")
