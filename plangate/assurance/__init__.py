"""Responsible-AI assurance after deploy: data and prediction drift, fairness across groups,
model cards, and the gate that turns their results into `Finding`s.

Modules: `tables` (CSV / Parquet / inference-capture windows → columns), `capture` (SageMaker
data-capture JSON lines), `stattests` (the per-feature drift tests), `drift`, `fairness`,
`modelcard` and `gate`.  The per-risk-tier limits (the policy file's ``assurance`` section) and
the rules that judge a model against them live with the other rules: `plangate.rules.thresholds`,
`plangate.rules.promotion`.
Nothing here is imported by the scan path; numpy, scipy and pyarrow load on first use.
"""
