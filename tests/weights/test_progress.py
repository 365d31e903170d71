import io

from rich.console import Console
from rich.progress import Progress

from deepdream_torch.weights.progress import RichDownloadProgress, download_columns


def test_one_bar_per_file_tracking_bytes() -> None:
    console = Console(file=io.StringIO(), width=100, force_terminal=False)
    with Progress(*download_columns(), console=console) as bars:
        callback = RichDownloadProgress(bars)
        callback("deploy.prototxt", 0, 2_000)
        callback("deploy.prototxt", 2_000, 2_000)
        callback("bvlc_googlenet.caffemodel", 0, None)
        callback("bvlc_googlenet.caffemodel", 5_000_000, 53_000_000)
        tasks = {task.description: task for task in bars.tasks}
    assert set(tasks) == {"deploy.prototxt", "bvlc_googlenet.caffemodel"}
    assert tasks["deploy.prototxt"].finished
    assert tasks["bvlc_googlenet.caffemodel"].completed == 5_000_000
    assert tasks["bvlc_googlenet.caffemodel"].total == 53_000_000
