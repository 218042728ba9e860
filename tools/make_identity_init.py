"""An identity initialisation of GT-RAIN's DerainNet, to fine-tune from (issue 10).

/usr/bin/python3 tools/make_identity_init.py OUT.pth [--ngf 24] [--blocks 4] [--seed 2026]
then: bin/derain import-gtrain OUT.pth --out MODEL_DIR

GT-RAIN's network has no input-to-output skip, and trained from scratch it needs thousands of steps to give
back even a rain-free photo (tools/TRAINING_LOG.md: 25 dB after 150 steps). This init makes the untrained
network (nearly) the identity, through GT-RAIN's own layers and names, so that training starts from "leave
the photo alone" and learns only what to change:

* the encoder's first two convs carry each colour x as a pair of channels (+x, -x): after LeakyReLU (slope
  s) their difference is (1 + s) x, so the pair passes x linearly through every conv, BatchNorm and
  LeakyReLU (BatchNorm frozen at running mean 0, variance 1, weight 1, bias 0: the identity up to 1e-5);
* the last decoder conv (upsample_1.conv) reads the pairs from its skip input (x0) and writes the pairs
  again plus, per colour, hinge channels LeakyReLU(±(x - t)) whose bias is BatchNorm's shift; the output
  conv sums pair and hinges into a piecewise-linear atanh(x), so that its tanh gives back x;
* every other conv is Kaiming-normal (fan in) as GT-RAIN's "kaiming" init; the residual blocks' second
  deformable convs start at 0 (each block starts as the identity, so the variance does not grow with the
  blocks); the decoder conv's weights on the deep path (its deconv input) start 100 times smaller, so the
  deep path adds little at first and its gradients decide what it adds.

Train it with --freeze-bn true (BatchNorm in eval mode: training-mode batch statistics would normalise the
pairs away). The script prints how far the untrained network is from the identity on a few photos.
"""
import argparse
import collections
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gtrain_reference as ref  # noqa: E402

SLOPE = ref.LEAKY_SLOPE
# hinge knots per colour, in [-1, 1] units: bright side LeakyReLU(x - t), dark side LeakyReLU(-x - t)
BRIGHT = (0.55, 0.8, 0.93)
DARK = (0.55, 0.8, 0.93)


def lrelu(v):
    return np.where(v > 0, v, SLOPE * v)


def atanh_fit():
    """Coefficients (pair, hinges..., bias) of the pre-tanh sum that best gives back x after tanh.

    Weighted least squares of the sum against atanh(x) on [-0.999, 0.999], weight (1 - x²) — the slope of
    tanh there — times the share of pixels near x (flat: any photo)."""
    x = np.linspace(-0.999, 0.999, 4001)
    cols = [x] + [lrelu(x - t) for t in BRIGHT] + [lrelu(-x - t) for t in DARK] + [np.ones_like(x)]
    a = np.stack(cols, 1)
    w = 1 - x ** 2
    coef, *_ = np.linalg.lstsq(a * w[:, None], np.arctanh(x) * w, rcond=None)
    err = np.tanh(a @ coef) - x
    return coef, float(np.abs(err).max()), float(np.sqrt((err ** 2).mean()))


def identity_init(ngf, blocks, seed):
    hinges = len(BRIGHT) + len(DARK)
    need = 3 * (2 + hinges)
    if ngf < need:
        raise SystemExit("ngf must be at least %d for the identity channels, got %d" % (need, ngf))
    model = ref.build(ngf, blocks, "leaky", "batch", init="kaiming", seed=seed)
    coef, max_err, rms_err = atanh_fit()
    k = 1.0 / (1 + SLOPE)  # turns a pair's difference back into x
    with torch.no_grad():
        for m in model.modules():  # frozen BatchNorm: the identity (up to eps)
            if isinstance(m, torch.nn.BatchNorm2d):
                m.weight.fill_(1)
                m.bias.zero_()
                m.running_mean.zero_()
                m.running_var.fill_(1)
        first = model.initial_conv[0].conv[1].weight  # (ngf, 3, 7, 7)
        second = model.initial_conv[1].conv[1].weight  # (ngf, ngf, 3, 3)
        for c in range(3):
            for w in (first, second):
                w[c].zero_()
                w[3 + c].zero_()
            first[c, c, 3, 3], first[3 + c, c, 3, 3] = 1, -1
            second[c, c, 1, 1], second[c, 3 + c, 1, 1] = k, -k
            second[3 + c, c, 1, 1], second[3 + c, 3 + c, 1, 1] = -k, k
        for b in model.residual_blocks:
            b.conv_block[5].regular_conv.weight.zero_()
        dec = model.upsample_1.conv.conv[1].weight  # (ngf, 2 ngf, 3, 3): [deconv(y), x0] in
        dec_bn = model.upsample_1.conv.conv[2]
        dec[:, :ngf] *= 0.01
        out_w = model.output_conv_naive[1].weight  # (3, ngf, 3, 3)
        out_b = model.output_conv_naive[1].bias
        out_w.zero_()
        out_b.zero_()
        for c in range(3):
            base = 6 + c * hinges
            rows = [c, 3 + c] + list(range(base, base + hinges))
            dec[rows, ngf:] = 0
            dec[c, ngf + c, 1, 1], dec[c, ngf + 3 + c, 1, 1] = k, -k  # +x
            dec[3 + c, ngf + c, 1, 1], dec[3 + c, ngf + 3 + c, 1, 1] = -k, k  # -x
            for j, t in enumerate(BRIGHT + DARK):
                sign = 1 if j < len(BRIGHT) else -1
                dec[base + j, ngf + c, 1, 1], dec[base + j, ngf + 3 + c, 1, 1] = sign * k, -sign * k
                dec_bn.bias[base + j] = -t
            # output: coef[0]·x (from the pair, (P - N)/(1 + s)) + hinge coefficients + bias
            out_w[c, c, 1, 1], out_w[c, 3 + c, 1, 1] = coef[0] * k, -coef[0] * k
            for j in range(hinges):
                out_w[c, base + j, 1, 1] = coef[1 + j]
            out_b[c] = coef[-1]
    return model.eval(), max_err, rms_err


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("out")
    p.add_argument("--ngf", type=int, default=24)
    p.add_argument("--blocks", type=int, default=4)
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--check", nargs="*", default=[], help="photos to measure the untrained network's identity on")
    a = p.parse_args()
    model, max_err, rms_err = identity_init(a.ngf, a.blocks, a.seed)
    print("tanh(piecewise-linear atanh) vs x on [-0.999, 0.999]: max error %.4f, rms %.4f ([-1, 1] units)"
          % (max_err, rms_err))
    for path in a.check:
        from PIL import Image
        rgb = np.asarray(Image.open(path).convert("RGB"), dtype=np.float32) / 255
        h, w = rgb.shape[0] // 4 * 4, rgb.shape[1] // 4 * 4
        x = torch.from_numpy(rgb[:h, :w].transpose(2, 0, 1).copy())[None] * 2 - 1
        with torch.no_grad():
            y = model(x)[0]
        mse = float((((y - x) / 2) ** 2).mean())
        print("%s: untrained network vs its input: PSNR %.2f dB" % (os.path.basename(path), -10 * np.log10(mse)))
    sd = collections.OrderedDict(("resnet." + k, v.clone()) for k, v in model.state_dict().items())
    torch.save({"state_dict": sd, "epoch": 0}, a.out)
    print("wrote", a.out)


if __name__ == "__main__":
    main()
