"""Reference fixtures for fiji.plugin.derain.train (run with Debian's /usr/bin/python3; torch 1.13).

Writes src/test/resources/fixtures/train/:
  losses.safetensors    MS-SSIM (piq's definition, re-implemented below since piq is not installed),
                        GT-RAIN's rain-robust loss and the weighted total, values and input gradients
  psnr.safetensors      the trainer's per-sample PSNR term (mean over the batch of -10 log10(MSE + 1e-10) on
                        [0, 1]) and its harm term (mean of max(0, min(PSNR(input), 50) - PSNR(output))), values
                        and output gradients; the per-sample PSNRs checked against scikit-image
  adam.safetensors      torch.optim.Adam with two parameter groups (lr and lr/10) over a few steps
  schedule.safetensors  warm-up (LambdaLR) then CosineAnnealingLR, one learning rate per step

Losses are evaluated in float64 so the references are exact to far below the Java tests' tolerance.
"""
import math

import numpy as np
import torch
import torch.nn.functional as F

from fixtures import fixture_path, save_safetensors

torch.manual_seed(0)
rng = np.random.default_rng(1234)

# ---------------------------------------------------------------- piq's multi-scale SSIM (piq 0.7 / 0.8)
MSSSIM_WEIGHTS = torch.tensor([0.0448, 0.2856, 0.3001, 0.2363, 0.1333], dtype=torch.float64)


def gaussian_filter(size, sigma, dtype):
    coords = torch.arange(size, dtype=dtype)
    coords -= (size - 1) / 2.0
    g = coords ** 2
    g = (-(g.unsqueeze(0) + g.unsqueeze(1)) / (2 * sigma ** 2)).exp()
    g /= g.sum()
    return g.unsqueeze(0)


def ssim_per_channel(x, y, kernel, k1=0.01, k2=0.03):
    c1, c2 = k1 ** 2, k2 ** 2
    n = x.size(1)
    mu_x = F.conv2d(x, kernel, groups=n)
    mu_y = F.conv2d(y, kernel, groups=n)
    mu_xx, mu_yy, mu_xy = mu_x ** 2, mu_y ** 2, mu_x * mu_y
    sigma_xx = F.conv2d(x ** 2, kernel, groups=n) - mu_xx
    sigma_yy = F.conv2d(y ** 2, kernel, groups=n) - mu_yy
    sigma_xy = F.conv2d(x * y, kernel, groups=n) - mu_xy
    cs = (2.0 * sigma_xy + c2) / (sigma_xx + sigma_yy + c2)
    ss = (2.0 * mu_xy + c1) / (mu_xx + mu_yy + c1) * cs
    return ss.mean(dim=(-1, -2)), cs.mean(dim=(-1, -2))


def multi_scale_ssim(x, y, kernel_size=11, sigma=1.5, data_range=1.0):
    x = x / data_range
    y = y / data_range
    kernel = gaussian_filter(kernel_size, sigma, x.dtype).repeat(x.size(1), 1, 1, 1)
    weights = MSSSIM_WEIGHTS.to(x.dtype)
    mcs, ssim_val = [], None
    for level in range(weights.size(0)):
        if level > 0:
            padding = max(x.shape[2] % 2, x.shape[3] % 2)
            x = F.pad(x, pad=[padding, 0, padding, 0], mode="replicate")
            y = F.pad(y, pad=[padding, 0, padding, 0], mode="replicate")
            x = F.avg_pool2d(x, kernel_size=2, padding=0)
            y = F.avg_pool2d(y, kernel_size=2, padding=0)
        ssim_val, cs = ssim_per_channel(x, y, kernel)
        mcs.append(cs)
    mcs_ssim = torch.relu(torch.stack(mcs[:-1] + [ssim_val], dim=0))
    return torch.prod(mcs_ssim ** weights.view(-1, 1, 1), dim=0).mean(1).mean()


# ---------------------------------------------------------------- GT-RAIN's RainRobustLoss (SimCLR's info_nce)
def rain_robust_loss(features, temperature):
    batch = features.shape[0] // 2
    labels = torch.cat([torch.arange(batch) for _ in range(2)], dim=0)
    labels = (labels.unsqueeze(0) == labels.unsqueeze(1)).float()
    features = F.normalize(features, dim=1)
    sim = torch.matmul(features, features.T)
    mask = torch.eye(labels.shape[0], dtype=torch.bool)
    labels = labels[~mask].view(labels.shape[0], -1)
    sim = sim[~mask].view(sim.shape[0], -1)
    positives = sim[labels.bool()].view(labels.shape[0], -1)
    negatives = sim[~labels.bool()].view(sim.shape[0], -1)
    logits = torch.cat([positives, negatives], dim=1) / temperature
    return F.cross_entropy(logits, torch.zeros(logits.shape[0], dtype=torch.long))


