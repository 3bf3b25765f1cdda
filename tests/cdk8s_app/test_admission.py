"""The tenant SecretStore ValidatingAdmissionPolicy, evaluated offline (cdk8s_app/platform.TenantStorePolicy).

The consumer is the API server's cel-go; the runner here is ``cel-expr-python``, Google's CEL
runtime (the cel-cpp implementation of the same spec), with the variables an admission policy
sees (``object``, ``oldObject``, ``request``, ``params``, ``namespaceObject``, ``authorizer``,
``variables``) declared ``dyn`` as in the API server's admission compiler. It has no Kubernetes
extension libraries, so an expression that compiles here uses only base CEL, which every API
server has. The evaluation follows the documented order: matchConstraints, then matchConditions
(any false: skipped), then variables, then every validation; with failurePolicy Fail an
expression error denies like a false one. ``object`` is what admission sees: the pinned CRD's
defaults applied (``sessionTagsPolicy: None``) and valid against its schema.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import yaml
from cel_expr_python import cel  # imported, not importorskip: a missing runner fails, never skips

from goldenpath import naming, schemas
from goldenpath.config import PlatformConfig
from tests.cdk8s_app.conftest import Tree, named, of_kind

ENVS = ("dev", "staging", "prod")
ADMISSION_VARIABLES = ("object", "oldObject", "request", "params", "namespaceObject", "authorizer", "variables")


@functools.cache  # the CRD is 349 KB of YAML: parsed once, not twice per case
def _crd_schema() -> dict[str, Any]:
    crd = yaml.load((schemas.crd_dir() / "external-secrets" / "external-secrets.io_secretstores.yaml").read_text(), Loader=yaml.CSafeLoader)
    (v1,) = [v for v in crd["spec"]["versions"] if v["name"] == "v1"]
    return dict(v1["schema"]["openAPIV3Schema"])


def with_defaults(node: Any, schema: dict[str, Any]) -> Any:
    """Structural defaulting as the API server applies it before admission: an absent property
    with a ``default`` gets it, recursively through present objects and array items."""
    if isinstance(node, dict) and "properties" in schema:
        for key, sub in schema["properties"].items():
            if key not in node and "default" in sub:
                node[key] = copy.deepcopy(sub["default"])
            if key in node:
                with_defaults(node[key], sub)
    elif isinstance(node, list) and "items" in schema:
        for item in node:
            with_defaults(item, schema["items"])
    return node


@dataclass(frozen=True)
class Decision:
    matched: bool
    denied_by: tuple[str, ...] = ()  # messages of the validations that were false or errors
    errors: tuple[str, ...] = ()


class Admission:
    """One ValidatingAdmissionPolicy + Binding, compiled once."""

    def __init__(self, policy: dict[str, Any], binding: dict[str, Any]) -> None:
        self.env = cel.NewEnv(variables={v: cel.Type.DYN for v in ADMISSION_VARIABLES})
        self.policy, self.binding = policy, binding
        spec = policy["spec"]
        self.conditions = [self.env.compile(c["expression"]) for c in spec.get("matchConditions", [])]
        self.variables = [(v["name"], self.env.compile(v["expression"])) for v in spec.get("variables", [])]
        self.validations = [(self.env.compile(v["expression"]), v["message"]) for v in spec["validations"]]

    def _matches(self, request: dict[str, Any]) -> bool:
        for rule in self.policy["spec"]["matchConstraints"]["resourceRules"]:
            group, version, resource = request["resource"]["group"], request["resource"]["version"], request["resource"]["resource"]
            if (
                group in rule["apiGroups"]
                and (version in rule["apiVersions"] or "*" in rule["apiVersions"])
                and resource in rule["resources"]
                and not request.get("subResource")
                and request["operation"] in rule["operations"]
            ):
                return True
        return False

    @staticmethod
    def _eval(expr: Any, data: dict[str, Any]) -> tuple[Any, str | None]:
        value = expr.eval(data=data)
        if value.type() == cel.Type.ERROR:
            return None, str(value.value())
        return value.value(), None

    def review(self, obj: dict[str, Any], *, namespace: str, operation: str = "CREATE", old: dict[str, Any] | None = None) -> Decision:
        request = {
            "operation": operation,
            "namespace": namespace,
            "name": obj["metadata"]["name"],
            "kind": {"group": "external-secrets.io", "version": "v1", "kind": "SecretStore"},
            "resource": {"group": "external-secrets.io", "version": "v1", "resource": "secretstores"},
        }
        assert (
            self.binding["spec"]["validationActions"] == ["Deny"] and self.binding["spec"]["policyName"] == self.policy["metadata"]["name"]
        )
        if not self._matches(request):
            return Decision(matched=False)
        data: dict[str, Any] = {
            "object": obj,
            "oldObject": old,
            "request": request,
            "params": None,
            "namespaceObject": {"metadata": {"name": namespace}},
        }
        for condition in self.conditions:
            value, error = self._eval(condition, data)
            assert error is None, f"matchCondition error (failurePolicy Fail would deny every store): {error}"
            if value is False:
                return Decision(matched=False)
        variables: dict[str, Any] = {}
        for name, expr in self.variables:
            value, error = self._eval(expr, {**data, "variables": variables})
            assert error is None, f"variable {name}: {error}"
            variables[name] = value
        data["variables"] = variables
        denied, errors = [], []
        for expr, message in self.validations:
            value, error = self._eval(expr, data)
            if error is not None:
                errors.append(error)
            if value is not True:  # false, or an error under failurePolicy Fail
                denied.append(message)
        return Decision(matched=True, denied_by=tuple(denied), errors=tuple(errors))


def _admission(tree: Tree, config: PlatformConfig, env: str) -> Admission:
    name = naming.tenant_store_policy(config.platform)
    policy = named(tree[env], "ValidatingAdmissionPolicy", name)
    assert policy["spec"]["failurePolicy"] == "Fail"
    return Admission(policy, named(tree[env], "ValidatingAdmissionPolicyBinding", name))


def _as_admitted(store: dict[str, Any]) -> dict[str, Any]:
    obj = with_defaults(copy.deepcopy(store), _crd_schema())
    assert schemas.validate_manifest(obj) == [], "the API server would refuse it before admission"
    return obj


@pytest.mark.parametrize("env", ENVS)
def test_every_expression_compiles_to_bool_with_admission_variables_only(tree: Tree, config: PlatformConfig, env: str) -> None:
    # GIVEN the rendered policy WHEN each expression is compiled against the admission variables
    admission = _admission(tree, config, env)
    # THEN all compile (an undeclared name or a non-base function would not) and validations return bool
    assert len(admission.validations) == 9
    for expr, message in admission.validations:
        assert expr.return_type() in (cel.Type.BOOL, cel.Type.DYN), message


@pytest.mark.parametrize("env", ENVS)
def test_rendered_tenant_stores_pass_on_create_and_update(tree: Tree, config: PlatformConfig, env: str) -> None:
    admission = _admission(tree, config, env)
    stores = of_kind(tree[env], "SecretStore")
    assert len(stores) == len(config.apps_in(env)) > 0
    for store in stores.values():
        # GIVEN a rendered store as admission sees it (CRD defaults applied: sessionTagsPolicy None)
        obj = _as_admitted(store)
        assert obj["spec"]["provider"]["aws"]["sessionTagsPolicy"] == "None"
        for operation, old in (("CREATE", None), ("UPDATE", obj)):
            # WHEN Argo CD creates or updates it THEN the policy runs and every validation holds
            decision = admission.review(obj, namespace=store["metadata"]["namespace"], operation=operation, old=old)
            assert decision == Decision(matched=True), (store["metadata"]["namespace"], decision)


ORDERS = "apps-orders"
Change = Callable[[dict[str, Any]], None]


def _aws(change: Callable[[dict[str, Any]], None]) -> Change:
    return lambda store: change(store["spec"]["provider"]["aws"])


def _role(arn: str) -> Change:
    return _aws(lambda aws: aws.update(role=arn))


# escape -> (change to orders' dev store, the field named in the one validation that denies it)
ESCAPES: dict[str, tuple[Change, str]] = {
    "another app's tag": (_aws(lambda aws: aws.update(sessionTags=[{"key": "Application", "value": "sample-stateless"}])), "sessionTags"),
    "two tags": (_aws(lambda aws: aws["sessionTags"].append({"key": "Team", "value": "team-commerce"})), "sessionTags"),
    "own tag twice, another app's first": (
        _aws(lambda aws: aws["sessionTags"].insert(0, {"key": "Application", "value": "sample-stateless"})),
        "sessionTags",
    ),
    "tag under another key": (_aws(lambda aws: aws.update(sessionTags=[{"key": "application", "value": "orders"}])), "sessionTags"),
    "no session tags": (_aws(lambda aws: aws.pop("sessionTags")), "sessionTags"),
    "empty session tags": (_aws(lambda aws: aws.update(sessionTags=[])), "sessionTags"),
    "other env's tenant role": (_role("arn:aws:iam::593517239005:role/goldenpath-prod-tenant-secrets"), "role"),
    "operator role": (_role("arn:aws:iam::593517239005:role/goldenpath-dev-external-secrets"), "role"),
    "role in another account": (_role("arn:aws:iam::111111111111:role/goldenpath-dev-tenant-secrets"), "role"),
    "no role (controller identity)": (_aws(lambda aws: aws.pop("role")), "role"),
    "additionalRoles": (
        _aws(lambda aws: aws.update(additionalRoles=["arn:aws:iam::593517239005:role/goldenpath-dev-external-secrets"])),
        "additionalRoles",
    ),
    "sessionTagsPolicy Simple": (_aws(lambda aws: aws.update(sessionTagsPolicy="Simple")), "sessionTagsPolicy"),
    "sessionTagsPolicy Custom": (_aws(lambda aws: aws.update(sessionTagsPolicy="Custom")), "sessionTagsPolicy"),
    "customSessionTags": (_aws(lambda aws: aws.update(customSessionTags={"Application": "sample-stateless"})), "customSessionTags"),
    "transitiveTagKeys": (_aws(lambda aws: aws.update(transitiveTagKeys=["Application"])), "transitiveTagKeys"),
    "externalID": (_aws(lambda aws: aws.update(externalID="x")), "externalID"),
    "auth jwt (a ServiceAccount of the namespace)": (
        _aws(lambda aws: aws.update(auth={"jwt": {"serviceAccountRef": {"name": "default"}}})),
        "auth",
    ),
    "auth secretRef (static keys)": (
        _aws(
            lambda aws: aws.update(
                auth={
                    "secretRef": {
                        "accessKeyIDSecretRef": {"name": "k", "key": "id"},
                        "secretAccessKeySecretRef": {"name": "k", "key": "secret"},
                    }
                }
            )
        ),
        "auth",
    ),
    "another provider": (lambda store: store["spec"].update(provider={"fake": {"data": [{"key": "k", "value": "v"}]}}), "AWS provider"),
}


@pytest.mark.parametrize("escape", sorted(ESCAPES))
def test_escape_is_denied_by_its_validation(tree: Tree, config: PlatformConfig, escape: str) -> None:
    # GIVEN orders' rendered store, changed one way out of the tenant shape (still schema-valid)
    admission = _admission(tree, config, "dev")
    change, field = ESCAPES[escape]
    store = copy.deepcopy(next(s for s in of_kind(tree["dev"], "SecretStore").values() if s["metadata"]["namespace"] == ORDERS))
    change(store)
    obj = _as_admitted(store)
    for operation in ("CREATE", "UPDATE"):
        # WHEN it is created, or an existing store is updated to it
        decision = admission.review(obj, namespace=ORDERS, operation=operation, old=_as_admitted(store) if operation == "UPDATE" else None)
        # THEN exactly the validation about that field denies it (false, not an expression error)
        assert decision.matched and not decision.errors, decision
        assert len(decision.denied_by) == 1 and field in decision.denied_by[0], decision.denied_by


def test_store_copied_into_another_app_namespace_is_denied(tree: Tree, config: PlatformConfig) -> None:
    # GIVEN orders' store, unchanged, WHEN written into sample-stateless' namespace (it claims orders' tag there)
    admission = _admission(tree, config, "dev")
    store = next(s for s in of_kind(tree["dev"], "SecretStore").values() if s["metadata"]["namespace"] == ORDERS)
    decision = admission.review(_as_admitted(store), namespace="apps-sample-stateless")
    # THEN the session-tag validation denies it
    assert len(decision.denied_by) == 1 and "sessionTags" in decision.denied_by[0]


@pytest.mark.parametrize("namespace", ["external-secrets", "platform-db", "argocd", "myapps-orders"])
def test_policy_skips_namespaces_outside_the_app_prefix(tree: Tree, config: PlatformConfig, namespace: str) -> None:
    # GIVEN a store that breaks every rule WHEN written outside an app namespace THEN matchConditions skip it
    admission = _admission(tree, config, "dev")
    store = {
        "apiVersion": "external-secrets.io/v1",
        "kind": "SecretStore",
        "metadata": {"name": "x", "namespace": namespace},
        "spec": {"provider": {"fake": {"data": []}}},
    }
    assert admission.review(store, namespace=namespace) == Decision(matched=False)


def test_with_defaults_applies_the_crd_default() -> None:
    # The defaulting helper is what makes the passing test honest: admission sees sessionTagsPolicy.
    obj = with_defaults({"spec": {"provider": {"aws": {"region": "eu-west-2", "service": "SecretsManager"}}}}, _crd_schema())
    assert obj["spec"]["provider"]["aws"]["sessionTagsPolicy"] == "None"
