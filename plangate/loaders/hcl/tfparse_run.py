"""tfparse's raw evaluation of one root module, and the loop a worker process serves it with.

Standard library and tfparse only, on purpose: a worker (`plangate.loaders.hcl.workers`) runs
this file as a script, with ``python -S``, so it loads neither the plangate package nor site's
start-up hooks and is ready about 20 ms sooner.  Its requests are one JSON line each on stdin;
its replies a length-prefixed pickle on stdout (both ends are plangate: nothing foreign is
unpickled).  Anything Go prints on stdout goes to stderr instead.
"""

from __future__ import annotations

import json
import os
import pickle
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # not imported when run: a worker loads as little as it can
    from pathlib import Path
    from typing import IO, Any

#: Bytes of the length before each reply.
LENGTH = 8


class Refused(Exception):
    """The evaluator is not installed or refused the tree; the reason says which."""


def first_line(text: str) -> str:
    """A refusal's first line, kept short enough for one line of a report."""
    lines = text.strip().splitlines()
    return lines[0][:200] if lines else "(no message)"


def run_tfparse(root: Path | str, vars_paths: list[str]) -> dict[str, Any]:
    """tfparse's raw evaluation of the root module at ``root``.  Raises `Refused`."""
    try:
        import tfparse
    except ImportError:
        raise Refused("tfparse is not installed") from None
    try:
        data = tfparse.load_from_path(str(root), stop_on_hcl_error=True, allow_downloads=False,
                                      vars_paths=vars_paths)
    except tfparse.ParseError as exc:
        raise Refused(f"tfparse refused the tree: {first_line(str(exc))}") from None
    except RecursionError:
        raise Refused("tfparse output is nested too deeply") from None
    if not isinstance(data, dict):
        raise Refused("tfparse returned no configuration")
    return data


def serve(requests: IO[bytes], replies: IO[bytes]) -> None:
    """The worker's loop: one JSON request a line in, one length-prefixed pickle out."""
    for line in requests:
        request = json.loads(line)
        try:
            blob = pickle.dumps(("ok", run_tfparse(request["root"], request["vars"])),
                                protocol=pickle.HIGHEST_PROTOCOL)
        except Refused as refused:
            blob = pickle.dumps(("refused", str(refused)))
        except RecursionError:
            blob = pickle.dumps(("refused", "tfparse output is nested too deeply"))
        replies.write(len(blob).to_bytes(LENGTH, "big") + blob)
        replies.flush()


if __name__ == "__main__":
    sys.path[:0] = sys.argv[1:]  # the caller's import path: where tfparse is installed
    try:
        import tfparse  # noqa: F401  (Go starts initialising now, while the first request is on its way)
    except ImportError:
        pass  # each request is refused with the reason
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    serve(sys.stdin.buffer, replies)
