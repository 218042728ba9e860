"""Reference timing of one GT-RAIN training step (PyTorch 1.13 + torchvision 0.14, CPU) for bench_train.sh.

/usr/bin/python3 bench/bench_train.py WORKDIR WARMUP STEPS CASE...

A case is named ngf<N>_b<BLOCKS>_<SIZE>_bs<BATCH>, e.g. ngf16_b4_256_bs8 (LeakyReLU, BatchNorm). One step is
GT-RAIN's (DESIGN.md section 2): forward of [rainy; clean] (2B images, training mode), loss
1 - MS-SSIM([0, 1], rainy half vs clean) + 0.1 L1 (on [-1, 1]) + 0.1 rain-robust (features, tau 0.25), backward,
torch.optim.Adam (lr 2e-4, offset/modulator convs 2e-5), zero_grad. Per case writes WORKDIR/<case>.safetensors
(seeded weights under their state-dict names, `rainy` and `clean` in [-1, 1]) for the Java side, times WARMUP +
STEPS steps and writes WORKDIR/reference_train.json (median and min of the timed steps, the loss of every
step, warmup and steps for the Java side to use). A case whose estimated Java memory exceeds this machine's
available memory is skipped (recorded as such).
"""
import json
import os
import re
import statistics
import sys
import time

import torch
import torch.nn.functional as F
import torchvision

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import gtrain_reference as ref  # noqa: E402
from fixtures import save_safetensors  # noqa: E402
from make_train_fixtures import multi_scale_ssim, rain_robust_loss  # noqa: E402

LR = 2e-4
SSIM_WEIGHT, L1_WEIGHT, ROBUST_WEIGHT, TEMPERATURE = 1.0, 0.1, 0.1, 0.25
CASE = re.compile(r"ngf(\d+)_b(\d+)_(\d+)_bs(\d+)$")
# Bytes per output pixel and channel that one recorded Java deformable conv keeps for backward: the four gathered
# corners (9 taps, float32) and their weighted sum, 5 * 36 B. (Before issue 8 the corners were weighted in place,
# which made autograd keep each twice: 290-320 B measured.) The rest of the network adds a few GB at 256x256, batch 8.
DEFORM_BYTES_PER_PIXEL_CHANNEL = 180


def parse_case(name):
    m = CASE.match(name)
    if not m:
        raise SystemExit("case %r: expected ngf<N>_b<BLOCKS>_<SIZE>_bs<BATCH>, e.g. ngf16_b4_256_bs8" % name)
    ngf, blocks, size, batch = map(int, m.groups())
    if size % 4 or size < 161:
        raise SystemExit("case %r: size must be a multiple of 4 and at least 161 (5-scale MS-SSIM)" % name)
    if batch < 2:
        raise SystemExit("case %r: batch must be at least 2 (the rain-robust loss needs negatives)" % name)
    return ngf, blocks, size, batch


