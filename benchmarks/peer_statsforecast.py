"""statsforecast's AutoETS and AutoARIMA on the forecast backtest's tasks (run in .venv-peers).

    .venv-peers/bin/python benchmarks/peer_statsforecast.py TASKS.npz OUT.npz

TASKS.npz holds, per task ``t<i>``, the history up to the as-of day (``t<i>_y``) and the number of
days to forecast (``t<i>_h``); OUT.npz gets the daily point forecasts ``<model>|t<i>``.  Weekly
seasonality (season_length=7) once two weeks are known, none before — the same rule as plangate's.
"""

from __future__ import annotations

import sys
import warnings

import numpy as np
from statsforecast.models import AutoARIMA, AutoETS


def forecast(model_name: str, y: np.ndarray, h: int) -> np.ndarray:
    season = 7 if len(y) >= 14 else 1
    model = AutoETS(season_length=season) if model_name == "autoets" else AutoARIMA(season_length=season)
    return np.asarray(model.forecast(y=y.astype(float), h=h)["mean"], float)


def main() -> int:
    tasks = np.load(sys.argv[1])
    names = sorted({k.split("_")[0] for k in tasks.files})
    out = {}
    warnings.simplefilter("ignore")
    for name in names:
        y, h = tasks[f"{name}_y"], int(tasks[f"{name}_h"])
        for model in ("autoets", "autoarima"):
            out[f"{model}|{name}"] = forecast(model, y, h)
    np.savez(sys.argv[2], **out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
