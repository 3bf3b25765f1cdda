"""Kong Ingresses: one per public host, TLS from the env's ClusterIssuer (seed report H)."""

from __future__ import annotations

from cdk8s_plus_33 import k8s
from constructs import Construct

from goldenpath import naming

INGRESS_CLASS = "kong"


class PublicIngress(Construct):
    """Ingress ``name`` routing ``host`` to ``service:port``; cert-manager issues ``naming.tls_secret(host)``."""

    def __init__(self, scope: Construct, id: str, *, name: str, namespace: str, host: str, issuer: str, service: str, port: int) -> None:
        super().__init__(scope, id)
        backend = k8s.IngressBackend(service=k8s.IngressServiceBackend(name=service, port=k8s.ServiceBackendPort(number=port)))
        self.this = k8s.KubeIngress(
            self,
            "ingress",
            metadata=k8s.ObjectMeta(
                name=name,
                namespace=namespace,
                annotations={
                    "cert-manager.io/cluster-issuer": issuer,
                    # HTTPS only; plain HTTP is redirected (ACME HTTP-01 uses its own solver Ingress).
                    "konghq.com/protocols": "https",
                    "konghq.com/https-redirect-status-code": "301",
                },
            ),
            spec=k8s.IngressSpec(
                ingress_class_name=INGRESS_CLASS,
                tls=[k8s.IngressTls(hosts=[host], secret_name=naming.tls_secret(host))],
                rules=[
                    k8s.IngressRule(
                        host=host,
                        http=k8s.HttpIngressRuleValue(paths=[k8s.HttpIngressPath(path="/", path_type="Prefix", backend=backend)]),
                    )
                ],
            ),
        )
