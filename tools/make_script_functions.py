#!/usr/bin/env python3
"""Writes the TorchScript functions the engine runs for ops that DJL's JNI does not bind, into
src/main/resources/fiji/plugin/derain/net/ (see ScriptFunction.java):
  embedding_bag.pt  libtorch's embedding_bag (sum mode, one weight per sample): the deformable conv's bilinear sampling
  embedding_bag_backward.pt  the gradients of embedding_bag's table and weights: training's deformable convs
  upsample2x.pt     libtorch's bilinear x2 upsampling with align_corners=True: the decoder's, as GT-RAIN calls it
  upsample_last_axis2x.pt  libtorch's linear x2 upsampling of the last axis, align_corners=True: a band's columns
  reflection_pad.pt libtorch's reflection padding of the last two axes: every conv block's
The files hold no weights, only these calls; they are built by this project and shipped in the jar, never read from a
model. Usage: /usr/bin/python3 tools/make_script_functions.py   (Debian's python3-torch)"""
import os
from typing import Tuple

import torch


class EmbeddingBag(torch.nn.Module):
    def forward(self, table: torch.Tensor, index: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        """Row b of the result = sum over k of weights[b, k] * table[index[b, k]]; index (B, K) int32 or int64 and weights (B, K)."""
        offsets = torch.arange(0, index.numel(), index.size(1), dtype=index.dtype, device=index.device)
        return torch.embedding_bag(table, index.reshape(-1), offsets, False, 0, False, weights.reshape(-1), False)[0]


class EmbeddingBagBackward(torch.nn.Module):
    def forward(self, grad: torch.Tensor, table: torch.Tensor, index: torch.Tensor,
                weights: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """The gradients of EmbeddingBag's result with respect to its table (rows, C) and its weights (B, K), given the
        gradient of the result (B, C). The table's is the transposed sum: row r = sum of weights[b, k] * grad[b] over
        the (b, k) with index[b, k] = r, i.e. an embedding_bag over grad with the entries sorted by row (stable: the
        order of the sum is fixed) - libtorch's fast forward kernel instead of its backward, which was 2.5x slower
        here at the training's sizes. The weights' is libtorch's own (a dot product per entry)."""
        k = index.size(1)
        flat = index.reshape(-1)
        order = torch.sort(flat, stable=True)[1]
        counts = torch.bincount(flat, minlength=table.size(0))
        starts = torch.cumsum(counts, 0) - counts
        grad_table = torch.embedding_bag(grad, torch.div(order, k, rounding_mode="floor"), starts, False, 0, False,
                                         weights.reshape(-1).index_select(0, order), False)[0]
        positions = torch.arange(0, flat.numel(), dtype=flat.dtype, device=flat.device)
        bag_starts = torch.arange(0, flat.numel(), k, dtype=flat.dtype, device=flat.device)
        grad_weights = torch.ops.aten._embedding_bag_per_sample_weights_backward(
            grad, table, flat, bag_starts, torch.div(positions, k, rounding_mode="floor"), 0, -1)
        return grad_table, grad_weights.reshape(index.shape)


class Upsample2x(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Bilinear x2 of the last two axes of x (N, C, H, W), align_corners=True: GT-RAIN's nn.Upsample."""
        # what F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=True) calls, without its argument checks
        return torch._C._nn.upsample_bilinear2d(x, None, True, [2.0, 2.0])


class UpsampleLastAxis2x(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Linear x2 of the last axis of x (N, C, L), align_corners=True."""
        return torch._C._nn.upsample_linear1d(x, None, True, [2.0])


class ReflectionPad(torch.nn.Module):
    def forward(self, x: torch.Tensor, pad: torch.Tensor) -> torch.Tensor:
        """x (N, C, H, W) mirrored by pad (one integer, < H and < W) on each side of the last two axes."""
        p = int(pad.item())
        return torch.nn.functional.pad(x, [p, p, p, p], mode="reflect")


if __name__ == "__main__":
    folder = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "main",
                                           "resources", "fiji", "plugin", "derain", "net"))
    for name, module in (("embedding_bag.pt", EmbeddingBag()), ("embedding_bag_backward.pt", EmbeddingBagBackward()), ("upsample2x.pt", Upsample2x()),
                         ("upsample_last_axis2x.pt", UpsampleLastAxis2x()),
                         ("reflection_pad.pt", ReflectionPad())):
        scripted = torch.jit.script(module)
        scripted.save(os.path.join(folder, name))
        print(scripted.code)
        print("wrote", os.path.join(folder, name))
