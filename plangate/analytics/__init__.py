"""Analytics over billing and metric data: cost anomalies, forecasts, waste and configuration
outliers.  Models are numpy / scikit-learn and are imported by the commands that use them,
never by the scan path (``plangate scan`` imports `outliers` only for ``--baseline-fleet``).

| module | what it holds |
|---|---|
| `series` | a ``timestamp,value`` metric series read and checked (`MetricSeries`) |
| `detector` | `SeasonalRobustDetector`, the scikit-learn-style detector every anomaly path uses |
| `anomalies` | scores → `Anomaly` records (start, end, expected, actual, impact, contributors, owner) |
| `alerts` | `AlertPolicy` (which anomalies alert) and its defaults for cost and metrics |
| `costs` | daily cost per scope of the lake, scored scope by scope (DuckDB or Spark) |
| `find` | `find_anomalies`: what ``plangate anomalies`` asks — the anomalies and the policy applied |
| `forecast` | month-end spend per budget scope with an 80 % interval and the breach date |
| `waste` | idle functions / endpoints, Lambda memory right-sizing, unused provisioned concurrency |
| `outliers` | configuration outliers against a fleet of resources |
| `suggest` | plangate.yaml changes proposed from forecasts and waste, as a unified diff |
"""
