"""stacks/bootstrap.py: Argo CD from the model's chart, then the root Application in its own release."""

from __future__ import annotations

import pytest
import yaml

from goldenpath import helm_values
from goldenpath.model import ROOT_APPS_CHART
from tests.conftest import REPO
from tests.stacks.conftest import data, resources

CHARTS = REPO.parent / "shared" / "charts"


def test_argocd_release_from_the_model(stack, default_config) -> None:
    doc = stack("dev-bootstrap")
    release = resources(doc, "helm_release")["argocd"]
    chart = default_config.platform.components["argocd"].chart
    assert (release["name"], release["repository"], release["chart"]) == ("dev-argocd", chart.repository, chart.name)
    assert release["version"] == default_config.chart_version("dev", "argocd")
    assert (release["namespace"], release["create_namespace"]) == ("argocd", True)
    # THEN the values are exactly the argocd values of the GitOps tree ...
    (values,) = release["values"]
    assert yaml.safe_load(values) == helm_values.argocd(default_config, "dev") == helm_values.argocd_bootstrap(default_config, "dev")
    # ... without extraObjects: this release creates the Application CRD, so it cannot carry one
    assert "extraObjects" not in yaml.safe_load(values)


@pytest.mark.parametrize(("env", "branch"), [("dev", "development"), ("staging", "main"), ("prod", "main")])
def test_root_application_is_a_second_release_after_argocd(stack, default_config, env: str, branch: str) -> None:
    # GIVEN an env's bootstrap stack
    releases = resources(stack(f"{env}-bootstrap"), "helm_release")
    assert set(releases) == {"argocd", "root_apps"}
    root_apps = releases["root_apps"]
    # THEN the root Application comes from the pinned argocd-apps chart, in argocd, after Argo CD is ready
    assert (root_apps["repository"], root_apps["chart"], root_apps["version"]) == ("https://argoproj.github.io/argo-helm", "argocd-apps", "2.0.5")
    assert (root_apps["name"], root_apps["namespace"]) == (f"{env}-root-apps", "argocd")
    assert root_apps["depends_on"] == ["helm_release.argocd"]
    assert releases["argocd"]["wait"] is True and root_apps["wait"] is True
    # AND its values are argocd-apps 2.x's map keyed by the Application name
    (values,) = root_apps["values"]
    (name,) = yaml.safe_load(values)["applications"]
    entry = yaml.safe_load(values)["applications"][name]
    assert name == f"{env}-root"
    assert entry["source"] == {"repoURL": default_config.platform.git.repo_url, "targetRevision": branch, "path": f"dist/gitops/{env}/apps"}
    assert entry["namespace"] == "argocd"


@pytest.mark.skipif(not (CHARTS / "argocd-apps-2.0.5.tgz").is_file(), reason="pinned charts not beside the checkout")
def test_argocd_apps_chart_renders_exactly_the_root_application(stack, default_config) -> None:
    # GIVEN the pinned argocd-apps archive and the values Terraform hands it
    from helm_python import Chart

    chart = Chart.load(str(CHARTS / f"{ROOT_APPS_CHART.name}-{ROOT_APPS_CHART.version}.tgz"))
    release = resources(stack("dev-bootstrap"), "helm_release")["root_apps"]
    # WHEN Helm renders it as Terraform's release would
    rendered = chart.render(yaml.safe_load(release["values"][0]), name=release["name"], namespace=release["namespace"], is_install=True)
    objects = [o for text in rendered.values() for o in yaml.safe_load_all(text) if o]
    # THEN the only object is the single-source root Application of helm_values, unchanged
    assert objects == [helm_values.root_application(default_config, "dev")]


def test_helm_authenticates_with_a_fresh_token_per_call(stack) -> None:
    doc = stack("staging-bootstrap")
    cluster = data(doc, "aws_eks_cluster")["cluster"]
    assert cluster["name"].startswith("${data.terraform_remote_state.cross-stack-reference-input-staging-cluster.outputs.")
    (helm,) = doc["provider"]["helm"]
    # THEN the provider runs `aws eks get-token` (a token read at plan time expires after ~15 min)
    assert helm == {
        "kubernetes": {
            "host": "${data.aws_eks_cluster.cluster.endpoint}",
            "cluster_ca_certificate": "${base64decode(data.aws_eks_cluster.cluster.certificate_authority[0].data)}",
            "exec": {
                "api_version": "client.authentication.k8s.io/v1beta1",
                "command": "aws",
                "args": ["eks", "get-token", "--cluster-name", "${data.aws_eks_cluster.cluster.name}", "--region", "eu-west-2"],
            },
        }
    }
    assert "aws_eks_cluster_auth" not in doc.get("data", {})
    assert set(doc["provider"]) == {"aws", "helm"}


def test_outputs_name_the_release_and_root_application(stack) -> None:
    outputs = stack("prod-bootstrap")["output"]
    assert outputs["argocd_release"]["value"] == "${helm_release.argocd.name}"
    assert outputs["root_application"]["value"] == "prod-root"



def test_verifier_reads_the_root_application_from_the_argocd_apps_release(synth_dir, tmp_path) -> None:
    import json
    import shutil

    from goldenpath.verify.artifacts import load
    from goldenpath.verify.engine import run
    from goldenpath.verify.index import Index
    from tests.conftest import REPO

    # GIVEN the synthesized stacks and the committed tree
    roots = Index(load(synth_dir, REPO / "dist" / "gitops")).root_apps
    assert {env: (r.branch, r.path) for env, r in roots.items()} == {
        "dev": ("development", "dist/gitops/dev/apps"),
        "staging": ("main", "dist/gitops/staging/apps"),
        "prod": ("main", "dist/gitops/prod/apps"),
    }
    # WHEN the root Application is moved back into the argo-cd release's extraObjects (the
    # mechanism that fails on a fresh cluster)
    mutated = tmp_path / "cdktf.out"
    shutil.copytree(synth_dir, mutated)
    path = mutated / "stacks" / "dev-bootstrap" / "cdk.tf.json"
    doc = json.loads(path.read_text())
    releases = doc["resource"]["helm_release"]
    releases["argocd"]["values"] = [yaml.safe_dump({**yaml.safe_load(releases["argocd"]["values"][0]), "extraObjects": [{"kind": "Application", "spec": {"source": {}}}]})]
    del releases["root_apps"]
    path.write_text(json.dumps(doc))
    # THEN the verifier finds no root Application for dev and says so for every dev Application
    found = [v for v in run(mutated, REPO / "dist" / "gitops", layers=("consistency",)) if v.rule == "target-revision"]
    assert found and all("no root Application for dev" in v.message for v in found)
