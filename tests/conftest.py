"""The one home of the suite's paths: the repository, its fixtures and goldens, and the real
corpora in ``../shared/`` (a sibling checkout; tests that need it skip with the reason when
it is absent).  Test modules import these names (``from conftest import CORPUS, needs_corpus``);
pytest puts this folder on ``sys.path``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]  # the repository
TESTS = ROOT / "tests"
FIXTURES = TESTS / "fixtures"
GOLDEN = TESTS / "golden"
EXAMPLES = ROOT / "examples"
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"  # real plans, previews, manifests, policy samples (SOURCES.md)
DATA = SHARED / "data"  # real billing, metric, drift, fairness data and the Model Card schema

CHECKOV_ENV = ROOT / ".venv-checkov"  # Checkov's own tool environment (make .venv-checkov/.installed)
PEERS_ENV = ROOT / ".venv-peers"  # Evidently, Fairlearn, PyOD: peers for comparison only
PEERS_PYTHON = PEERS_ENV / "bin" / "python"

needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the shared corpus is not checked out at {CORPUS}")
needs_data = pytest.mark.skipif(not DATA.is_dir(), reason=f"the shared data is not checked out at {DATA}")
FOCUS_VALIDATOR = ROOT / ".venv-focus" / "bin" / "focus-validator"  # FOCUS conformance: a test oracle only
needs_focus_validator = pytest.mark.skipif(
    not FOCUS_VALIDATOR.exists(),
    reason="focus-validator needs a Python 3.12 beside 3.11: `make .venv-focus/.installed` builds it where one is")
needs_peers = pytest.mark.skipif(not PEERS_PYTHON.exists(),
                                 reason="the peers' environment is missing: run `make .venv-peers/.installed`")
