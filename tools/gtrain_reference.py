"""Independent PyTorch reference of the GT-RAIN Deformable-ResNet (DESIGN.md section 1).

Written from the design notes, not from the Java code: the module tree yields exactly the state-dict
names of fiji.plugin.derain.net.StateDictLayout (checked by `python3 tools/gtrain_reference.py`,
which compares against the names listed by `layout_names`). Used by the fixture generator, the
benchmark, checkpoint-import tests and the training-equivalence checks. Run with Debian's
/usr/bin/python3 (torch 1.13, torchvision 0.14).

    import gtrain_reference as ref
    model = ref.build(ngf=64, n_blocks=9, activation="leaky", norm="batch")
    ref.seeded_random_weights(model, seed=1)
    image, features = model(x)      # x: (N, 3, H, W) in [-1, 1], H and W multiples of 4
"""
import sys

import torch
import torch.nn.functional as F
import torchvision.ops
from torch import nn

LEAKY_SLOPE = 0.1
TAPS = 9


def activation_layer(activation):
    if activation == "leaky":
        return nn.LeakyReLU(LEAKY_SLOPE)
    if activation == "mish":
        return nn.Mish()
    raise ValueError("activation must be leaky or mish, got %r" % activation)


def norm_layer(norm, channels):
    if norm == "batch":
        return nn.BatchNorm2d(channels)  # eps 1e-5, momentum 0.1, affine, running stats
    if norm == "instance":
        return nn.InstanceNorm2d(channels, affine=False)  # no parameters, no running stats
    raise ValueError("norm must be batch or instance, got %r" % norm)


class ConvBlock(nn.Module):
    """`conv` = Sequential(reflect-pad, conv (bias only with instance norm), norm, activation)."""

    def __init__(self, cin, cout, k, stride, activation, norm):
        super().__init__()
        self.conv = nn.Sequential(
            nn.ReflectionPad2d(k // 2),
            nn.Conv2d(cin, cout, k, stride=stride, padding=0, bias=norm == "instance"),
            norm_layer(norm, cout),
            activation_layer(activation))

    def forward(self, x):
        return self.conv(x)


class DeformableConv2d(nn.Module):
    """Modulated deformable 3x3 conv, padding 0, on an already padded input (torchvision semantics)."""

    def __init__(self, cin, cout, bias):
        super().__init__()
        self.offset_conv = nn.Conv2d(cin, 2 * TAPS, 3, padding=0, bias=True)
        self.modulator_conv = nn.Conv2d(cin, TAPS, 3, padding=0, bias=True)
        self.regular_conv = nn.Conv2d(cin, cout, 3, padding=0, bias=bias)
        for p in list(self.offset_conv.parameters()) + list(self.modulator_conv.parameters()):
            nn.init.zeros_(p)

    def forward(self, x):
        offset = self.offset_conv(x)
        mask = 2.0 * torch.sigmoid(self.modulator_conv(x))
        return torchvision.ops.deform_conv2d(x, offset, self.regular_conv.weight,
                                             self.regular_conv.bias, padding=0, mask=mask)


class ResidualBlock(nn.Module):
    """x + [pad, deform, norm, act, pad, deform, norm]; indices 1, 2, 5, 6 carry the state."""

    def __init__(self, ch, activation, norm):
        super().__init__()
        bias = norm == "instance"
        self.conv_block = nn.Sequential(
            nn.ReflectionPad2d(1), DeformableConv2d(ch, ch, bias), norm_layer(norm, ch),
            activation_layer(activation),
            nn.ReflectionPad2d(1), DeformableConv2d(ch, ch, bias), norm_layer(norm, ch))

    def forward(self, x):
        return x + self.conv_block(x)


class UpsampleConv(nn.Module):
    """Bilinear x2 (align_corners=True), then a 3x3 ConvBlock named `conv`."""

    def __init__(self, cin, cout, activation, norm):
        super().__init__()
        self.conv = ConvBlock(cin, cout, 3, 1, activation, norm)

    def forward(self, x):
        x = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=True)
        return self.conv(x)


class DecoderBlock(nn.Module):
    """deconv (upsample + conv) then concat [upsampled, skip] then conv."""

    def __init__(self, cin, cout, activation, norm):
        super().__init__()
        self.deconv = UpsampleConv(cin, cout, activation, norm)
        self.conv = ConvBlock(2 * cout, cout, 3, 1, activation, norm)

    def forward(self, x, skip):
        return self.conv(torch.cat([self.deconv(x), skip], dim=1))


