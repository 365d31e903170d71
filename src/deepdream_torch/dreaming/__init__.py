"""The dream kernel: DeepDream on torch tensors, batched where items are independent.

``dream()`` and ``dream_batch()`` live in ``dreaming/dream.py``; the package root exports them as
``deepdream_torch.dream`` and ``deepdream_torch.dream_batch``.
"""
