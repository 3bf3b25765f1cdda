"""Terraform composition root: every stack of the platform, wired by cross-stack references.

Order (CDKTF derives it from the references; `cdktf deploy` follows it):
state (local backend, deployed once) ; global-zone, global-ecr ;
per env: network -> cluster -> database -> bootstrap -> dns (dns also needs global-zone).
"""

from __future__ import annotations

from cdktf import App

from goldenpath.binding_checks import cheap_type_checks
from goldenpath.config import PlatformConfig
from goldenpath.jsii_structs import structs_from_values
from stacks.attributes import remembered
from stacks.bootstrap import BootstrapStack
from stacks.cluster import ClusterStack
from stacks.database import DatabaseStack
from stacks.dns import DnsStack
from stacks.ecr import EcrStack
from stacks.network import NetworkStack
from stacks.state import StateStack
from stacks.zone import ZoneStack


def build_app(config: PlatformConfig, *, outdir: str = "cdktf.out") -> App:
    # Node metadata stack traces would put absolute paths into cdk.tf.json: keep output portable.
    app = App(outdir=outdir, stack_traces=False)
    # each resource's attributes read through jsii once (stacks/attributes.py); structs sent
    # from their values (goldenpath/jsii_structs.py); the bindings' type checks cheap
    # (goldenpath/binding_checks.py)
    with remembered(), structs_from_values(), cheap_type_checks():
        StateStack(app, config=config)
        zone = ZoneStack(app, config=config)
        EcrStack(app, config=config)
        for env in config.environments:
            network = NetworkStack(app, config=config, env=env)
            cluster = ClusterStack(app, config=config, env=env, network=network)
            database = DatabaseStack(app, config=config, env=env, network=network, cluster=cluster)
            bootstrap = BootstrapStack(app, config=config, env=env, cluster=cluster)
            # Argo CD must not sync ExternalSecrets before their secrets exist.
            bootstrap.add_dependency(database)
            dns = DnsStack(app, config=config, env=env, zone=zone)
            # The NLB appears only once Argo CD has synced Kong.
            dns.add_dependency(bootstrap)
    return app
