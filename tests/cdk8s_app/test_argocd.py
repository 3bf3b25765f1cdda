"""Argo CD Applications and AppProjects: the fields whose mistakes broke the predecessor."""

from __future__ import annotations

import pytest

from cdk8s_app import layout
from goldenpath import naming
from goldenpath.config import PlatformConfig
from tests.cdk8s_app.conftest import Tree, named, of_kind

ENVS = ("dev", "staging", "prod")
REPO_URL = "https://github.com/mikeybeezy/goldenpath-idp-infra.git"


@pytest.mark.parametrize("env", ENVS)
def test_component_applications_are_multi_source_with_existing_values_files(config: PlatformConfig, tree: Tree, env: str) -> None:
    branch = config.platform.environments[env].branch
    for component in config.components_in(env):
        # GIVEN the component's Application
        app = named(tree[env], "Application", naming.application(env, component))
        chart, values, *extra = app["spec"]["sources"]
        spec = config.platform.components[component]
        # THEN source 1 is the chart at the pinned version with the $values file of this env
        assert chart["repoURL"] == spec.chart.repository.removeprefix("oci://")
        assert chart["chart"] == spec.chart.name
        assert chart["targetRevision"] == config.chart_version(env, component)
        assert chart["helm"] == {
            "releaseName": naming.release(env, component),
            "valueFiles": [f"$values/dist/gitops/{env}/values/{component}.yaml"],
        }
        # AND the values file named there exists in the tree (seed report B.4)
        assert f"values/{component}.yaml" in tree[env]
        # AND source 2 is the values ref on the env branch; source 3 (if any) the component dir
        assert values == {"repoURL": REPO_URL, "targetRevision": branch, "ref": "values"}
        assert extra in ([], [{"repoURL": REPO_URL, "targetRevision": branch, "path": f"dist/gitops/{env}/components/{component}"}])
        assert app["spec"]["destination"] == {"server": "https://kubernetes.default.svc", "namespace": spec.namespace}
        assert app["spec"]["project"] == naming.PLATFORM_PROJECT


@pytest.mark.parametrize("env", ENVS)
def test_git_sources_track_the_env_branch_everywhere(config: PlatformConfig, tree: Tree, env: str) -> None:
    branch = config.platform.environments[env].branch
    revisions = set()
    for app in of_kind(tree[env], "Application").values():
        for source in app["spec"].get("sources") or [app["spec"]["source"]]:
            if source["repoURL"] == REPO_URL:
                revisions.add(source["targetRevision"])
    assert revisions == {branch}


@pytest.mark.parametrize("env", ENVS)
def test_sync_waves_order_operators_before_their_objects(tree: Tree, env: str) -> None:
    def wave(name: str) -> int:
        return int(
            named(tree[env], "Application", naming.application(env, name))["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"]
        )

    # External Secrets -> ClusterSecretStore -> cert-manager -> ClusterIssuers -> Kong -> tooling -> apps
    order = ["external-secrets", "platform-secret-store", "cert-manager", "platform-issuers", "kong", "keycloak", "orders"]
    waves = [wave(n) for n in order]
    assert waves == sorted(waves) and len(set(waves)) == len(waves)
    assert wave("platform-namespaces") < wave("external-secrets")
    assert wave("kube-prometheus-stack") < wave("kong") < wave("platform-kong-plugins")  # ServiceMonitor CRD, Kong CRDs
    assert wave("aws-load-balancer-controller") < wave("kong")  # the NLB is made by the controller
    projects = of_kind(tree[env], "AppProject").values()
    assert {int(p["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"]) for p in projects} == {layout.WAVE_PROJECTS}


@pytest.mark.parametrize("env", ENVS)
def test_server_side_apply_and_webhook_ignores(tree: Tree, env: str) -> None:
    kps = named(tree[env], "Application", naming.application(env, "kube-prometheus-stack"))
    assert "ServerSideApply=true" in kps["spec"]["syncPolicy"]["syncOptions"]
    assert (
        "ServerSideApply=true" not in named(tree[env], "Application", naming.application(env, "kong"))["spec"]["syncPolicy"]["syncOptions"]
    )
    for component in ("cert-manager", "external-secrets", "kube-prometheus-stack"):
        ignores = named(tree[env], "Application", naming.application(env, component))["spec"]["ignoreDifferences"]
        assert {
            "group": "admissionregistration.k8s.io",
            "kind": "ValidatingWebhookConfiguration",
            "jqPathExpressions": [".webhooks[]?.clientConfig.caBundle"],
        } in ignores


