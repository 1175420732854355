"""Entry point the Python language host runs for ``pulumi package add`` (``python <this dir>``).

Run that way, this directory itself is first on sys.path, where its modules would shadow one
another as top-level names; the repository root goes there instead, so ``components`` and
``plangate`` import as packages.
"""

import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

from components.provider import serve  # noqa: E402

serve()
