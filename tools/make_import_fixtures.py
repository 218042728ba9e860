"""Fixtures for the GT-RAIN checkpoint import tests (run with Debian's /usr/bin/python3).

Writes small GT-RAIN checkpoints with torch.save in the three shapes found in the wild (official:
{'state_dict': {'resnet.<name>': ...}}, a bare state_dict, and DataParallel's 'module.' prefix), one
Mish/InstanceNorm variant, broken ones (a missing key, a wrong shape), and the eval-mode output of the
PyTorch reference on a fixed input, so the Java test can import the file and compare outputs.
"""
import collections
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixtures  # noqa: E402
import gtrain_reference as ref  # noqa: E402


def save(obj, name):
    torch.save(obj, fixtures.fixture_path("import", name))


def smooth_input(h, w, seed):
    g = torch.Generator().manual_seed(seed)
    coarse = torch.rand(1, 3, h // 4, w // 4, generator=g) * 2 - 1
    return torch.nn.functional.interpolate(coarse, size=(h, w), mode="bilinear", align_corners=False)


def variant(tag, ngf, blocks, activation, norm, seed, x):
    model = ref.build(ngf=ngf, n_blocks=blocks, activation=activation, norm=norm)
    ref.seeded_random_weights(model, seed=seed)
    model.eval()
    with torch.no_grad():
        image, features = model(x)
    sd = collections.OrderedDict((k, v.clone()) for k, v in model.state_dict().items())
    return sd, {tag + "/image": image, tag + "/features": features}


def main():
    torch.manual_seed(0)
    x = smooth_input(20, 24, seed=3)
    expected = {"input": x}
    sd, out = variant("leaky_batch", 4, 2, "leaky", "batch", 11, x)
    expected.update(out)
    save({"state_dict": collections.OrderedDict(("resnet." + k, v) for k, v in sd.items()), "epoch": 7},
         "gtrain_small_official.pth")
    save(sd, "gtrain_small_bare.pth")
    save(collections.OrderedDict(("module." + k, v) for k, v in sd.items()), "gtrain_small_module.pth")

    broken = collections.OrderedDict(sd)
    del broken["residual_blocks.1.conv_block.5.modulator_conv.bias"]
    save(broken, "gtrain_small_missing_key.pth")
    broken = collections.OrderedDict(sd)
    broken["upsample_1.conv.conv.1.weight"] = torch.zeros(4, 8, 5, 5)
    save(broken, "gtrain_small_wrong_shape.pth")

    sd, out = variant("mish_instance", 4, 1, "mish", "instance", 12, x)
    expected.update(out)
    save(sd, "gtrain_small_mish_instance.pth")

    fixtures.save_safetensors(fixtures.fixture_path("import", "expected.safetensors"), expected)
    print("import fixtures written to", os.path.dirname(fixtures.fixture_path("import", "x")))


if __name__ == "__main__":
    main()
