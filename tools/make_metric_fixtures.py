"""Reference values for fiji.plugin.derain.metrics (run with Debian's /usr/bin/python3).

Writes src/test/resources/fixtures/metrics/<case>.safetensors, one file per image pair:
  pred, ref            F32, H x W x C (colour) or H x W (grey), values in [0, 1]
  psnr                 F64, scikit-image 0.19 peak_signal_noise_ratio(ref, pred) (both conventions)
  ssim_standard        F64, structural_similarity(gaussian_weights=True, sigma=1.5,
                       use_sample_covariance=False, data_range=1)            (only if >= 11 x 11)
  ssim_gtrain          F64, structural_similarity(ref, pred, multichannel=colour) with its float
                       defaults: data_range 2, 7 x 7 uniform window, sample covariance
  msssim               F64, piq.multi_scale_ssim(pred, ref) defaults             (only if >= 161 x 161)
  msssim_channel0      F64, the same on channel 0 alone (the Java test feeds a hyperslice)

All references are computed in float64 from the float32 values that are stored, so a float64
Java engine can be held to 1e-6 relative (their float32 arithmetic would differ at ~1e-7).
"""
import warnings

import numpy as np
import torch
import torch.nn.functional as F
from skimage import data
from skimage.filters import gaussian
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from fixtures import fixture_path, save_safetensors

MS_WEIGHTS = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)


def piq_gaussian(size=11, sigma=1.5):
    """piq.functional.gaussian_filter: a normalised 2-D Gaussian on integer offsets."""
    coords = torch.arange(size, dtype=torch.float64) - (size - 1) / 2.0
    g = coords ** 2
    g = (-(g.unsqueeze(0) + g.unsqueeze(1)) / (2 * sigma ** 2)).exp()
    return g / g.sum()


def piq_ssim_per_channel(x, y, kernel, k1=0.01, k2=0.03):
    """piq.ssim._ssim_per_channel: 'valid' convolution (no padding), returns (ssim, cs) per channel."""
    c1, c2 = k1 ** 2, k2 ** 2
    n = x.size(1)
    w = kernel.expand(n, 1, *kernel.shape)

    def conv(t):
        return F.conv2d(t, w, groups=n)

    mu_x, mu_y = conv(x), conv(y)
    sxx = conv(x * x) - mu_x ** 2
    syy = conv(y * y) - mu_y ** 2
    sxy = conv(x * y) - mu_x * mu_y
    cs = (2 * sxy + c2) / (sxx + syy + c2)
    ss = (2 * mu_x * mu_y + c1) / (mu_x ** 2 + mu_y ** 2 + c1) * cs
    return ss.mean(dim=(-1, -2)), cs.mean(dim=(-1, -2))


def piq_ms_ssim(pred, ref):
    """piq.ms_ssim._multi_scale_ssim with its defaults (data range 1), for one HW or HWC image pair.

    Between scales piq replicate-pads ONE row on top AND one column on the left whenever either
    side is odd, then average-pools 2x2 (dropping a trailing odd row/column). Negative cs/ssim are
    clipped to 0 (relu) before the weighted product, which is taken per channel, then averaged.
    """
    def nchw(a):
        t = torch.from_numpy(np.asarray(a, dtype=np.float64))
        return (t.unsqueeze(-1) if t.dim() == 2 else t).permute(2, 0, 1).unsqueeze(0)

    x, y = nchw(pred), nchw(ref)
    kernel = piq_gaussian()
    min_size = (11 - 1) * 2 ** (len(MS_WEIGHTS) - 1) + 1
    assert min(x.shape[-2:]) >= min_size, f"MS-SSIM needs at least {min_size}"
    values = []
    for level in range(len(MS_WEIGHTS)):
        if level > 0:
            p = max(x.shape[2] % 2, x.shape[3] % 2)
            x = F.avg_pool2d(F.pad(x, [p, 0, p, 0], mode="replicate"), 2)
            y = F.avg_pool2d(F.pad(y, [p, 0, p, 0], mode="replicate"), 2)
        ssim_val, cs = piq_ssim_per_channel(x, y, kernel)
        values.append(ssim_val if level == len(MS_WEIGHTS) - 1 else cs)
    stacked = torch.relu(torch.stack(values, dim=0))  # level, batch, channel
    w = torch.tensor(MS_WEIGHTS, dtype=torch.float64).view(-1, 1, 1)
    return float(torch.prod(stacked ** w, dim=0).mean(1)[0])