class DerainNet(nn.Module):
    def __init__(self, ngf=64, n_blocks=9, activation="leaky", norm="batch"):
        super().__init__()
        self.initial_conv = nn.Sequential(ConvBlock(3, ngf, 7, 1, activation, norm),
                                          ConvBlock(ngf, ngf, 3, 1, activation, norm))
        self.downsample_1 = ConvBlock(ngf, 2 * ngf, 3, 2, activation, norm)
        self.downsample_2 = ConvBlock(2 * ngf, 4 * ngf, 3, 2, activation, norm)
        self.residual_blocks = nn.Sequential(*[ResidualBlock(4 * ngf, activation, norm)
                                               for _ in range(n_blocks)])
        self.upsample_2 = DecoderBlock(4 * ngf, 2 * ngf, activation, norm)
        self.upsample_1 = DecoderBlock(2 * ngf, ngf, activation, norm)
        self.output_conv_naive = nn.Sequential(nn.ReflectionPad2d(1), nn.Conv2d(ngf, 3, 3, bias=True),
                                               nn.Tanh())

    def forward(self, x):
        if x.shape[2] % 4 or x.shape[3] % 4:
            raise ValueError("H and W must be multiples of 4, got %s" % (tuple(x.shape),))
        x0 = self.initial_conv(x)
        x1 = self.downsample_1(x0)
        x2 = self.downsample_2(x1)
        r = self.residual_blocks(x2)
        features = F.adaptive_avg_pool2d(r, 2).flatten(1)
        y = self.upsample_2(r, x1)
        y = self.upsample_1(y, x0)
        return self.output_conv_naive(y), features


def build(ngf=64, n_blocks=9, activation="leaky", norm="batch", init=None, seed=None):
    """The network; with `init` (normal | kaiming | xavier) re-initialised like GT-RAIN's init_weights."""
    model = DerainNet(ngf, n_blocks, activation, norm)
    if init is not None:
        if seed is not None:
            torch.manual_seed(seed)
        init_weights(model, init)
    return model


def init_weights(model, init, gain=0.02):
    """pix2pix-style init (as GT-RAIN): convs normal(0, gain) | kaiming_normal(fan_in) |
    xavier_normal(gain), biases 0; BatchNorm weight normal(1, gain), bias 0; offset and modulator
    convs 0."""
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            if init == "normal":
                nn.init.normal_(m.weight, 0.0, gain)
            elif init == "kaiming":
                nn.init.kaiming_normal_(m.weight, a=0, mode="fan_in")
            elif init == "xavier":
                nn.init.xavier_normal_(m.weight, gain=gain)
            else:
                raise ValueError("init must be normal, kaiming or xavier, got %r" % init)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.normal_(m.weight, 1.0, gain)
            nn.init.zeros_(m.bias)
    for m in model.modules():
        if isinstance(m, DeformableConv2d):
            for p in list(m.offset_conv.parameters()) + list(m.modulator_conv.parameters()):
                nn.init.zeros_(p)


def derain_photo(model, rgb):
    """What Fiji Derain does to a whole photo: `rgb` (H, W, 3) float in [0, 1] -> (H, W, 3) in [0, 1], the input
    reflection-padded on the right/bottom to a multiple of 4, mapped to [-1, 1], run in eval mode, cropped back."""
    h, w = rgb.shape[:2]
    x = torch.from_numpy(rgb).permute(2, 0, 1)[None] * 2 - 1
    x = F.pad(x, (0, (-w) % 4, 0, (-h) % 4), mode="reflect")
    with torch.no_grad():
        y = model(x)[0][:, :, :h, :w]
    return (y[0].permute(1, 2, 0).numpy() * 0.5 + 0.5).clip(0, 1)


