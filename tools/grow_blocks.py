"""Adds residual blocks to a trained model without changing what it computes (issue 10).

/usr/bin/python3 tools/grow_blocks.py MODEL_DIR OUT.pth --blocks 8 [--seed 2026] [--check PHOTO...]
then: bin/derain import-gtrain OUT.pth --out GROWN_MODEL_DIR   (fine-tune it with --init-model GROWN_MODEL_DIR)

GT-RAIN's residual blocks are x + [DeformConv, BN, act, DeformConv, BN](x). The new blocks go after the model's own
and start as the identity, the way `init identity` starts every block (tools/make_identity_init.py): the first
deformable conv Kaiming-normal, the second 0, both BatchNorms the identity (frozen: weight 1, bias 0, running mean 0,
variance 1), offset and modulator convs 0. The grown network therefore returns exactly what the model returned, and
fine-tuning it (with --freeze-bn true) trains the new blocks from there: more capacity and a larger receptive field
at a quarter of the resolution, where the veil has to be told from a photo's own low contrast.
The script checks that the grown network's output equals the model's on the --check photos.
"""
import argparse
import collections
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gtrain_reference as ref  # noqa: E402
from fixtures import read_safetensors  # noqa: E402


def load_model(folder):
    """The reference network of a Fiji Derain model folder, in eval mode, and its architecture."""
    with open(os.path.join(folder, "model.json")) as f:
        arch = json.load(f)["architecture"]
    model = ref.build(arch["ngf"], arch["n_blocks"], arch["activation"], arch["norm"])
    weights = read_safetensors(os.path.join(folder, "weights.safetensors"))
    model.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in weights.items()}, strict=True)
    return model.eval(), arch


def grow(model, arch, blocks, seed):
    """A network with `blocks` residual blocks: the model's own, then identity blocks."""
    have = arch["n_blocks"]
    if blocks <= have:
        raise SystemExit("--blocks must be more than the model's %d, got %d" % (have, blocks))
    grown = ref.build(arch["ngf"], blocks, arch["activation"], arch["norm"], init="kaiming", seed=seed)
    state = grown.state_dict()
    state.update(model.state_dict())  # every name of the model exists in the grown network
    grown.load_state_dict(state, strict=True)
    with torch.no_grad():
        for b in list(grown.residual_blocks)[have:]:
            for m in b.modules():
                if isinstance(m, torch.nn.BatchNorm2d):
                    m.weight.fill_(1)
                    m.bias.zero_()
                    m.running_mean.zero_()
                    m.running_var.fill_(1)
            for conv in (b.conv_block[1], b.conv_block[5]):
                conv.offset_conv.weight.zero_()
                conv.offset_conv.bias.zero_()
                conv.modulator_conv.weight.zero_()
                conv.modulator_conv.bias.zero_()
            b.conv_block[5].regular_conv.weight.zero_()
    return grown.eval()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("model")
    p.add_argument("out")
    p.add_argument("--blocks", type=int, required=True)
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--check", nargs="*", default=[], help="photos on which grown and original must agree")
    a = p.parse_args()
    model, arch = load_model(a.model)
    grown = grow(model, arch, a.blocks, a.seed)
    for path in a.check:
        from PIL import Image
        rgb = np.asarray(Image.open(path).convert("RGB"), dtype=np.float32) / 255
        diff = np.abs(ref.derain_photo(grown, rgb) - ref.derain_photo(model, rgb)).max()
        print("%s: grown vs original, max difference %.3g" % (os.path.basename(path), diff))
        if diff > 1e-5:
            raise SystemExit("the grown network does not compute what the model does")
    sd = collections.OrderedDict(("resnet." + k, v.clone()) for k, v in grown.state_dict().items())
    torch.save({"state_dict": sd, "epoch": 0}, a.out)
    print("wrote %s: ngf %d, %d blocks (%d new)" % (a.out, arch["ngf"], a.blocks, a.blocks - arch["n_blocks"]))


if __name__ == "__main__":
    main()
