"""The cost model: usage assumptions, typed priced resources, a dated price table, estimates.

    from plangate.cost import estimate, prices, usage
    est = estimate.estimate(resources, usage.load("usage.yml"), prices.load(), region="eu-west-1")
    est.monthly, est.by_tag("Project"), estimate.compare(base_est, est).monthly

Modules: `catalogue` (the priced types and their usage keys, declared once), `usage` (usage
files and the ``plangate:usage`` tag), `priced` (Resource → typed priced resource), `prices`
(the price table), `pricing` (typed resource → cost components), `estimate` (totals, rollups,
compare), `money` (how amounts are written).  The renderers live in `plangate.report.cost`.
Nothing here imports numpy or any SDK: the scanner loads it only when a budget rule has work.
"""
