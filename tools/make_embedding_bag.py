#!/usr/bin/env python3
"""Writes src/main/resources/fiji/plugin/derain/net/embedding_bag.pt: libtorch's embedding_bag (sum mode, one weight
per sample) as a TorchScript function, for the deformable conv's bilinear sampling (DJL's JNI has no binding for the
op). The file holds no weights, only this one call; it is built by us and shipped in the jar, never read from a model.
Usage: /usr/bin/python3 tools/make_embedding_bag.py   (Debian's python3-torch)"""
import os
import torch


class EmbeddingBag(torch.nn.Module):
    def forward(self, table: torch.Tensor, index: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        """Row b of the result = sum over k of weights[b, k] * table[index[b, k]]; index (B, K) int32 or int64 and weights (B, K)."""
        offsets = torch.arange(0, index.numel(), index.size(1), dtype=index.dtype, device=index.device)
        return torch.embedding_bag(table, index.reshape(-1), offsets, False, 0, False, weights.reshape(-1), False)[0]


if __name__ == "__main__":
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "main", "resources", "fiji", "plugin",
                       "derain", "net", "embedding_bag.pt")
    module = torch.jit.script(EmbeddingBag())
    module.save(os.path.normpath(out))
    print(module.code)
    print("wrote", os.path.normpath(out))
