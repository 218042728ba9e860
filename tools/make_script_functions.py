#!/usr/bin/env python3
"""Writes the TorchScript functions the engine runs for ops that DJL's JNI does not bind, into
src/main/resources/fiji/plugin/derain/net/ (see ScriptFunction.java):
  embedding_bag.pt  libtorch's embedding_bag (sum mode, one weight per sample): the deformable conv's bilinear sampling
The files hold no weights, only these calls; they are built by this project and shipped in the jar, never read from a
model. Usage: /usr/bin/python3 tools/make_script_functions.py   (Debian's python3-torch)"""
import os
import torch


class EmbeddingBag(torch.nn.Module):
    def forward(self, table: torch.Tensor, index: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        """Row b of the result = sum over k of weights[b, k] * table[index[b, k]]; index (B, K) int32 or int64 and weights (B, K)."""
        offsets = torch.arange(0, index.numel(), index.size(1), dtype=index.dtype, device=index.device)
        return torch.embedding_bag(table, index.reshape(-1), offsets, False, 0, False, weights.reshape(-1), False)[0]


if __name__ == "__main__":
    folder = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "main",
                                           "resources", "fiji", "plugin", "derain", "net"))
    for name, module in (("embedding_bag.pt", EmbeddingBag()),):
        scripted = torch.jit.script(module)
        scripted.save(os.path.join(folder, name))
        print(scripted.code)
        print("wrote", os.path.join(folder, name))
