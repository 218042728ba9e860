"""Fixture for TrainStepEquivalenceTest (run with Debian's /usr/bin/python3, torch 1.13, torchvision 0.14).

Three consecutive GT-RAIN training steps of a tiny network (tools/gtrain_reference.py: ngf 4, 1 residual block,
seeded random weights, offsets of (k + 1/2) +- ~0.2 px so the deformable sampling and its gradients matter while
sample positions stay away from whole pixels, where the bilinear derivative jumps), in
PyTorch and in float64, for three cases:

  leaky_bn      LeakyReLU(0.1), BatchNorm in training mode (batch statistics, running statistics updated)
  leaky_frozen  LeakyReLU(0.1), freeze_bn: the model in eval mode (running statistics normalise and stay as
                they are, num_batches_tracked too) while every weight, BatchNorm's included, still learns
  mish_bn       Mish (x * tanh(softplus(x))), BatchNorm in training mode

Each step: [rainy; clean] concatenated through the network, loss = (1 - MS-SSIM) + 0.1 L1 + 0.1 rain-robust
(tau 0.25; the references in make_train_fixtures.py), backward, torch.optim.Adam with the offset/modulator group at
lr/10. The learning rate follows fiji.plugin.derain.train.LearningRateSchedule for a run of 1 epoch of 3 steps,
no warm-up, lr 2e-4 -> min_lr 1e-6 (cosine: 2e-4, 1.5e-4, 0.5e-4 for the main group), replicated below with the
Java expression's order of operations.

The batches are not stored: they are integer images made by a 32-bit integer hash (batch_u8 below; the test has
the same function), so both sides see bit-identical float32 inputs.

To stay small (a few hundred KB) the fixture holds every tensor of the initial state in full (init/<name>), and per
case and step (keys <case>/<step>/...): the loss terms (loss/ssim, loss/l1, loss/robust, loss/total); for each
parameter its gradient before the Adam step at a fixed sample of up to SAMPLES elements (idx/<name>, flat indices,
the same for every step), concatenated in parameter order (grad), plus full-tensor statistics (gradstat, one row
per parameter: max |g|, sum |g|, sum g, sqrt(sum g^2)); the parameters after the step at the same sample (after)
plus the step's update over the whole tensor (deltastat: max |delta|, sum |delta|); the BatchNorm buffers after the
step in full (running: running_mean and running_var concatenated in state-dict order; num_batches_tracked).
param_names and buffer_names hold the orders (newline-separated UTF-8).
Writes src/test/resources/fixtures/train/step.safetensors.
"""
import collections
import copy
import math

import numpy as np
import torch

import gtrain_reference as ref
from fixtures import fixture_path, save_safetensors
from make_train_fixtures import multi_scale_ssim, rain_robust_loss

LR, MIN_LR, STEPS = 2e-4, 1e-6, 3
PATCH, BATCH = 164, 2  # >= 161: 5-scale MS-SSIM
SAMPLES = 128
CASES = (("leaky_bn", "leaky", False), ("leaky_frozen", "leaky", True), ("mish_bn", "mish", False))


# ---------------------------------------------------------------- the batches (mirrored in the Java test)
def mix(x):
    """lowbias32 (Chris Wellons' 32-bit integer hash) on uint32 arrays."""
    x = np.asarray(x, dtype=np.uint32).copy()
    x ^= x >> np.uint32(16)
    x *= np.uint32(0x7FEB352D)
    x ^= x >> np.uint32(15)
    x *= np.uint32(0x846CA68B)
    x ^= x >> np.uint32(16)
    return x


def h(*keys):
    """mix(...mix(mix(k0) + k1)... + kn), uint32 wrap-around."""
    x = mix(np.asarray(keys[0], dtype=np.uint32))
    for k in keys[1:]:
        x = mix(x + np.asarray(k, dtype=np.uint32))
    return x.astype(np.int64)


