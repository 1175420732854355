"""The policy pack's gRPC server: one thread on grpc's completion queue, handlers run inline.

pulumi-policy serves its servicer with ``grpc.server(ThreadPoolExecutor(max_workers=4))``.
For each unary RPC, grpc's Python server passes the call from its polling thread to a pool
thread, the pool thread waits for the polling thread to deliver the request message, and the
polling thread then handles the completion of the response: several wake-ups across threads
and a few hundred lines of Python bookkeeping per call.  The pool buys nothing here: every
Analyzer handler is Python that holds the GIL from start to end.  Measured with
``benchmarks/policypack_bench.py`` on a 2-vCPU VM (both servers in one run, taking turns;
requests in sequence from a separate process), median round trips, SDK server → this one:
``Analyze`` 0.90-0.96 ms → 0.73-0.76 ms and the empty ``GetPluginInfo`` 0.57-0.61 ms →
0.33-0.37 ms from grpc's Python client; ``Analyze`` 0.56-0.66 ms → 0.40-0.46 ms and
``GetPluginInfo`` 0.30-0.34 ms → 0.14-0.15 ms from a native (C++) client like the engine's.
Server CPU per call: 0.38-0.52 ms → 0.13-0.19 ms for ``GetPluginInfo``, 0.69-0.74 ms →
0.51-0.56 ms for ``Analyze``.

`LoopServer` does the same work with one thread: it asks the core for the next call, starts
the receive of its single request message, calls the method handler (the same
``grpc.RpcMethodHandler`` objects ``add_AnalyzerServicer_to_server`` registers, with their
deserialisers and serialisers) and sends response and status in one batch.  Calls are
handled one after another, in arrival order; other calls wait in the core meanwhile.  It
implements what the generated ``add_*Servicer_to_server`` and pulumi-policy's ``PolicyPack``
call on a server, and the status semantics of grpc's sync server for unary calls: an
unknown method gets ``UNIMPLEMENTED`` ("Method not found!"), a handler exception
``UNKNOWN`` ("Exception calling application: ...") unless the handler set a code first (as
the generated base servicer does for ``Handshake`` and ``Cancel``: ``UNIMPLEMENTED``, which
the engine takes as "not supported"), ``context.abort`` its code and details.  Streaming
methods (the Analyzer service has none) are refused with ``UNIMPLEMENTED``.

The loop is written on ``grpc._cython.cygrpc``, the layer grpc's own Python servers are
built on; its use is checked when the server is built, and `serving_with_loop` falls back to
pulumi-policy's ``grpc.server`` (with a note on stderr) if the installed grpcio lacks
anything, or when ``PLANGATE_PACK_SERVER=grpc`` asks for the SDK's server.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import grpc

SERVER_ENV = "PLANGATE_PACK_SERVER"  # "loop" (default) or "grpc": pulumi-policy's own server
_LOGGER = logging.getLogger(__name__)
_LOGGER.addHandler(logging.NullHandler())  # as grpc's own: quiet unless logging is configured
_REQUEST = object()  # tag of the request for the next call
_SHUTDOWN = object()  # tag of the server's shutdown
_SENT = object()  # tag of a call's final batch; nothing left to do when it completes
_NOT_FOUND = b"Method not found!"


class _HandlerCallDetails:
    __slots__ = ("method", "invocation_metadata")

    def __init__(self, method: str, invocation_metadata: Any) -> None:
        self.method = method
        self.invocation_metadata = invocation_metadata


class _Abort(Exception):
    """Raised by `_Context.abort`, as grpc's context raises after recording the status."""


class _Context(grpc.ServicerContext):
    """The servicer context of one unary call handled by `LoopServer`."""

    def __init__(self, event: Any) -> None:
        self._event = event
        self._code: grpc.StatusCode | None = None
        self._details: str | None = None
        self._trailing: tuple[tuple[str, Any], ...] = ()
        self._initial: tuple[tuple[str, Any], ...] = ()
        self._aborted = False

    # RpcContext
    def is_active(self) -> bool:
        return True  # the call is answered before anything else is read from the core

    def time_remaining(self) -> float | None:
        deadline = self._event.call_details.deadline
        return None if deadline is None else max(deadline - time.time(), 0.0)

    def cancel(self) -> None:
        self._event.call.cancel()

    def add_callback(self, callback: Callable[[], None]) -> bool:
        return False  # no termination callbacks: the call ends when its handler returns

    # ServicerContext
    def invocation_metadata(self) -> Any:
        return self._event.invocation_metadata

    def peer(self) -> str:
        return self._event.call.peer().decode("utf-8", "replace")

    def peer_identities(self) -> None:
        return None

    def peer_identity_key(self) -> None:
        return None

    def auth_context(self) -> dict[str, Any]:
        return {}

    def set_compression(self, compression: Any) -> None:
        pass

    def send_initial_metadata(self, initial_metadata: Any) -> None:
        self._initial = tuple(initial_metadata)

    def set_trailing_metadata(self, trailing_metadata: Any) -> None:
        self._trailing = tuple(trailing_metadata)

    def trailing_metadata(self) -> Any:
        return self._trailing

    def abort(self, code: grpc.StatusCode, details: str) -> None:  # type: ignore[override]
        if code is grpc.StatusCode.OK:
            code = grpc.StatusCode.UNKNOWN  # as grpc: an abort is never OK
        self._code, self._details, self._aborted = code, details, True
        raise _Abort()

    def abort_with_status(self, status: Any) -> None:  # type: ignore[override]
        self.set_trailing_metadata(status.trailing_metadata)
        self.abort(status.code, status.details)

    def set_code(self, code: grpc.StatusCode) -> None:
        self._code = code

    def set_details(self, details: str) -> None:
        self._details = details

    def code(self) -> grpc.StatusCode | None:
        return self._code

    def details(self) -> str | None:
        return self._details

    def disable_next_message_compression(self) -> None:
        pass


