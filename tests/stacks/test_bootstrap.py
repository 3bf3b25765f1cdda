"""stacks/bootstrap.py: Argo CD from the model's chart, with the root Application in its values."""

from __future__ import annotations

import yaml

from goldenpath import helm_values
from tests.stacks.conftest import data, resources


def test_argocd_release_from_the_model(stack, default_config) -> None:
    doc = stack("dev-bootstrap")
    release = resources(doc, "helm_release")["argocd"]
    chart = default_config.platform.components["argocd"].chart
    assert (release["name"], release["repository"], release["chart"]) == ("dev-argocd", chart.repository, chart.name)
    assert release["version"] == default_config.chart_version("dev", "argocd")
    assert (release["namespace"], release["create_namespace"]) == ("argocd", True)
    # THEN the values are exactly the shared argocd bootstrap values (same as the GitOps tree's)
    (values,) = release["values"]
    assert yaml.safe_load(values) == helm_values.argocd_bootstrap(default_config, "dev")


def test_root_application_points_at_the_env_tree_on_its_branch(stack) -> None:
    for env, branch in (("dev", "development"), ("prod", "main")):
        (values,) = resources(stack(f"{env}-bootstrap"), "helm_release")["argocd"]["values"]
        (root,) = yaml.safe_load(values)["extraObjects"]
        assert root["metadata"]["name"] == f"{env}-root"
        assert root["spec"]["source"]["path"] == f"dist/gitops/{env}/apps"
        assert root["spec"]["source"]["targetRevision"] == branch


def test_providers_talk_to_this_envs_cluster(stack) -> None:
    doc = stack("staging-bootstrap")
    cluster = data(doc, "aws_eks_cluster")["cluster"]
    assert cluster["name"].startswith("${data.terraform_remote_state.cross-stack-reference-input-staging-cluster.outputs.")
    (helm,) = doc["provider"]["helm"]
    assert helm == {
        "kubernetes": {
            "host": "${data.aws_eks_cluster.cluster.endpoint}",
            "cluster_ca_certificate": "${base64decode(data.aws_eks_cluster.cluster.certificate_authority[0].data)}",
            "token": "${data.aws_eks_cluster_auth.cluster_auth.token}",
        }
    }
    assert set(doc["provider"]) == {"aws", "helm"}
