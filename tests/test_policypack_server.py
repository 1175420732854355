"""plangate.pack_server: the single-thread gRPC server the policy pack serves on.

In-process tests drive `LoopServer` with a small servicer over a real channel and check that
it answers as grpc's own sync server does; the pack tests check that the pack, started as the
CLI starts it, gives the same answers on both servers.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc
from pulumi_policy import policy as sdk

from plangate import pack_server
from plangate.pack_server import SERVER_ENV, LoopServer, serving_with_loop
from plangate.testing import UNKNOWN, PolicyPackHarness, StackResource, secret

PACK = Path(__file__).resolve().parents[1] / "policypack"
SERVICE = "test.Echo"


def _echo(request: bytes, context: grpc.ServicerContext) -> bytes:
    return request


def _fail(request: bytes, context: grpc.ServicerContext) -> bytes:
    raise ValueError("boom")


def _unimplemented(request: bytes, context: grpc.ServicerContext) -> bytes:
    # what the generated base servicer does for methods a servicer leaves out (Handshake)
    context.set_code(grpc.StatusCode.UNIMPLEMENTED)
    context.set_details("Method not implemented!")
    raise NotImplementedError("Method not implemented!")


def _abort(request: bytes, context: grpc.ServicerContext) -> bytes:
    context.abort(grpc.StatusCode.FAILED_PRECONDITION, "not configured")
    raise AssertionError("abort returned")


def _trailing(request: bytes, context: grpc.ServicerContext) -> bytes:
    context.set_trailing_metadata((("x-plangate", "yes"),))
    context.set_code(grpc.StatusCode.OK)
    return b"metadata " + dict(context.invocation_metadata()).get("x-client", "").encode()


def _deadline(request: bytes, context: grpc.ServicerContext) -> bytes:
    remaining = context.time_remaining()
    return b"none" if remaining is None else b"%d" % round(remaining)


def _bad_response(request: bytes, context: grpc.ServicerContext) -> Any:
    return object()  # the serialiser cannot encode it


def _stream(request: bytes, context: grpc.ServicerContext) -> Iterator[bytes]:
    yield request


def _handlers() -> grpc.GenericRpcHandler:
    unary = grpc.unary_unary_rpc_method_handler
    return grpc.method_handlers_generic_handler(SERVICE, {
        "Echo": unary(_echo),
        "Fail": unary(_fail),
        "Unimplemented": unary(_unimplemented),
        "Abort": unary(_abort),
        "Trailing": unary(_trailing),
        "Deadline": unary(_deadline),
        "BadResponse": unary(_bad_response, response_serializer=lambda r: r.SerializeToString()),
        "Strict": unary(_echo, request_deserializer=struct_pb2.Struct.FromString,
                        response_serializer=struct_pb2.Struct.SerializeToString),
        "Stream": grpc.unary_stream_rpc_method_handler(_stream),
    })


@pytest.fixture(scope="module", params=["loop", "grpc"])
def channel(request):
    """The test service on `LoopServer` and, as the reference, on grpc's own sync server."""
    if request.param == "loop":
        server: grpc.Server = LoopServer()
    else:
        server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    server.add_generic_rpc_handlers((_handlers(),))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
        yield ch
    server.stop(0)


def _call(channel: grpc.Channel, method: str, body: bytes = b"x", **kwargs: Any) -> Any:
    return channel.unary_unary(f"/{SERVICE}/{method}")(body, **{"timeout": 10, **kwargs})


def _status(call: Callable[[], Any]) -> tuple[grpc.StatusCode, str]:
    with pytest.raises(grpc.RpcError) as err:
        call()
    return err.value.code(), err.value.details()


def test_unary_call_answered(channel):
    assert _call(channel, "Echo", b"hello") == b"hello"
    assert _call(channel, "Echo", b"") == b""


def test_unknown_method_is_unimplemented(channel):
    assert _status(lambda: _call(channel, "Nope")) == (grpc.StatusCode.UNIMPLEMENTED, "Method not found!")
    assert _status(lambda: channel.unary_unary("/other.Service/Echo")(b"", timeout=10))[0] \
        is grpc.StatusCode.UNIMPLEMENTED


def test_handler_exception_is_unknown_with_its_message(channel):
    assert _status(lambda: _call(channel, "Fail")) == (
        grpc.StatusCode.UNKNOWN, "Exception calling application: boom")


def test_code_set_before_raising_is_kept(channel):
    """The engine reads UNIMPLEMENTED from Handshake as "the analyzer predates Handshake"."""
    assert _status(lambda: _call(channel, "Unimplemented")) == (
        grpc.StatusCode.UNIMPLEMENTED, "Method not implemented!")


def test_abort_sends_its_code_and_details(channel):
    assert _status(lambda: _call(channel, "Abort")) == (grpc.StatusCode.FAILED_PRECONDITION, "not configured")


def test_metadata_and_deadline_reach_the_handler_and_back(channel):
    response, call = channel.unary_unary(f"/{SERVICE}/Trailing").with_call(
        b"", timeout=10, metadata=(("x-client", "harness"),))
    assert response == b"metadata harness"
    assert ("x-plangate", "yes") in tuple(call.trailing_metadata())
    assert _call(channel, "Deadline", timeout=30) in (b"29", b"30")


def test_bad_request_and_response_are_internal(channel):
    assert _status(lambda: _call(channel, "Strict", b"\xff\xff")) == (
        grpc.StatusCode.INTERNAL, "Exception deserializing request!")
    assert _status(lambda: _call(channel, "BadResponse"))[0] is grpc.StatusCode.INTERNAL


