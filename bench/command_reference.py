"""The reference for bench_command.sh: what `bin/derain run --model MODEL --out OUT PHOTO...` does, in PyTorch 1.13 +
torchvision (CPU), as one process: load a GT-RAIN checkpoint, derain each photo whole (reflection-padded on the
right/bottom to a multiple of 4, cropped back, as Fiji Derain does), write 8-bit PNGs.

usage: /usr/bin/python3 bench/command_reference.py CHECKPOINT.pth OUT_DIR PHOTO...
       /usr/bin/python3 bench/command_reference.py --make CHECKPOINT.pth   (GT-RAIN's full size, seeded weights)
"""
import collections
import os
import sys

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import gtrain_reference as ref  # noqa: E402


def make(checkpoint):
    model = ref.build(ngf=64, n_blocks=9, activation="leaky", norm="batch")
    ref.seeded_random_weights(model, seed=42, offset_scale=0.5)
    torch.save({"state_dict": collections.OrderedDict(("resnet." + k, v) for k, v in model.state_dict().items())},
               checkpoint)


def derain(checkpoint, out_dir, photos):
    torch.set_num_threads(int(os.environ.get("THREADS", os.cpu_count())))
    model = ref.build(ngf=64, n_blocks=9, activation="leaky", norm="batch")
    state = torch.load(checkpoint, map_location="cpu")["state_dict"]
    model.load_state_dict({k[len("resnet."):]: v for k, v in state.items()})
    model.eval()
    os.makedirs(out_dir, exist_ok=True)
    for photo in photos:
        out = ref.derain_photo(model, np.asarray(Image.open(photo).convert("RGB"), dtype=np.float32) / 255.0)
        Image.fromarray(np.round(out * 255).astype(np.uint8)).save(
            os.path.join(out_dir, os.path.splitext(os.path.basename(photo))[0] + ".png"))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--make":
        make(sys.argv[2])
    elif len(sys.argv) >= 4:
        derain(sys.argv[1], sys.argv[2], sys.argv[3:])
    else:
        raise SystemExit(__doc__)
