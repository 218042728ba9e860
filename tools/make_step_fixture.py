"""Fixture for the one-optimizer-step equivalence test (run with Debian's /usr/bin/python3, torch 1.13).

One GT-RAIN training step on a fixed batch, in PyTorch: the reference network (tools/gtrain_reference.py,
ngf 4, 1 block, seeded weights) runs [rainy; clean] concatenated in train mode, the loss is
(1 - MS-SSIM) + 0.1 L1 + 0.1 rain-robust (the references in make_train_fixtures.py), and torch.optim.Adam
takes one step with the offset/modulator group at lr/10. Saved: the weights before, the batch, the loss terms,
and every tensor of the state dict after the step (weights and BatchNorm buffers).
Writes src/test/resources/fixtures/train/step.safetensors.
"""
import collections

import torch
import torch.nn.functional as F

import gtrain_reference as ref
from fixtures import fixture_path, save_safetensors
from make_train_fixtures import multi_scale_ssim, rain_robust_loss

LR = 2e-4
PATCH = 164  # >= 161: 5-scale MS-SSIM


def main():
    torch.manual_seed(0)
    model = ref.build(ngf=4, n_blocks=1, activation="leaky", norm="batch")
    ref.seeded_random_weights(model, seed=3, offset_scale=0.5)
    before = collections.OrderedDict((k, v.clone()) for k, v in model.state_dict().items())
    g = torch.Generator().manual_seed(5)
    coarse = torch.rand(2, 3, PATCH // 8, PATCH // 8, generator=g)
    clean = F.interpolate(coarse, size=(PATCH, PATCH), mode="bilinear", align_corners=False) * 2 - 1
    streaks = (torch.rand(2, 1, PATCH, PATCH, generator=g) > 0.97).float()
    rainy = (clean + 0.8 * streaks).clamp(-1, 1)

    offsets = [p for n, p in model.named_parameters() if ".offset_conv." in n or ".modulator_conv." in n]
    others = [p for n, p in model.named_parameters() if not (".offset_conv." in n or ".modulator_conv." in n)]
    opt = torch.optim.Adam([{"params": others, "lr": LR}, {"params": offsets, "lr": LR / 10}])
    model.train()
    image, features = model(torch.cat([rainy, clean], 0))
    out = image[:2]
    ssim = 1 - multi_scale_ssim(out * 0.5 + 0.5, clean * 0.5 + 0.5)
    l1 = (out - clean).abs().mean()
    robust = rain_robust_loss(features, 0.25)
    total = ssim + 0.1 * l1 + 0.1 * robust
    opt.zero_grad()
    total.backward()
    opt.step()
    print("ssim loss %.6f  l1 %.6f  robust %.6f  total %.6f" % (ssim.item(), l1.item(), robust.item(), total.item()))
    tensors = {"rainy": rainy, "clean": clean, "loss/ssim": ssim.reshape(1), "loss/l1": l1.reshape(1),
               "loss/robust": robust.reshape(1), "loss/total": total.reshape(1)}
    tensors.update({"before/" + k: v for k, v in before.items()})
    tensors.update({"after/" + k: v for k, v in model.state_dict().items()})
    save_safetensors(fixture_path("train", "step.safetensors"), tensors)


if __name__ == "__main__":
    main()