def java_deform_bytes(ngf, blocks, size, batch):
    """Estimated bytes the Java side's deformable convs keep for backward (2*batch images at size/4). With the
    residual blocks checkpointed (the default since issue 8) one conv is recorded at a time, plus every block's
    input; with JAVA_OPTS=-Dbench.record=true all 2*blocks convs are."""
    pixels = 2 * batch * (size // 4) ** 2
    recorded = 2 * blocks if "-Dbench.record=true" in os.environ.get("JAVA_OPTS", "") else min(blocks, 1)
    return recorded * pixels * 4 * ngf * DEFORM_BYTES_PER_PIXEL_CHANNEL + (blocks + 1) * pixels * 4 * ngf * 4


def available_bytes():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    return None


def reset_peak_rss():
    """Resets the kernel's peak-RSS counter (VmHWM) so each case reports its own peak; best effort."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def peak_rss_bytes():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return float("nan")


def seeded_batch(batch, size, seed):
    """rainy, clean: (batch, 3, size, size) in [-1, 1]; smooth clean images, rainy = clean + bright streaks."""
    g = torch.Generator().manual_seed(seed)
    coarse = torch.rand(batch, 3, size // 16, size // 16, generator=g)
    clean = F.interpolate(coarse, size=(size, size), mode="bilinear", align_corners=False)
    streaks = (torch.rand(batch, 1, size, size // 4, generator=g) > 0.97).float()
    streaks = F.interpolate(streaks, size=(size, size), mode="nearest") * 0.5
    rainy = (clean + streaks - clean * streaks).clamp(0, 1)  # screen blend
    return rainy * 2 - 1, clean * 2 - 1


def adam(model):
    slow = [p for n, p in model.named_parameters() if ".offset_conv." in n or ".modulator_conv." in n]
    fast = [p for n, p in model.named_parameters() if not (".offset_conv." in n or ".modulator_conv." in n)]
    return torch.optim.Adam([{"params": fast}, {"params": slow, "lr": LR / 10}], lr=LR, betas=(0.9, 0.999),
                            eps=1e-8)


def train_step(model, opt, rainy, clean):
    """One GT-RAIN step; returns the loss before the update."""
    batch = rainy.shape[0]
    image, features = model(torch.cat([rainy, clean], 0))
    out = image[:batch]
    loss = SSIM_WEIGHT * (1 - multi_scale_ssim(out * 0.5 + 0.5, clean * 0.5 + 0.5)) \
        + L1_WEIGHT * (out - clean).abs().mean() + ROBUST_WEIGHT * rain_robust_loss(features, TEMPERATURE)
    loss.backward()
    opt.step()
    opt.zero_grad()
    return loss.item()


def run_case(workdir, name, warmup, steps):
    ngf, blocks, size, batch = parse_case(name)
    need, have = java_deform_bytes(ngf, blocks, size, batch), available_bytes()
    result = {"ngf": ngf, "blocks": blocks, "size": size, "batch": batch, "warmup": warmup, "steps": steps,
              "java_deform_bytes_estimate": need}
    print("reference %-20s Java deformable convs keep ~%.1f GB for backward (available %.1f GB)"
          % (name, need / 1e9, (have or 0) / 1e9))
    if have is not None and need > have:
        result["skipped"] = "needs ~%.1f GB for the Java deformable convs, %.1f GB available" % (need / 1e9, have / 1e9)
        print("reference %-20s SKIPPED: %s" % (name, result["skipped"]))
        return result
    reset_peak_rss()
    model = ref.seeded_random_weights(ref.build(ngf, blocks, "leaky", "batch"), 7).train()
    rainy, clean = seeded_batch(batch, size, 8)
    save_safetensors(os.path.join(workdir, name + ".safetensors"),
                     dict(model.state_dict(), rainy=rainy, clean=clean))
    opt = adam(model)
    times, losses = [], []
    for i in range(warmup + steps):
        t = time.perf_counter()
        losses.append(train_step(model, opt, rainy, clean))
        if i >= warmup:
            times.append(time.perf_counter() - t)
    result.update(times_s=times, median_s=statistics.median(times), min_s=min(times), losses=losses,
                  peak_rss_gb=peak_rss_bytes() / 1e9)
    print("reference %-20s median %.3f s/step  min %.3f s  (steps %s)  first loss %.6f  peak RSS %.1f GB" % (
        name, result["median_s"], result["min_s"], ", ".join("%.3f" % t for t in times), losses[0],
        result["peak_rss_gb"]))
    return result


def main(argv):
    if len(argv) < 4:
        raise SystemExit("usage: bench_train.py WORKDIR WARMUP STEPS CASE...")
    workdir, warmup, steps, cases = argv[0], int(argv[1]), int(argv[2]), argv[3:]
    if warmup < 0 or steps < 1:
        raise SystemExit("WARMUP must be >= 0 and STEPS >= 1, got %d and %d" % (warmup, steps))
    os.makedirs(workdir, exist_ok=True)
    results = {"torch": torch.__version__, "torchvision": torchvision.__version__, "threads": torch.get_num_threads(),
               "cases": {}}
    for name in cases:
        results["cases"][name] = run_case(workdir, name, warmup, steps)
    with open(os.path.join(workdir, "reference_train.json"), "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1:])