def batch_u8(step, b):
    """(rainy, clean) as (3, P, P) int arrays in [0, 255]: smooth colour blobs (integer bilinear interpolation of a
    hashed grid of cell 8) plus +-16 texture; the rainy one with 6-pixel vertical streaks brightened by 160."""
    ys, xs = np.meshgrid(np.arange(PATCH), np.arange(PATCH), indexing="ij")
    i0, dy, j0, dx = ys // 8, ys % 8, xs // 8, xs % 8
    clean = np.zeros((3, PATCH, PATCH), dtype=np.int64)
    for c in range(3):
        def grid(i, j):
            return h(step, b, c, i, j) & 255

        v = (grid(i0, j0) * (8 - dy) * (8 - dx) + grid(i0 + 1, j0) * dy * (8 - dx)
             + grid(i0, j0 + 1) * (8 - dy) * dx + grid(i0 + 1, j0 + 1) * dy * dx)
        tex = (h(step, b, c + 3, ys, xs) & 31) - 16
        clean[c] = np.clip((v + 32) // 64 + tex, 0, 255)
    streak = h(step, b, 7, xs, ys // 6) % 29 == 0
    rainy = np.where(streak[None], np.minimum(clean + 160, 255), clean)
    return rainy, clean


def to_float(u8):
    return (u8.astype(np.float64) / 127.5 - 1).astype(np.float32)  # Java: (float) (u / 127.5 - 1)


def batch(step):
    pairs = [batch_u8(step, b) for b in range(BATCH)]
    rainy = torch.from_numpy(np.stack([to_float(r) for r, _ in pairs]))
    clean = torch.from_numpy(np.stack([to_float(c) for _, c in pairs]))
    return rainy, clean


# ---------------------------------------------------------------- LearningRateSchedule.at(step, scale)
def lr_at(step, scale, warmup=0, total=STEPS):
    base = LR * scale
    if step < warmup:
        return base * (step + 1) / warmup
    t = (step - warmup) / (total - warmup)
    return MIN_LR + (base - MIN_LR) * (1 + math.cos(math.pi * t)) / 2


def names_u8(names):
    """Names joined by newlines as UTF-8 bytes (the order of the concatenated tensors)."""
    return torch.tensor(list("\n".join(names).encode("utf-8")), dtype=torch.uint8)


def fractional_offsets(model, seed, weight_scale=0.1):
    """Offsets of (k + 1/2) +- 0.1 pixels (k in -1, 0, 1) plus a small data-dependent part: sample positions stay
    away from whole pixels, where bilinear sampling's derivative jumps (an offset within float32 rounding of an
    integer makes float32 and float64 gradients disagree by a percent: a kink, not an error)."""
    g = torch.Generator().manual_seed(seed)
    for m in model.modules():
        if isinstance(m, ref.DeformableConv2d):
            w, b = m.offset_conv.weight, m.offset_conv.bias
            a = weight_scale / w[0].numel() ** 0.5
            with torch.no_grad():
                w.copy_((torch.rand(w.shape, generator=g, dtype=torch.float64) * 2 - 1) * a)
                k = torch.randint(-1, 2, b.shape, generator=g).double()
                b.copy_(k + 0.5 + (torch.rand(b.shape, generator=g, dtype=torch.float64) * 2 - 1) * 0.1)


def loss_terms(model, rainy, clean):
    image, features = model(torch.cat([rainy, clean], 0))
    out = image[:BATCH]
    ssim = 1 - multi_scale_ssim(out * 0.5 + 0.5, clean * 0.5 + 0.5)
    l1 = (out - clean).abs().mean()
    robust = rain_robust_loss(features, 0.25)
    return ssim, l1, robust, ssim + 0.1 * l1 + 0.1 * robust


def float32_deviation(model, rainy, clean):
    """max over parameters of max |g_float32 - g_float64| / max |g_float64|: PyTorch's own float32 rounding."""
    m32 = copy.deepcopy(model).float()
    m64 = copy.deepcopy(model)
    loss_terms(m32, rainy.float(), clean.float())[3].backward()
    loss_terms(m64, rainy, clean)[3].backward()
    p32, p64 = dict(m32.named_parameters()), dict(m64.named_parameters())
    return max(((p32[n].grad.double() - p64[n].grad).abs().max() / p64[n].grad.abs().max()).item() for n in p64)


def is_offset(name):
    return ".offset_conv." in name or ".modulator_conv." in name


def main():
    torch.manual_seed(0)
    init = ref.build(ngf=4, n_blocks=1, activation="leaky", norm="batch")
    ref.seeded_random_weights(init, seed=3, offset_scale=0.5)
    fractional_offsets(init, seed=4)
    initial = collections.OrderedDict((k, v.clone()) for k, v in init.state_dict().items())
    tensors = {"init/" + k: v for k, v in initial.items()}
    params = [n for n, _ in init.named_parameters()]
    g = torch.Generator().manual_seed(11)
    idx = {}
    for n in params:
        numel = initial[n].numel()
        idx[n] = torch.arange(numel) if numel <= SAMPLES else torch.randperm(numel, generator=g)[:SAMPLES].sort()[0]
        tensors["idx/" + n] = idx[n]
    buffers = [n for n, _ in init.named_buffers()]
    tensors["param_names"] = names_u8(params)
    tensors["buffer_names"] = names_u8(buffers)
    batches = [batch(s) for s in range(STEPS)]
    # sequential float64 sums, as the test's: a check that both sides made the same batches
    tensors["batch_sum"] = torch.tensor([[math.fsum(t.double().flatten().tolist()) for t in b] for b in batches],
                                        dtype=torch.float64)

    for case, activation, frozen in CASES:
        model = ref.build(ngf=4, n_blocks=1, activation=activation, norm="batch")
        model.load_state_dict(initial)
        model.double()
        named = dict(model.named_parameters())
        main_group = [p for n, p in named.items() if not is_offset(n)]
        offset_group = [p for n, p in named.items() if is_offset(n)]
        opt = torch.optim.Adam([{"params": main_group, "lr": LR}, {"params": offset_group, "lr": LR / 10}],
                               betas=(0.9, 0.999), eps=1e-8)
        for s in range(STEPS):
            opt.param_groups[0]["lr"] = lr_at(s, 1)
            opt.param_groups[1]["lr"] = lr_at(s, 0.1)
            model.train(not frozen)
            rainy, clean = (t.double() for t in batches[s])
            dev = float32_deviation(model, rainy, clean)
            offsets = []
            hooks = [m.offset_conv.register_forward_hook(lambda mod, i, o: offsets.append(o.detach()))
                     for m in model.modules() if isinstance(m, ref.DeformableConv2d)]
            ssim, l1, robust, total = loss_terms(model, rainy, clean)
            for hk in hooks:
                hk.remove()
            margin = min((o - o.round()).abs().min().item() for o in offsets)
            assert margin > 0.05, "an offset is within %g of a whole pixel" % margin
            opt.zero_grad()
            total.backward()
            before = {n: p.detach().clone() for n, p in named.items()}
            opt.step()
            p = "%s/%d/" % (case, s)
            print("%s ssim %.6f l1 %.6f robust %.6f total %.6f; offsets >= %.3f from whole pixels; PyTorch float32 "
                  "gradients off by %.2e of max |g|" % (p, ssim.item(), l1.item(), robust.item(), total.item(), margin,
                                                         dev))
            for k, v in (("ssim", ssim), ("l1", l1), ("robust", robust), ("total", total)):
                tensors[p + "loss/" + k] = v.detach().reshape(1)
            grads, gstats, after, dstats = [], [], [], []
            for n, par in named.items():
                gr = par.grad.detach().flatten()
                grads.append(gr[idx[n]])
                gstats.append(torch.stack([gr.abs().max(), gr.abs().sum(), gr.sum(), gr.norm()]))
                w = par.detach().flatten()
                d = w - before[n].flatten()
                after.append(w[idx[n]])
                dstats.append(torch.stack([d.abs().max(), d.abs().sum()]))
            tensors[p + "grad"] = torch.cat(grads).float()
            tensors[p + "gradstat"] = torch.stack(gstats)
            tensors[p + "after"] = torch.cat(after).float()
            tensors[p + "deltastat"] = torch.stack(dstats)
            bufs = collections.OrderedDict(model.named_buffers())
            tensors[p + "running"] = torch.cat([b.flatten() for n, b in bufs.items()
                                                if not n.endswith("num_batches_tracked")]).float()
            tensors[p + "num_batches_tracked"] = torch.stack([b for n, b in bufs.items()
                                                              if n.endswith("num_batches_tracked")])
    save_safetensors(fixture_path("train", "step.safetensors"), tensors)


if __name__ == "__main__":
    main()