def test_apps_sync_automatically_except_where_the_env_says_manual(config: PlatformConfig, tree: Tree) -> None:
    for env in ENVS:
        manual = config.platform.environments[env].app_sync == "manual"
        for app in config.apps_in(env):
            policy = named(tree[env], "Application", naming.application(env, app.name))["spec"]["syncPolicy"]
            assert ("automated" not in policy) is manual
            if not manual:
                assert policy["automated"] == {"prune": True, "selfHeal": True}
        # platform components are always automated, even in prod
        assert named(tree[env], "Application", naming.application(env, "kong"))["spec"]["syncPolicy"]["automated"] == {
            "prune": True,
            "selfHeal": True,
        }
    assert config.platform.environments["prod"].app_sync == "manual"


def test_image_updaters_follow_the_policy(tree: Tree) -> None:
    dev = tree["dev"]["components/argocd-image-updater/imageupdater-dev-hello-goldenpath-idp.yaml"]["spec"]["applicationRefs"][0]["images"][0]
    assert dev["commonUpdateSettings"] == {"updateStrategy": "newest-build"}  # dev override
    assert dev["imageName"] == "593517239005.dkr.ecr.eu-west-2.amazonaws.com/goldenpath/hello-goldenpath-idp"
    prod = tree["prod"]["components/argocd-image-updater/imageupdater-prod-orders.yaml"]["spec"]["applicationRefs"][0]["images"][0]
    assert prod["commonUpdateSettings"] == {"updateStrategy": "semver"}
    annotations = named(tree["dev"], "Application", "dev-hello-goldenpath-idp")["metadata"]["annotations"]
    assert [k for k in annotations if k.startswith("argocd-image-updater")] == []  # the dead 0.x settings are gone


def test_image_updater_policy_none_means_no_image_updater(config_copy) -> None:
    from cdk8s_app.app import render_files
    from goldenpath.config import load_config

    path = config_copy / "apps" / "orders.yaml"
    path.write_text(path.read_text().replace("prod: {replicas: 2, image_update: semver}", "prod: {replicas: 2, image_update: none}"))
    tree = render_files(load_config(config_copy))
    assert "components/argocd-image-updater/imageupdater-prod-orders.yaml" not in tree["prod"]


@pytest.mark.parametrize("env", ENVS)
def test_team_projects_are_limited_to_their_app_namespaces(config: PlatformConfig, tree: Tree, env: str) -> None:
    for team in config.platform.teams:
        project = named(tree[env], "AppProject", naming.team_project(team))["spec"]
        apps = [a for a in config.apps_in(env) if a.owner == team]
        assert project["sourceRepos"] == [REPO_URL]
        assert [d["namespace"] for d in project["destinations"]] == [naming.app_namespace(a) for a in apps]
        assert project["clusterResourceWhitelist"] == []
        # AND a team can sync ExternalSecrets but no store of its own (a SecretStore could assume
        # the tenant role with another app's tag; PushSecret writes): issue 12 tenant isolation
        kinds = {(k["group"], k["kind"]) for k in project["namespaceResourceWhitelist"]}
        assert ("external-secrets.io", "ExternalSecret") in kinds
        assert not {k for g, k in kinds if g == "external-secrets.io"} - {"ExternalSecret"}
        assert not any(g == "*" or k == "*" for g, k in kinds)
        for app in apps:
            assert named(tree[env], "Application", naming.application(env, app.name))["spec"]["project"] == naming.team_project(team)


def test_oci_chart_registry_is_declared_for_argo_cd(tree: Tree) -> None:
    secret = named(tree["dev"], "Secret", "helm-oci-registry-1-docker-io-bitnamicharts")
    assert secret["metadata"]["labels"] == {"argocd.argoproj.io/secret-type": "repository"}
    assert secret["stringData"] == {
        "enableOCI": "true",
        "name": secret["metadata"]["name"],
        "type": "helm",
        "url": "registry-1.docker.io/bitnamicharts",
    }