class _Call:
    """One call between its arrival and its answer; the tag of its receive batch."""

    __slots__ = ("event", "method", "handler")

    def __init__(self, event: Any, method: str, handler: grpc.RpcMethodHandler) -> None:
        self.event, self.method, self.handler = event, method, handler


_REQUIRED_CYGRPC = ("CompletionQueue", "Server", "StatusCode", "ReceiveMessageOperation",
                    "SendInitialMetadataOperation", "SendMessageOperation",
                    "SendStatusFromServerOperation", "ReceiveCloseOnServerOperation")


class LoopServer(grpc.Server):
    """A ``grpc.Server`` for unary methods, served by one thread (see the module docstring)."""

    def __init__(self, options: Sequence[tuple[str, Any]] = ()) -> None:
        from grpc._cython import cygrpc

        missing = [name for name in _REQUIRED_CYGRPC if not hasattr(cygrpc, name)]
        if missing:
            raise RuntimeError(f"grpcio {grpc.__version__} lacks cygrpc.{', '.join(missing)}")
        self._cy = cygrpc
        self._cq = cygrpc.CompletionQueue()
        self._server = cygrpc.Server(tuple(options), False)
        self._server.register_completion_queue(self._cq)
        self._generic: list[grpc.GenericRpcHandler] = []
        self._registered: dict[str, grpc.RpcMethodHandler] = {}
        self._thread: threading.Thread | None = None
        self._stopped = threading.Event()

    # what add_*Servicer_to_server and PolicyPack call

    def add_generic_rpc_handlers(self, generic_rpc_handlers: Sequence[grpc.GenericRpcHandler]) -> None:
        self._generic.extend(generic_rpc_handlers)

    def add_registered_method_handlers(self, service_name: str,
                                       method_handlers: dict[str, grpc.RpcMethodHandler]) -> None:
        for name, handler in method_handlers.items():
            self._registered[f"/{service_name}/{name}"] = handler

    def add_insecure_port(self, address: str) -> int:
        port = self._server.add_http2_port(address.encode())
        if port == 0:
            raise RuntimeError(f"Failed to bind to address {address}; set GRPC_VERBOSITY=debug "
                               "environment variable to see detailed error message.")
        return port

    def add_secure_port(self, address: str, server_credentials: grpc.ServerCredentials) -> int:
        raise NotImplementedError("the policy pack serves the engine on localhost, without TLS")

    def start(self) -> None:
        self._server.start()
        self._server.request_call(self._cq, self._cq, _REQUEST)
        self._thread = threading.Thread(target=self._serve, name="plangate-pack-server", daemon=True)
        self._thread.start()

    def stop(self, grace: float | None) -> threading.Event:
        if self._thread is not None and not self._stopped.is_set():
            self._server.shutdown(self._cq, _SHUTDOWN)
            self._server.cancel_all_calls()
        else:
            self._stopped.set()
        return self._stopped

    def wait_for_termination(self, timeout: float | None = None) -> bool:
        return self._stopped.wait(timeout)

    # the loop

    def _serve(self) -> None:
        try:
            while True:
                event = self._cq.poll()
                tag = event.tag
                if tag is _SENT or tag is None:
                    continue
                if tag is _SHUTDOWN:
                    break
                try:
                    if tag is _REQUEST:
                        if not event.success:
                            break  # the server is shutting down
                        self._server.request_call(self._cq, self._cq, _REQUEST)
                        self._begin(event)
                    elif type(tag) is _Call:
                        self._answer(tag, event)
                except Exception:  # a bug here must not stop the server
                    _LOGGER.exception("plangate pack server: unexpected error handling a call")
        finally:  # drain what the shutdown completes, then the queue's own end
            self._cq.shutdown()
            while self._cq.poll().completion_type != self._cy.CompletionType.queue_shutdown:
                pass
            self._stopped.set()

    def _handler(self, method: str, metadata: Any) -> grpc.RpcMethodHandler | None:
        handler = self._registered.get(method)
        if handler is not None:
            return handler
        details = _HandlerCallDetails(method, metadata)
        for generic in self._generic:
            handler = generic.service(details)
            if handler is not None:
                return handler
        return None

    def _begin(self, event: Any) -> None:
        method = event.call_details.method.decode()
        handler = self._handler(method, event.invocation_metadata)
        if handler is None:
            self._finish(event.call, self._cy.StatusCode.unimplemented, _NOT_FOUND)
        elif handler.request_streaming or handler.response_streaming:
            self._finish(event.call, self._cy.StatusCode.unimplemented,
                         b"plangate's pack server serves unary methods only")
        else:
            event.call.start_server_batch((self._cy.ReceiveMessageOperation(0),), _Call(event, method, handler))

    def _answer(self, call: _Call, received: Any) -> None:
        cy, first, handler = self._cy, call.event, call.handler
        if not received.success:
            return  # the client went away before sending its request
        message = received.batch_operations[0].message()
        if message is None:
            self._finish(first.call, cy.StatusCode.unimplemented,
                         f'"{call.method}" requires exactly one request message.'.encode())
            return
        try:
            request = handler.request_deserializer(message) if handler.request_deserializer else message
        except Exception:
            _LOGGER.exception("Exception deserializing message!")
            self._finish(first.call, cy.StatusCode.internal, b"Exception deserializing request!")
            return
        context = _Context(first)
        try:
            response = handler.unary_unary(request, context)
        except Exception as exc:
            code, details = context._code, context._details
            if not context._aborted:
                _LOGGER.exception("Exception calling application: %s", exc)
                if code is None or code is grpc.StatusCode.OK:
                    code = grpc.StatusCode.UNKNOWN
                if details is None:
                    details = f"Exception calling application: {exc}"
            self._finish(first.call, code.value[0], (details or "").encode(), None,
                         context._initial, context._trailing)
            return
        try:
            payload = handler.response_serializer(response) if handler.response_serializer else response
        except Exception:
            _LOGGER.exception("Exception serializing message!")
            self._finish(first.call, cy.StatusCode.internal, b"Failed to serialize response!")
            return
        code = context._code.value[0] if context._code is not None else cy.StatusCode.ok
        self._finish(first.call, code, (context._details or "").encode(), payload,
                     context._initial, context._trailing)

    def _finish(self, call: Any, code: Any, details: bytes, payload: bytes | None = None,
                initial: Sequence[Any] = (), trailing: Sequence[Any] = ()) -> None:
        cy = self._cy
        operations = [cy.SendInitialMetadataOperation(initial, 0)]
        if payload is not None:
            operations.append(cy.SendMessageOperation(payload, 0))
        operations.append(cy.SendStatusFromServerOperation(trailing, code, details, 0))
        operations.append(cy.ReceiveCloseOnServerOperation(0))
        call.start_server_batch(tuple(operations), _SENT)


