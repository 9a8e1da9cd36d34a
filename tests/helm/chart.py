"""Render the Helm chart with the real Helm binary and look at the result.

`Helm` runs tool("helm") with its cache/config/data homes in a temp dir and a KUBECONFIG that
points nowhere, so nothing can reach a cluster. `Manifests` wraps one render: its documents, and
the pod specs of its workloads (Deployments, Jobs and bare Pods) for the assertions.
"""

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from tests.tooling import REPO_ROOT, tool

CHART = REPO_ROOT / "deploy" / "helm" / "learning-portal"
PRODUCTION_VALUES = CHART / "values-production.yaml"
CHECKOV_CONFIG = REPO_ROOT / "deploy" / "helm" / ".checkov.yaml"
NGINX_TEMPLATE = REPO_ROOT / "deploy" / "nginx" / "templates" / "default.conf.template"
RULES_DIR = REPO_ROOT / "observability" / "prometheus" / "rules"
DASHBOARDS_DIR = REPO_ROOT / "observability" / "grafana" / "dashboards"


def terraform_kubernetes_version() -> str:
    """The clusters' Kubernetes version: the default of terraform's var.kubernetes_version (the
    tfvars and CI's KUBERNETES_VERSION must agree with it, tests/infra checks that), as x.y.0."""
    text = (REPO_ROOT / "terraform" / "variables.tf").read_text()
    block = text.split('variable "kubernetes_version"', 1)[1].split("\n}\n", 1)[0]
    found = re.search(r'default\s*=\s*"(\d+\.\d+)"', block)
    assert found, "terraform/variables.tf: no default for kubernetes_version"
    return f"{found.group(1)}.0"


# The EKS version the chart is deployed to; every scenario is rendered and validated for it.
KUBE_VERSION = terraform_kubernetes_version()
RELEASE = "learning-portal"
NAMESPACE = "learning-portal"
MONITORING_API = "monitoring.coreos.com/v1"
# Kinds of the Prometheus Operator CRDs: kubernetes-validate bundles only Kubernetes' own schemas.
CRD_KINDS = {"ServiceMonitor", "PrometheusRule"}
WORKLOAD_KINDS = {"Deployment", "Job", "Pod"}


class HelmError(AssertionError):
    pass


class Helm:
    def __init__(self, home: Path):
        self.binary = tool("helm")
        self.env = {
            **os.environ,
            "HELM_CACHE_HOME": str(home / "cache"),
            "HELM_CONFIG_HOME": str(home / "config"),
            "HELM_DATA_HOME": str(home / "data"),
            # Never a real cluster: every command here is offline.
            "KUBECONFIG": str(home / "no-kubeconfig"),
        }

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [self.binary, *args], capture_output=True, text=True, env=self.env, timeout=120
        )
        if check and result.returncode != 0:
            raise HelmError(f"helm {' '.join(args)} failed:\n{result.stderr}")
        return result

    def template(
        self, *args: str, kube_version: str = KUBE_VERSION, chart: Path = CHART, check=True
    ) -> subprocess.CompletedProcess:
        return self.run(
            "template",
            RELEASE,
            str(chart),
            "--namespace",
            NAMESPACE,
            "--kube-version",
            kube_version,
            *args,
            check=check,
        )

    def render(self, *args: str, **kwargs) -> "Manifests":
        return Manifests.parse(self.template(*args, **kwargs).stdout)


@dataclass
class Manifests:
    text: str
    docs: list[dict] = field(default_factory=list)

    @classmethod
    def parse(cls, text: str) -> "Manifests":
        return cls(text, [d for d in yaml.safe_load_all(text) if d])

    def of_kind(self, kind: str) -> list[dict]:
        return [d for d in self.docs if d["kind"] == kind]

    def kinds(self) -> set[str]:
        return {d["kind"] for d in self.docs}

    def get(self, kind: str, name: str) -> dict:
        found = [d for d in self.of_kind(kind) if d["metadata"]["name"] == name]
        assert len(found) == 1, f"expected one {kind} {name}, found {len(found)}"
        return found[0]

    def find(self, kind: str, name: str) -> dict | None:
        found = [d for d in self.of_kind(kind) if d["metadata"]["name"] == name]
        return found[0] if found else None

    def workloads(self) -> list[tuple[dict, dict, dict]]:
        """(document, pod spec, pod labels) of every Deployment, Job and bare Pod."""
        result = []
        for doc in self.docs:
            if doc["kind"] in {"Deployment", "Job"}:
                template = doc["spec"]["template"]
                result.append((doc, template["spec"], template["metadata"].get("labels", {})))
            elif doc["kind"] == "Pod":
                result.append((doc, doc["spec"], doc["metadata"].get("labels", {})))
        return result

    def containers(self) -> list[tuple[dict, dict, dict]]:
        """(document, pod spec, container) for every container and init container."""
        return [
            (doc, spec, c)
            for doc, spec, _ in self.workloads()
            for c in spec.get("initContainers", []) + spec["containers"]
        ]


def name(component: str) -> str:
    return f"{RELEASE}-{component}"


def is_hook(doc: dict) -> bool:
    return "helm.sh/hook" in doc["metadata"].get("annotations", {})


def matches(selector: dict, labels: dict) -> bool:
    """Does a LabelSelector (matchLabels / matchExpressions) select these labels?"""
    for key, value in selector.get("matchLabels", {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions", []):
        key, op, values = expr["key"], expr["operator"], expr.get("values", [])
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and labels.get(key) in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def env_of(container: dict) -> dict[str, dict]:
    return {e["name"]: e for e in container.get("env", [])}
