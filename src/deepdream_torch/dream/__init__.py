"""The dream kernel: DeepDream on torch tensors, batched where items are independent.

``dream()`` and ``dream_batch()`` live in ``dream/dream.py``; the package root exports them as
``deepdream_torch.dream`` and ``deepdream_torch.dream_batch``.
"""

import sys
import types


class _CallablePackage(types.ModuleType):
    # `deepdream_torch.dream` names both this package and the function. Python rebinds the root's attribute to
    # this package as soon as any `deepdream_torch.dream.*` module is imported, so `from deepdream_torch import
    # dream` would hand back the package; calling the package runs the function instead of failing.
    def __call__(self, *args, **kwargs):
        from deepdream_torch.dream.dream import dream

        return dream(*args, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage
