"""``python -m plangate.loaders``: regenerate ``docs/input-formats.md`` from the input-format registry."""

from plangate.loaders.formats import main

raise SystemExit(main())