def smooth_image(h, w):
    """A natural-ish RGB image in [0, 1]: smooth colour blobs plus fine texture, quantised to 8 bits."""
    coarse = torch.from_numpy(rng.random((1, 3, h // 8 + 2, w // 8 + 2)))
    img = F.interpolate(coarse, size=(h, w), mode="bicubic", align_corners=False)
    img = img + 0.05 * torch.from_numpy(rng.standard_normal((1, 3, h, w)))
    return (img.clamp(0, 1) * 255).round().to(torch.uint8)


def losses():
    h, w = 161, 168  # odd height: exercises piq's replicate padding before each 2x2 average pool
    clean8 = smooth_image(h, w)
    noise = torch.from_numpy(rng.standard_normal((1, 3, h, w))) * 20
    out8 = (clean8.double() + noise + 15).clamp(0, 255).round().to(torch.uint8)
    x = (out8.double() / 255).requires_grad_(True)
    y = clean8.double() / 255
    msssim = multi_scale_ssim(x, y)
    (grad_x,) = torch.autograd.grad(msssim, x)

    features = torch.from_numpy(rng.standard_normal((8, 32))).requires_grad_(True)
    robust = rain_robust_loss(features, 0.25)
    (grad_f,) = torch.autograd.grad(robust, features)

    # total as the trainer computes it: network output and target in [-1, 1]
    out = (x.detach() * 2 - 1).requires_grad_(True)
    target = y * 2 - 1
    feats = features.detach().clone().requires_grad_(True)
    l1 = (out - target).abs().mean()
    total = 1.0 * (1 - multi_scale_ssim(out * 0.5 + 0.5, target * 0.5 + 0.5)) + 0.1 * l1 + 0.1 * rain_robust_loss(
        feats, 0.25)
    grad_out, grad_feats = torch.autograd.grad(total, [out, feats])
    print("msssim", msssim.item(), "robust", robust.item(), "l1", l1.item(), "total", total.item())
    save_safetensors(fixture_path("train", "losses.safetensors"), {
        "x_u8": out8, "y_u8": clean8,
        "msssim": msssim.reshape(1), "msssim_grad_x": grad_x.float(),
        "features": features.detach().float(), "robust": robust.reshape(1), "robust_grad": grad_f,
        "l1": l1.reshape(1), "total": total.reshape(1), "total_grad_out": grad_out.float(),
        "total_grad_features": grad_feats,
    })


def psnr_term():
    """A batch of three in [-1, 1]: far off, close, and identical to its target (the 1e-10 floor: 100 dB)."""
    n, c, h, w = 3, 3, 16, 20
    target = torch.from_numpy(rng.random((n, c, h, w))).float() * 2 - 1
    noise = torch.from_numpy(rng.standard_normal((n, c, h, w))).float()
    out = (target + noise * torch.tensor([0.2, 0.005, 0.0]).reshape(n, 1, 1, 1)).clamp(-1, 1)
    o, t = out.double().requires_grad_(True), target.double()
    mse = (((o - t) / 2) ** 2).reshape(n, -1).mean(1)
    per_sample = -10 * torch.log10(mse + 1e-10)
    value = per_sample.mean()
    (grad,) = torch.autograd.grad(value, o)
    from skimage.metrics import peak_signal_noise_ratio
    for i in range(2):  # the identical sample is infinite for scikit-image; the floor caps it at 100 dB
        ref = peak_signal_noise_ratio(t[i].numpy() * 0.5 + 0.5, o[i].detach().numpy() * 0.5 + 0.5, data_range=1)
        assert abs(ref - per_sample[i].item()) < 1e-3, (ref, per_sample[i].item())  # the floor: < 1e-4 dB at 52 dB
    assert per_sample[2].item() == 100.0
    print("psnr per sample", per_sample.tolist(), "mean", value.item())

    # harm: sample 0's output (20.6 dB) is worse than its input; 1's (52 dB) is worse than its input (66 dB) but
    # not than the cap (40 dB); 2's is identical to its target
    noise_in = torch.from_numpy(rng.standard_normal((n, c, h, w))).float()
    rainy = (target + noise_in * torch.tensor([0.05, 0.001, 0.02]).reshape(n, 1, 1, 1)).clamp(-1, 1)
    o2 = out.double().requires_grad_(True)
    psnr_in = -10 * torch.log10((((rainy.double() - t) / 2) ** 2).reshape(n, -1).mean(1) + 1e-10)
    psnr_out = -10 * torch.log10((((o2 - t) / 2) ** 2).reshape(n, -1).mean(1) + 1e-10)
    harm = torch.relu(psnr_in.clamp(max=40) - psnr_out).mean()
    (harm_grad,) = torch.autograd.grad(harm, o2)
    print("harm: input PSNR", psnr_in.tolist(), "harm", harm.item())
    assert psnr_in[0] > psnr_out[0].item() and psnr_in[1] > psnr_out[1].item() > 40 and psnr_in[2] < 100
    save_safetensors(fixture_path("train", "psnr.safetensors"), {
        "out": out, "target": target, "psnr": value.reshape(1), "psnr_grad_out": grad.float(),
        "rainy": rainy, "harm": harm.reshape(1), "harm_grad_out": harm_grad.float(),
    })


def adam():
    """torch.optim.Adam, two groups as GT-RAIN (offset/modulator at lr/10), lr changed per step like a scheduler."""
    names = ["initial_conv.0.conv.1.weight", "residual_blocks.0.conv_block.1.offset_conv.bias"]
    shapes = [(4, 3, 2, 2), (6,)]
    start = [torch.from_numpy(rng.standard_normal(s)).float() for s in shapes]
    steps, lrs = 5, [2e-4, 1.5e-4, 1e-4, 3e-4, 2e-4]
    tensors = {}
    for wd in (0.0, 0.01):
        params = [p.clone().requires_grad_(True) for p in start]
        opt = torch.optim.Adam([{"params": [params[0]]}, {"params": [params[1]], "lr": 2e-5}], lr=2e-4,
                               betas=(0.9, 0.999), eps=1e-8, weight_decay=wd)
        for s in range(steps):
            opt.param_groups[0]["lr"] = lrs[s]
            opt.param_groups[1]["lr"] = lrs[s] / 10
            for i, p in enumerate(params):
                # mixed magnitudes, including tiny gradients where eps matters
                g = torch.from_numpy(rng.standard_normal(shapes[i]) * 10.0 ** rng.integers(-6, 1)).float()
                p.grad = g
                tensors[f"wd{wd}/grad{s}/{names[i]}"] = g
            opt.step()
        for i, p in enumerate(params):
            tensors[f"wd{wd}/final/{names[i]}"] = p.detach()
            st = opt.state[p]
            tensors[f"wd{wd}/exp_avg/{names[i]}"] = st["exp_avg"]
            tensors[f"wd{wd}/exp_avg_sq/{names[i]}"] = st["exp_avg_sq"]
    for i, n in enumerate(names):
        tensors[f"start/{n}"] = start[i]
    tensors["lrs"] = torch.tensor(lrs, dtype=torch.float64)
    save_safetensors(fixture_path("train", "adam.safetensors"), tensors)


def schedule():
    """Per-step learning rates: LambdaLR (s+1)/W for W steps, then CosineAnnealingLR(T - W, eta_min)."""
    out = {}
    for total, warmup in ((20, 5), (12, 0), (7, 6)):
        for base in (2e-4, 2e-5):
            p = torch.zeros(1, requires_grad=True)
            opt = torch.optim.SGD([p], lr=base)
            lrs = []
            if warmup > 0:
                warm = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: (s + 1) / warmup)
                for _ in range(warmup):
                    lrs.append(opt.param_groups[0]["lr"])
                    opt.step()
                    warm.step()
                opt.param_groups[0]["lr"] = base  # the cosine phase starts from the peak
            cos = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=total - warmup, eta_min=1e-6)
            for _ in range(total - warmup):
                lrs.append(opt.param_groups[0]["lr"])
                opt.step()
                cos.step()
            out[f"T{total}_W{warmup}_base{base}"] = torch.tensor(lrs, dtype=torch.float64)
    save_safetensors(fixture_path("train", "schedule.safetensors"), out)


if __name__ == "__main__":
    losses()
    adam()
    schedule()
    psnr_term()  # last: it draws from rng after the others, which stay as they were
