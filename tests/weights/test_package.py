import subprocess
import sys


def test_importing_the_store_and_the_zoo_does_not_import_torch() -> None:
    # The CLI's --help and the mode-4 menu should not wait for torch to import.
    code = (
        "import sys\n"
        "from deepdream_torch.weights import ensure_model, resolve_model, zoo_models, ZooError\n"
        "assert len(zoo_models()) == 33\n"
        "print('torch' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_every_advertised_entry_point_exists() -> None:
    from deepdream_torch import weights

    for name in weights._EXPORTS:
        assert callable(getattr(weights, name)), name
