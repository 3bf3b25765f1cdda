"""ServiceMonitors for what no chart monitors itself (apps; Argo CD, whose values Terraform also
installs before the monitoring CRDs exist)."""

from __future__ import annotations

import cdk8s
from constructs import Construct

from imports.prometheus_servicemonitor.com.coreos.monitoring import (
    ServiceMonitor,
    ServiceMonitorSpec,
    ServiceMonitorSpecEndpoints,
    ServiceMonitorSpecSelector,
)


class Monitor(Construct):
    """Scrape ``port`` (a named Service port) of the Services matching ``selector`` in ``namespace``."""

    def __init__(
        self, scope: Construct, id: str, *, name: str, namespace: str, selector: dict[str, str], port: str, path: str = "/metrics"
    ) -> None:
        super().__init__(scope, id)
        self.this = ServiceMonitor(
            self,
            "monitor",
            metadata=cdk8s.ApiObjectMetadata(name=name, namespace=namespace),
            spec=ServiceMonitorSpec(
                selector=ServiceMonitorSpecSelector(match_labels=selector),
                endpoints=[ServiceMonitorSpecEndpoints(port=port, path=path, interval="30s")],
            ),
        )