def seeded_random_weights(model, seed, offset_scale=1.0):
    """Sets every parameter and BatchNorm buffer to nonzero seeded random values.

    Conv weights get a fan-in scaled uniform (activations stay O(1)); BatchNorm weight in
    [0.5, 1.5], bias/running_mean in [-0.2, 0.2], running_var in [0.5, 1.5], num_batches_tracked a
    small count. Offset convs are scaled so offsets are a few pixels (fractional, some samples fall
    outside the image), modulator convs so the mask spreads over (0, 2). Deterministic for a
    given seed and architecture.
    """
    g = torch.Generator().manual_seed(seed)

    def uniform(t, lo, hi):
        with torch.no_grad():
            t.copy_(torch.rand(t.shape, generator=g, dtype=torch.float64).mul(hi - lo).add(lo).to(t.dtype))

    for name, m in model.named_modules():
        if isinstance(m, DeformableConv2d):
            fan_in = m.offset_conv.weight[0].numel()
            a = 3.0 * offset_scale / fan_in ** 0.5
            uniform(m.offset_conv.weight, -a, a)
            uniform(m.offset_conv.bias, -1.5 * offset_scale, 1.5 * offset_scale)
            uniform(m.modulator_conv.weight, -2.0 / fan_in ** 0.5, 2.0 / fan_in ** 0.5)
            uniform(m.modulator_conv.bias, -1.0, 1.0)
            b = 1.0 / fan_in ** 0.5
            uniform(m.regular_conv.weight, -b, b)
            if m.regular_conv.bias is not None:
                uniform(m.regular_conv.bias, -0.1, 0.1)
        elif isinstance(m, nn.Conv2d) and ".offset_conv" not in name and ".modulator_conv" not in name \
                and ".regular_conv" not in name:
            b = 1.7 / m.weight[0].numel() ** 0.5
            uniform(m.weight, -b, b)
            if m.bias is not None:
                uniform(m.bias, -0.1, 0.1)
        elif isinstance(m, nn.BatchNorm2d):
            uniform(m.weight, 0.5, 1.5)
            uniform(m.bias, -0.2, 0.2)
            uniform(m.running_mean, -0.2, 0.2)
            uniform(m.running_var, 0.5, 1.5)
            m.num_batches_tracked.fill_(int(torch.randint(1, 1000, (1,), generator=g)))
    return model


def layout_names(ngf, n_blocks, norm):
    """StateDictLayout.of(config) re-derived independently from the DESIGN.md name list."""
    names = []
    inst = norm == "instance"

    def bn(p):
        if not inst:
            names.extend(p + s for s in (".weight", ".bias", ".running_mean", ".running_var",
                                         ".num_batches_tracked"))

    def conv_norm(p):
        names.append(p + ".1.weight")
        if inst:
            names.append(p + ".1.bias")
        bn(p + ".2")

    def deform(p):
        names.extend(p + s for s in (".offset_conv.weight", ".offset_conv.bias",
                                     ".modulator_conv.weight", ".modulator_conv.bias",
                                     ".regular_conv.weight"))
        if inst:
            names.append(p + ".regular_conv.bias")

    conv_norm("initial_conv.0.conv")
    conv_norm("initial_conv.1.conv")
    conv_norm("downsample_1.conv")
    conv_norm("downsample_2.conv")
    for i in range(n_blocks):
        p = "residual_blocks.%d.conv_block." % i
        deform(p + "1"); bn(p + "2"); deform(p + "5"); bn(p + "6")
    for u in ("upsample_2", "upsample_1"):
        conv_norm(u + ".deconv.conv.conv")
        conv_norm(u + ".conv.conv")
    names += ["output_conv_naive.1.weight", "output_conv_naive.1.bias"]
    return names


def _self_check():
    for ngf, nb, norm in ((64, 9, "batch"), (8, 2, "batch"), (8, 2, "instance")):
        model = build(ngf, nb, "leaky", norm)
        got = list(model.state_dict().keys())
        want = layout_names(ngf, nb, norm)
        assert got == want, "state-dict names differ for %s: %s" % ((ngf, nb, norm), set(got) ^ set(want))
        n = sum(p.numel() for p in model.parameters())
        print("ngf %d blocks %d %s: %d tensors, %d parameters OK" % (ngf, nb, norm, len(got), n))
    assert sum(p.numel() for p in build().parameters()) == 12_901_993


if __name__ == "__main__":
    _self_check()
    if len(sys.argv) > 1:  # print names + shapes for comparison with the Java layout
        m = build(int(sys.argv[1]), int(sys.argv[2]), "leaky", sys.argv[3])
        for k, v in m.state_dict().items():
            print(k, list(v.shape))