# --- pulumi-policy's PolicyPack on this server ---------------------------------------------------


class _GrpcWithLoopServer:
    """The ``grpc`` module as pulumi-policy sees it while `serving_with_loop` is active: the
    same, except that ``grpc.server(...)`` builds a `LoopServer`."""

    def __init__(self, real: Any) -> None:
        self._real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def server(self, thread_pool: Any = None, handlers: Any = None, interceptors: Any = None,
               options: Any = None, maximum_concurrent_rpcs: Any = None, compression: Any = None,
               xds: bool = False) -> grpc.Server:
        if interceptors or maximum_concurrent_rpcs is not None or compression is not None or xds:
            return self._real.server(thread_pool, handlers, interceptors, options, maximum_concurrent_rpcs,
                                     compression, xds)
        try:
            server = LoopServer(options or ())
        except Exception as exc:  # an unexpected grpcio: serve as pulumi-policy does
            sys.stderr.write(f"plangate: serving with grpc.server instead of the pack's loop ({exc})\n")
            return self._real.server(thread_pool, handlers, options=options)
        if thread_pool is not None:
            thread_pool.shutdown(wait=False)  # the SDK's pool: never used
        if handlers:
            server.add_generic_rpc_handlers(handlers)
        return server


@contextlib.contextmanager
def serving_with_loop(sdk_module: Any) -> Iterator[None]:
    """While active, ``grpc.server`` in ``sdk_module`` (pulumi-policy's ``policy`` module) builds
    a `LoopServer`; ``PLANGATE_PACK_SERVER=grpc`` leaves the SDK's server alone."""
    if os.environ.get(SERVER_ENV, "loop") == "grpc":
        yield
        return
    real = sdk_module.grpc
    sdk_module.grpc = _GrpcWithLoopServer(real)
    try:
        yield
    finally:
        sdk_module.grpc = real
