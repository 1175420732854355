"""A metric series: ``timestamp,value`` rows as CloudWatch (and most monitoring tools) export them.

`read_metric_csv` checks the file and returns a `MetricSeries` sorted by time; every problem
raises `InputError` naming the file, the line and the column.  The header may spell the columns
``timestamp,value`` in any case (``TimeStamp,Value`` too); other columns are ignored.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from plangate.errors import InputError, first_line
from plangate.lake.schema import END_TIME, FIRST_TIME, MAX_ABS_VALUE

MAX_BYTES = 2 * 1024**3  # a metric export larger than this belongs in the lake, not in memory


@dataclass(frozen=True)
class MetricSeries:
    """Times (``datetime64[s]``, ascending) and finite float values of one series."""

    name: str
    times: np.ndarray
    values: np.ndarray

    def __len__(self) -> int:
        return len(self.values)

    @property
    def step_seconds(self) -> float:
        """The typical sampling interval (the median gap between samples)."""
        if len(self.times) < 2:
            return 0.0
        return float(np.median(np.diff(self.times).astype("timedelta64[s]").astype(np.int64)))


def read_metric_csv(path: str | os.PathLike[str]) -> MetricSeries:
    """The series in ``path``; raises `InputError` for unreadable, empty or malformed files."""
    import pandas as pd

    name = str(path)
    try:
        size = os.stat(path).st_size
    except OSError as exc:
        raise InputError(name, f"cannot read: {exc.strerror or exc}") from None
    if size > MAX_BYTES:
        raise InputError(name, f"{size} bytes is over the {MAX_BYTES} byte limit for a metric series")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except pd.errors.EmptyDataError:
        raise InputError(name, "empty file: expected a header timestamp,value and rows") from None
    except (pd.errors.ParserError, UnicodeDecodeError, OSError) as exc:
        raise InputError(name, f"not a CSV file: {first_line(exc)}") from None
    columns = {str(c).strip().lower(): c for c in frame.columns}
    missing = [c for c in ("timestamp", "value") if c not in columns]
    if missing:
        raise InputError(name, f"missing column {missing[0]!r} (header: {', '.join(map(str, frame.columns))})")
    if frame.empty:
        raise InputError(name, "no rows after the header")
    stamps = frame[columns["timestamp"]].str.strip()
    times = pd.to_datetime(stamps, errors="coerce", utc=True, format="mixed")
    bad = times.isna().to_numpy()
    if bad.any():
        i = int(np.argmax(bad))
        raise InputError(name, f"column timestamp: {stamps.iloc[i]!r} is not a date and time", line=i + 2)
    stamp = times.dt.tz_localize(None).to_numpy().astype("datetime64[s]")
    bad = (stamp < np.datetime64(FIRST_TIME)) | (stamp >= np.datetime64(END_TIME))
    if bad.any():
        i = int(np.argmax(bad))
        raise InputError(name, f"column timestamp: {stamps.iloc[i]!r} is not a time from {FIRST_TIME} up to "
                               f"{END_TIME}", line=i + 2)
    values = pd.to_numeric(frame[columns["value"]].str.strip(), errors="coerce").to_numpy(dtype=float)
    bad = ~(np.abs(values) <= MAX_ABS_VALUE)  # NaN and inf fail it too
    if bad.any():
        i = int(np.argmax(bad))
        raw = frame[columns["value"]].iloc[i]
        raise InputError(name, f"column value: {raw!r} is not a finite number within ±{MAX_ABS_VALUE:g}",
                         line=i + 2)
    order = np.argsort(stamp, kind="stable")
    # Repeated timestamps are kept in file order (exports repeat the hour a clock goes back).
    return MetricSeries(name, stamp[order], values[order])