def test_streaming_method_refused_by_the_loop(channel):
    stream = channel.unary_stream(f"/{SERVICE}/Stream")
    try:
        answered = list(stream(b"s", timeout=10))
    except grpc.RpcError as err:
        assert err.code() is grpc.StatusCode.UNIMPLEMENTED  # LoopServer: unary methods only
    else:
        assert answered == [b"s"]  # grpc's server


def test_concurrent_calls_all_answered(channel):
    results: dict[int, bytes] = {}

    def client(i: int) -> None:
        for j in range(25):
            results[i * 100 + j] = _call(channel, "Echo", b"%d" % (i * 100 + j))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert results == {k: b"%d" % k for k in (i * 100 + j for i in range(8) for j in range(25))}


def test_stop_ends_the_loop():
    server = LoopServer()
    server.add_generic_rpc_handlers((_handlers(),))
    server.add_insecure_port("127.0.0.1:0")
    server.start()
    assert server.stop(0).wait(10)
    assert server.wait_for_termination(0)


def test_sdk_server_swapped_only_inside_serving_with_loop(monkeypatch):
    real = sdk.grpc
    monkeypatch.delenv(SERVER_ENV, raising=False)
    with serving_with_loop(sdk):
        server = sdk.grpc.server(futures.ThreadPoolExecutor(max_workers=4), options=sdk._GRPC_CHANNEL_OPTIONS)
        assert isinstance(server, LoopServer)
        assert sdk.grpc.StatusCode is grpc.StatusCode  # the rest of the module as it is
    assert sdk.grpc is real
    monkeypatch.setenv(SERVER_ENV, "grpc")
    with serving_with_loop(sdk):
        assert sdk.grpc is real


def test_unusable_grpcio_falls_back_to_the_sdk_server(monkeypatch, capsys):
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("grpcio 0.0 lacks cygrpc.Server")

    monkeypatch.setattr(pack_server, "LoopServer", broken)
    with serving_with_loop(sdk):
        server = sdk.grpc.server(futures.ThreadPoolExecutor(max_workers=1))
    assert not isinstance(server, LoopServer) and isinstance(server, grpc.Server)
    assert "grpcio 0.0 lacks cygrpc.Server" in capsys.readouterr().err
    server.stop(0)


# --- the pack on both servers --------------------------------------------------------------------

LAMBDA = "aws:lambda/function:Function"
BUCKET = "aws:s3/bucket:Bucket"


def _answers(pack: PolicyPackHarness) -> list[Any]:
    pack.configure({"cost-allocation-tags": {"enforcementLevel": "remediate"}})
    resources = [
        (LAMBDA, {"name": "scorer", "tags": {"app": "ai-model-inference"}, "memorySize": 4096}),
        (LAMBDA, {"name": "fn", "tags": UNKNOWN, "environment": {"variables": {"K": secret("v")}}}),
        (BUCKET, {"bucket": "logs", "tags": {"Owner": "x"}}),
    ]
    out: list[Any] = [pack.get_info()]
    for token, props in resources:
        out.append(pack.analyze(token, props))
        out.append(pack.remediate(token, props))
    out.append(pack.analyze_stack([StackResource(t, p, name=f"r{i}") for i, (t, p) in enumerate(resources)]))
    # over grpc's default 4 MB: the SDK raises the limit to 400 MB, and so must the loop
    big = [StackResource(BUCKET, {"bucket": f"b{i}", "policy": "x" * 100_000}, name=f"b{i}") for i in range(60)]
    out.append(pack.analyze_stack(big))
    out.append(_status(lambda: pack._stub.Handshake(analyzer_pb2.AnalyzerHandshakeRequest(), timeout=10)))
    out.append(pack._stub.GetPluginInfo(empty_pb2.Empty(), timeout=10).version)
    return out


def test_pack_answers_the_same_on_both_servers():
    answers = {}
    for server in ("loop", "grpc"):
        with PolicyPackHarness(PACK, python=sys.executable, env={SERVER_ENV: server}) as pack:
            answers[server] = _answers(pack)
            assert "Traceback" not in pack.stderr()
    assert answers["loop"] == answers["grpc"]
    assert answers["loop"][-2] == (grpc.StatusCode.UNIMPLEMENTED, "Method not implemented!")


def test_serve_builds_the_pack_on_the_loop(monkeypatch):
    """`serve` builds pulumi-policy's PolicyPack with ``grpc.server`` swapped for `LoopServer`,
    and the generated registration plus PolicyPack's port handshake work on it."""
    from plangate import pulumi_pack

    monkeypatch.delenv(SERVER_ENV, raising=False)
    monkeypatch.setattr(pulumi_pack._STATE, "base", pulumi_pack._STATE.base)  # serve sets it
    seen: list[Any] = []

    def fake_pack(**kwargs: Any) -> None:
        server = sdk.grpc.server(futures.ThreadPoolExecutor(max_workers=4), options=sdk._GRPC_CHANNEL_OPTIONS)
        analyzer_pb2_grpc.add_AnalyzerServicer_to_server(analyzer_pb2_grpc.AnalyzerServicer(), server)
        seen.append((kwargs["name"], server, server.add_insecure_port(address="127.0.0.1:0")))
        server.start()

    monkeypatch.setattr(pulumi_pack.pp, "PolicyPack", fake_pack)
    pulumi_pack.serve(PACK)
    ((name, server, port),) = seen
    try:
        assert name == pulumi_pack.PACK_NAME and isinstance(server, LoopServer)
        with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
            stub = analyzer_pb2_grpc.AnalyzerStub(ch)
            assert _status(lambda: stub.GetPluginInfo(empty_pb2.Empty(), timeout=10))[0] \
                is grpc.StatusCode.UNIMPLEMENTED  # the bare generated servicer
    finally:
        server.stop(0)
