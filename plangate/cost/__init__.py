"""The cost model: usage assumptions, typed priced resources, a dated price table, estimates.

    from plangate.cost import estimate, prices, usage
    est = estimate.estimate(resources, usage.load("usage.yml"), prices.load(), region="eu-west-1")
    est.monthly, est.by_tag("Project"), estimate.compare(base_est, est).monthly

Modules: `types` (one module per priced type: its usage keys, how it reads a resource and how
it is priced, declared once and registered in `registry`), `catalogue` (the priced types and
their usage keys, derived from the registry; `docs` generates the docs from it), `usage` (usage files and the
``plangate:usage`` tag), `priced` / `pricing` (what reading and pricing share), `prices` (the
price table), `estimate` (totals, rollups, compare), `money` (how amounts are written).  The
renderers live in `plangate.report.cost`.
Nothing here imports numpy or any SDK: the scanner loads it only when a budget rule has work.
"""
