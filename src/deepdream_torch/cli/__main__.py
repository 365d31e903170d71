"""``python -m deepdream_torch.cli``: the same as the ``deepdream`` console script."""

from deepdream_torch.cli.app import main

main()
