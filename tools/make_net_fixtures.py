"""Reference fixtures for fiji.plugin.derain.net, from PyTorch 1.13 + torchvision 0.14.

Run from the repository root with Debian's python:  /usr/bin/python3 tools/make_net_fixtures.py
Writes src/test/resources/fixtures/net/*.safetensors and layout.txt (all committed; CI never runs this).
"""
import os
import sys

import torch
import torch.nn.functional as F
import torchvision.ops

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gtrain_reference as ref  # noqa: E402
from fixtures import fixture_path, save_safetensors  # noqa: E402

torch.set_num_threads(1)


def deform_conv_cases():
    """torchvision.ops.deform_conv2d alone: zero, integer, fractional and far-out offsets, plus gradients."""
    g = torch.Generator().manual_seed(11)
    n, c, cout, h, w = 2, 5, 4, 8, 9
    ho, wo = h - 2, w - 2
    out = {}
    x = torch.randn(n, c, h, w, generator=g)
    weight = torch.randn(cout, c, 3, 3, generator=g) * 0.3
    bias = torch.randn(cout, generator=g) * 0.1
    mask = 2 * torch.rand(n, 9, ho, wo, generator=g)
    offsets = {
        "zero": torch.zeros(n, 18, ho, wo),
        "integer": torch.randint(-2, 3, (n, 18, ho, wo), generator=g).float(),
        "fractional": torch.randn(n, 18, ho, wo, generator=g) * 1.5,
        # +-(size + 2) pixels: many samples fall wholly or partly outside the image
        "outside": (torch.rand(n, 18, ho, wo, generator=g) * 2 - 1) * (w + 2),
    }
    out["x"], out["weight"], out["bias"], out["mask"] = x, weight, bias, mask
    for name, off in offsets.items():
        out["offset." + name] = off
        out["out." + name] = torchvision.ops.deform_conv2d(x, off, weight, bias, mask=mask)
        out["out_unmasked." + name] = torchvision.ops.deform_conv2d(x, off, weight, bias)
    # gradients of sum(out * upstream) for fractional offsets through every input
    upstream = torch.randn(n, cout, ho, wo, generator=g)
    out["upstream"] = upstream
    leaves = {"x": x, "offset": offsets["fractional"], "mask": mask, "weight": weight, "bias": bias}
    leaves = {k: v.clone().requires_grad_(True) for k, v in leaves.items()}
    y = torchvision.ops.deform_conv2d(leaves["x"], leaves["offset"], leaves["weight"], leaves["bias"],
                                      mask=leaves["mask"])
    (y * upstream).sum().backward()
    for k, v in leaves.items():
        out["grad." + k] = v.grad
    outside = offsets["outside"].view(n, 9, 2, ho, wo)
    print("deform_conv: %.0f%% of 'outside' samples leave the image"
          % (100 * ((outside[:, :, 0] + 2 <= -1) | (outside[:, :, 0] >= h)).float().mean()))
    save_safetensors(fixture_path("net", "deform_conv.safetensors"), out)


def state(prefix, module):
    """A snapshot (state_dict() returns live tensors that a training forward would update)."""
    return {prefix + k: v.detach().clone() for k, v in module.state_dict().items()}


def block_cases():
    """Each block type alone in eval mode, with seeded random weights."""
    g = torch.Generator().manual_seed(12)
    out = {}
    x = torch.randn(2, 3, 5, 6, generator=g)
    out["pad.x"] = x
    out["pad.out"] = torch.nn.ReflectionPad2d(3)(x)
    out["up.out"] = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=True)
    pooled = torch.randn(2, 4, 5, 7, generator=g)
    out["pool.x"], out["pool.out"] = pooled, F.adaptive_avg_pool2d(pooled, 2).flatten(1)
    mish = torch.linspace(-30, 30, 121)
    out["mish.x"], out["mish.out"] = mish, F.mish(mish)

    conv = ref.ConvBlock(4, 6, 3, 2, "leaky", "batch")
    res = ref.ResidualBlock(8, "mish", "batch")
    dec = ref.DecoderBlock(8, 4, "leaky", "instance")
    for i, m in enumerate((conv, res, dec)):
        ref.seeded_random_weights(m, 100 + i).eval()
    out.update(state("convblock.", conv))
    out.update(state("resblock.", res))
    out.update(state("decoder.", dec))
    cx = torch.randn(2, 4, 10, 12, generator=g)
    rx = torch.randn(2, 8, 6, 7, generator=g)
    dx, dskip = torch.randn(2, 8, 3, 5, generator=g), torch.randn(2, 4, 6, 10, generator=g)
    with torch.no_grad():
        out["convblock.x"], out["convblock.out"] = cx, conv(cx)
        out["resblock.x"], out["resblock.out"] = rx, res(rx)
        out["decoder.x"], out["decoder.skip"], out["decoder.out"] = dx, dskip, dec(dx, dskip)
    save_safetensors(fixture_path("net", "blocks.safetensors"), out)


def network_case(name, ngf, n_blocks, activation, norm, seed, gradients):
    """Eval outputs, train outputs + updated running stats, and optionally parameter gradients of
    loss = mean|image - target| + sum(features) in train mode."""
    g = torch.Generator().manual_seed(seed)
    model = ref.seeded_random_weights(ref.build(ngf, n_blocks, activation, norm), seed)
    out = state("state.", model)
    x = torch.rand(2, 3, 32, 48, generator=g) * 2 - 1
    target = torch.rand(2, 3, 32, 48, generator=g) * 2 - 1
    out["x"], out["target"] = x, target
    model.eval()
    with torch.no_grad():
        out["eval.image"], out["eval.features"] = model(x)
    model.train()
    image, features = model(x)
    out["train.image"], out["train.features"] = image, features
    for k, v in model.state_dict().items():
        if k.endswith("running_mean") or k.endswith("running_var") or k.endswith("num_batches_tracked"):
            out["after." + k] = v
    if gradients:
        loss = (image - target).abs().mean() + features.sum()
        loss.backward()
        out["loss"] = loss.detach().reshape(1)
        for k, p in model.named_parameters():
            out["grad." + k] = p.grad
    save_safetensors(fixture_path("net", name + ".safetensors"), out)


def layout():
    """Names and shapes of the reference's state dict, for StateDictLayout."""
    lines = []
    for ngf, nb, norm in ((64, 9, "batch"), (8, 2, "batch"), (8, 2, "instance")):
        for k, v in ref.build(ngf, nb, "leaky", norm).state_dict().items():
            lines.append("%d %d %s %s %s" % (ngf, nb, norm, k, ",".join(str(d) for d in v.shape)))
    with open(fixture_path("net", "layout.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    deform_conv_cases()
    block_cases()
    network_case("net_leaky_batch", 8, 2, "leaky", "batch", 21, gradients=True)
    network_case("net_mish_batch", 4, 2, "mish", "batch", 22, gradients=False)
    network_case("net_leaky_instance", 4, 2, "leaky", "instance", 23, gradients=True)
    layout()
    folder = os.path.dirname(fixture_path("net", "layout.txt"))
    for f in sorted(os.listdir(folder)):
        print("%-32s %8d bytes" % (f, os.path.getsize(os.path.join(folder, f))))
