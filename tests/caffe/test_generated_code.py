from deepdream_torch.caffe import regenerate


def test_committed_caffe_pb2_is_generated_from_the_committed_schema():
    assert regenerate.GENERATED.read_text() == regenerate.generate(), (
        "caffe_pb2.py is stale: run `python -m deepdream_torch.caffe.regenerate`"
    )
