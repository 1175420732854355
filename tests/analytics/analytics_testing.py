"""What the analytics tests share: a small stack (a function with provisioned concurrency, an endpoint)
and writers for its plan, REPORT log lines and metric series."""

from __future__ import annotations

import json

import numpy as np

from plangate.model import Resource

FN = Resource("aws_lambda_function", "aws_lambda_function.scorer", "tfplan",
              {"function_name": "scorer", "memory_size": 3008})
PC = Resource("aws_lambda_provisioned_concurrency_config", "aws_lambda_provisioned_concurrency_config.live",
              "tfplan", {"function_name": "scorer", "qualifier": "live", "provisioned_concurrent_executions": 50})
CONFIG = Resource("aws_sagemaker_endpoint_configuration", "aws_sagemaker_endpoint_configuration.cfg", "tfplan",
                  {"name": "cfg", "production_variants": [{"variant_name": "main", "instance_type": "ml.m5.large",
                                                           "initial_instance_count": 2}]})
ENDPOINT = Resource("aws_sagemaker_endpoint", "aws_sagemaker_endpoint.ep", "tfplan",
                    {"name": "ep", "endpoint_config_name": "cfg"})
HOURS = np.arange(np.datetime64("2026-11-01T00:00"), np.datetime64("2026-11-15T00:00"),
                  np.timedelta64(1, "h")).astype("datetime64[s]")


def report_lines(n: int, days: int = 14, used=lambda i: 280 + i % 30, size: int = 3008) -> list[str]:
    step = days * 86400 // n
    base = np.datetime64("2026-11-01T00:00:00")
    return [f"{base + np.timedelta64(i * step, 's')}.000Z\tREPORT RequestId: 5f0e-{i}\tDuration: 101.90 ms\t"
            f"Billed Duration: 102 ms\tMemory Size: {size} MB\tMax Memory Used: {used(i)} MB\t" for i in range(n)]


def plan_file(tmp_path):
    changes = []
    for res in (FN, PC, CONFIG, ENDPOINT):
        name = res.address.split(".", 1)[1]
        changes.append({"address": res.address, "mode": "managed", "type": res.type, "name": name,
                        "change": {"actions": ["create"], "after": res.properties, "after_unknown": {}}})
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"format_version": "1.2", "terraform_version": "1.9.0", "resource_changes": changes}))
    return path


def series_file(tmp_path, name, values):
    path = tmp_path / name
    path.write_text("timestamp,value\n" + "".join(f"{t},{v}\n" for t, v in zip(HOURS, values, strict=True)))
    return path
