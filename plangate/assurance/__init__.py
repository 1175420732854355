"""Responsible-AI assurance after deploy: data and prediction drift, fairness across groups,
model cards, and the gate that turns their results into `Finding`s.

Modules: `tables` (CSV / Parquet / inference-capture windows → columns), `capture` (SageMaker
data-capture JSON lines), `stattests` (the per-feature drift tests), `drift`, `fairness`,
`modelcard`, `thresholds` (per-risk-tier limits read from the policy file) and `gate`.
Nothing here is imported by the scan path; numpy, scipy and pyarrow load on first use.
"""
