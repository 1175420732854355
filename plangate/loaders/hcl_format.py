"""The Terraform HCL input format: how ``.tf`` sources are recognised, and read by
`plangate.loaders.hcl` (imported only when HCL is read: it is the heaviest loader).

Its unit is a folder (a module is its folder's ``.tf`` and ``.tf.json`` files): a folder walk
hands every such folder to `plangate.loaders.hcl.load` at once, which tells root modules from
the modules they call; a ``.tf`` file named on its own is read as part of its folder.  A plan
JSON beside a root's files replaces the root's evaluated values (``planned_by``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from plangate.loaders.formats import Input, input_format
from plangate.loaders.tfplan import SOURCE_FORMAT as PLAN

if TYPE_CHECKING:
    from plangate.model import Load

NAME = "hcl"


def _folders(folders: list[Path]) -> Load:
    from plangate.loaders import hcl

    return hcl.load(folders)


def _engine() -> str:
    from plangate.loaders import hcl

    return hcl.evaluator_version()


@input_format(NAME, "Terraform `.tf` sources: a folder of root modules and the modules they call, or one file",
              suffixes=(".tf",), folders=_folders, folder_suffixes=(".tf", ".tf.json"), planned_by=PLAN,
              engine=_engine)
def read_input(src: Input) -> Load:
    from plangate.loaders import hcl
    from plangate.model import Load, Root

    return Load(hcl.load_file(src.path), roots=(Root(src.file, NAME, hcl.evaluator_version()),))
