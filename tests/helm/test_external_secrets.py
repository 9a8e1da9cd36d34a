"""deploy/external-secrets/database-password.yaml, the External Secrets Operator example that keeps
the database password Secret in sync with the RDS-managed secret in Secrets Manager: the API and
kinds ESO serves, authentication through the controller's EKS Pod Identity, and names that agree
with the chart's production values, Terraform and docs/aws-path.md."""

import re

import pytest
import yaml

from tests.helm.chart import NAMESPACE, PRODUCTION_VALUES
from tests.tooling import REPO_ROOT

MANIFEST = REPO_ROOT / "deploy" / "external-secrets" / "database-password.yaml"
API = "external-secrets.io/v1"
STORE_KINDS = {"SecretStore", "ClusterSecretStore"}
PASSWORD_SECRET = yaml.safe_load(PRODUCTION_VALUES.read_text())["database"]["passwordSecret"]
DURATION = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}


def go_duration_seconds(text: str) -> float:
    """A Go duration string (what ESO's refreshInterval is), e.g. 1m, 90s, 1h0m0s."""
    assert re.fullmatch(f"(?:{DURATION.pattern})+", text), f"not a Go duration: {text!r}"
    return sum(float(n) * SECONDS[unit] for n, unit in DURATION.findall(text))


@pytest.fixture(scope="module")
def docs() -> list[dict]:
    return [d for d in yaml.safe_load_all(MANIFEST.read_text()) if d]


def one(docs, kinds: set[str]) -> dict:
    found = [d for d in docs if d["kind"] in kinds]
    assert len(found) == 1, f"expected one of {kinds}, found {len(found)}"
    return found[0]


def test_go_duration_parser():
    assert go_duration_seconds("1m") == 60
    assert go_duration_seconds("1h0m0s") == 3600
    assert go_duration_seconds("90s") == 90
    with pytest.raises(AssertionError):
        go_duration_seconds("1 minute")


def test_api_versions_and_kinds(docs):
    assert {d["kind"] for d in docs} <= STORE_KINDS | {"ExternalSecret"}
    for d in docs:
        assert d["apiVersion"] == API, d["kind"]
        assert d["metadata"]["name"], d["kind"]
    one(docs, STORE_KINDS)
    one(docs, {"ExternalSecret"})


def test_store_is_aws_secrets_manager_with_the_controllers_pod_identity(docs):
    store = one(docs, STORE_KINDS)
    aws = store["spec"]["provider"]["aws"]
    assert aws["service"] == "SecretsManager"
    assert aws["region"], "the region is required"
    # EKS Pod Identity: no `auth` block, so ESO uses its controller's default credential chain
    # (the Pod Identity association's role); no keys in Secrets, no IRSA annotation.
    assert "auth" not in aws
    if store["kind"] == "SecretStore":
        assert store["metadata"]["namespace"] == NAMESPACE


def test_external_secret_fills_the_secret_the_chart_mounts(docs):
    store = one(docs, STORE_KINDS)
    es = one(docs, {"ExternalSecret"})
    spec = es["spec"]
    assert es["metadata"]["namespace"] == NAMESPACE, "the Secret must be in the release namespace"
    assert spec["secretStoreRef"] == {"kind": store["kind"], "name": store["metadata"]["name"]}
    assert spec["target"]["name"] == PASSWORD_SECRET["name"]
    assert spec["target"].get("creationPolicy", "Owner") == "Owner"
    (item,) = spec["data"]
    assert item["secretKey"] == PASSWORD_SECRET["key"]
    # The RDS-managed secret is JSON {"username", "password"}: only the password goes into the
    # file the app reads.
    assert item["remoteRef"]["property"] == "password"
    assert "dataFrom" not in spec


def test_refresh_interval_bounds_the_lag_behind_a_rotation(docs):
    spec = one(docs, {"ExternalSecret"})["spec"]
    seconds = go_duration_seconds(spec["refreshInterval"])
    assert 0 < seconds <= 5 * 60, "0 would never refresh; more than 5 minutes is a long outage"
    assert spec.get("refreshPolicy", "Periodic") == "Periodic"


def test_placeholders_name_terraform_outputs(docs):
    """<db_master_secret_arn> and <aws_region> are the outputs to fill in, and Terraform has them."""
    store = one(docs, STORE_KINDS)
    es = one(docs, {"ExternalSecret"})
    outputs = set(
        re.findall(r'^output "(\w+)"', (REPO_ROOT / "terraform" / "outputs.tf").read_text(), re.M)
    )
    for value in (
        store["spec"]["provider"]["aws"]["region"],
        es["spec"]["data"][0]["remoteRef"]["key"],
    ):
        found = re.fullmatch(r"<(\w+)>", value)
        assert found, f"{value!r}: expected a <terraform_output> placeholder"
        assert found[1] in outputs, f"terraform has no output {found[1]}"
    assert "db_master_secret_arn" in es["spec"]["data"][0]["remoteRef"]["key"]


def test_terraform_namespace_matches(docs):
    """The namespace of the manifests is the one Terraform's Pod Identity association and the
    chart's release use."""
    variables = (REPO_ROOT / "terraform" / "variables.tf").read_text()
    block = variables.split('variable "app_namespace"', 1)[1].split("\n}\n", 1)[0]
    assert f'default     = "{NAMESPACE}"' in block
    for d in docs:
        if d["kind"] != "ClusterSecretStore":
            assert d["metadata"]["namespace"] == NAMESPACE


def test_docs_tell_the_same_story():
    text = (REPO_ROOT / "docs" / "aws-path.md").read_text()
    assert "deploy/external-secrets/database-password.yaml" in text
    assert f"database.passwordSecret.name={PASSWORD_SECRET['name']}" in text
    helm_doc = (REPO_ROOT / "docs" / "helm.md").read_text()
    assert "database.passwordSecret" in helm_doc
