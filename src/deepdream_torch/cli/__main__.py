"""``python -m deepdream_torch.cli``: the same as the ``deepdream`` console script."""

from deepdream_torch.cli.start import main

main()