def references(pred32, ref32):
    pred, ref = pred32.astype(np.float64), ref32.astype(np.float64)
    colour = pred.ndim == 3
    axis = -1 if colour else None
    out = {"pred": pred32, "ref": ref32,
           "psnr": np.array([peak_signal_noise_ratio(ref, pred)]),
           "ssim_gtrain": np.array([structural_similarity(ref, pred, multichannel=colour)])}
    if min(pred.shape[:2]) >= 11:
        out["ssim_standard"] = np.array([structural_similarity(
            ref, pred, channel_axis=axis, gaussian_weights=True, sigma=1.5,
            use_sample_covariance=False, data_range=1)])
    if min(pred.shape[:2]) >= 161:
        out["msssim"] = np.array([piq_ms_ssim(pred, ref)])
        if colour:
            out["msssim_channel0"] = np.array([piq_ms_ssim(pred[..., 0], ref[..., 0])])
    # Not stored: how far GT-RAIN's own float32 evaluation would be from these float64 values.
    f32 = structural_similarity(ref32, pred32, multichannel=colour)
    print(f"  gtrain ssim float32 - float64 = {f32 - out['ssim_gtrain'][0]:.3e}")
    return out


def smooth_random(rng, shape, blur):
    a = rng.random(shape)
    return gaussian(a, sigma=blur, channel_axis=-1 if len(shape) == 3 else None, preserve_range=True)


def cases():
    rng = np.random.default_rng(20240611)
    f32 = np.float32

    ref = smooth_random(rng, (32, 40, 3), 2.0)
    ref = (ref - ref.min()) / (ref.max() - ref.min())
    pred = np.clip(ref + 0.08 * rng.standard_normal(ref.shape), 0, 1)
    yield "rgb_h32_w40", pred.astype(f32), ref.astype(f32)

    ref = rng.random((33, 57))
    pred = np.clip(0.7 * ref + 0.3 * rng.random(ref.shape), 0, 1)
    yield "grey_h33_w57", pred.astype(f32), ref.astype(f32)

    ref = rng.random((7, 7, 3))
    pred = np.clip(ref + 0.1 * rng.standard_normal(ref.shape), 0, 1)
    yield "rgb_h7_w7", pred.astype(f32), ref.astype(f32)

    ref8 = rng.integers(0, 256, (24, 30, 3), dtype=np.uint8)
    pred8 = np.clip(ref8.astype(int) + rng.integers(-20, 21, ref8.shape), 0, 255).astype(np.uint8)
    yield "u8_h24_w30", (pred8 / 255.0).astype(f32), (ref8 / 255.0).astype(f32)

    # A real texture, odd height and even width so that piq's padding quirk is exercised.
    clean = data.astronaut()[40:40 + 167, 150:150 + 172] / 255.0
    noisy = np.clip(clean + 0.05 * rng.standard_normal(clean.shape), 0, 1)
    blurred = gaussian(clean, sigma=1.2, channel_axis=-1)
    yield "texture_noisy_h167_w172", noisy.astype(f32), clean.astype(f32)
    yield "texture_blurred_h167_w172", blurred.astype(f32), clean.astype(f32)


def main():
    # GT-RAIN called structural_similarity(..., multichannel=True); keep that spelling, mute its notice.
    warnings.filterwarnings("ignore", message=".*multichannel.*", category=FutureWarning)
    for name, pred, ref in cases():
        print(name, pred.shape)
        values = references(pred, ref)
        for k, v in values.items():
            if v.size == 1:
                print(f"  {k} = {v[0]!r}")
        save_safetensors(fixture_path("metrics", name + ".safetensors"), values,
                         metadata={"generator": "tools/make_metric_fixtures.py"})


if __name__ == "__main__":
    main()
