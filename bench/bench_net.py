"""Reference timing of the GT-RAIN network (PyTorch 1.13 + torchvision 0.14, CPU) for bench_net.sh.

/usr/bin/python3 bench/bench_net.py WORKDIR
For each case writes WORKDIR/<case>.safetensors (seeded weights under their state-dict names, the input
`x` and the reference output `image`/`features`), prints the median of 3 forwards and a per-module
profile, and writes WORKDIR/reference.json.
"""
import json
import os
import statistics
import sys
import time
from collections import defaultdict

import torch
import torchvision.ops

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import gtrain_reference as ref  # noqa: E402
from fixtures import save_safetensors  # noqa: E402

CASES = [("ngf64_b9_256x256", 64, 9, 256, 256), ("ngf16_b6_1024x768", 16, 6, 768, 1024)]
REPEATS = int(os.environ.get("REPEATS", "3"))


def profile(model, x):
    """Seconds per stage kind in one forward (forward hooks; deform_conv2d wrapped). The DeformConv rows
    are part of the ResidualBlock row."""
    totals = defaultdict(float)
    starts = {}
    stages = [(m, "ConvBlock (encoder)") for m in (model.initial_conv, model.downsample_1, model.downsample_2)]
    stages += [(m, "ResidualBlock") for m in model.residual_blocks]
    stages += [(m, "  of which DeformableConv2d") for m in model.modules() if isinstance(m, ref.DeformableConv2d)]
    stages += [(model.upsample_2, "DecoderBlock"), (model.upsample_1, "DecoderBlock"),
               (model.output_conv_naive, "OutputConv")]
    handles = []
    for m, name in stages:
        handles.append(m.register_forward_pre_hook(lambda mod, i: starts.__setitem__(id(mod), time.perf_counter())))
        handles.append(m.register_forward_hook(
            lambda mod, i, o, n=name: totals.__setitem__(n, totals[n] + time.perf_counter() - starts[id(mod)])))
    original = torchvision.ops.deform_conv2d

    def timed(*a, **k):
        t = time.perf_counter()
        y = original(*a, **k)
        totals["  of which deform_conv2d kernel"] += time.perf_counter() - t
        return y

    torchvision.ops.deform_conv2d = timed
    try:
        with torch.no_grad():
            model(x)
    finally:
        torchvision.ops.deform_conv2d = original
        for h in handles:
            h.remove()
    return dict(totals)


def main(workdir):
    os.makedirs(workdir, exist_ok=True)
    # Debian's torch 1.13 defaults to one intra-op thread here; give the reference every core, as libtorch has
    torch.set_num_threads(int(os.environ.get("THREADS", os.cpu_count())))
    results = {"torch": torch.__version__, "torchvision": torchvision.__version__, "threads": torch.get_num_threads()}
    for name, ngf, nb, h, w in CASES:
        model = ref.seeded_random_weights(ref.build(ngf, nb, "leaky", "batch"), 7).eval()
        x = torch.rand(1, 3, h, w, generator=torch.Generator().manual_seed(8)) * 2 - 1
        times = []
        with torch.no_grad():
            for _ in range(REPEATS):
                t = time.perf_counter()
                image, features = model(x)
                times.append(time.perf_counter() - t)
        tensors = {k: v for k, v in model.state_dict().items()}
        tensors.update(x=x, image=image, features=features)
        save_safetensors(os.path.join(workdir, name + ".safetensors"), tensors)
        prof = profile(model, x)
        results[name] = {"times_s": times, "median_s": statistics.median(times), "min_s": min(times),
                         "profile_s": prof}
        print("reference %-20s median %.3f s  min %.3f s  (runs %s)" % (
            name, statistics.median(times), min(times), ", ".join("%.3f" % t for t in times)))
        for k, v in prof.items():
            print("    %-22s %.3f s" % (k, v))
    with open(os.path.join(workdir, "reference.json"), "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/derain-bench")
