"""The priced types, one module each: importing this package registers every one of them.

Adding a priced type is a new module here (a `plangate.cost.registry.priced_type` dataclass
that reads and prices itself) plus its rows in ``plangate/cost/data/prices.csv``; the
catalogue, the usage-file checks, the docs and the usage template follow from the registry.
"""

from __future__ import annotations

import importlib
import pkgutil

# Every module in the package, in name order (a new file is found without editing a list).
for _module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    importlib.import_module(f"{__name__}.{_module}")
