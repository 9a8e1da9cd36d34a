"""What the rendered manifests promise: Pod Security "restricted" everywhere, probes with the
right semantics, labels and selectors that match, the project's own nginx config, rules and
dashboards, graceful termination consistent with gunicorn, a migration hook that works on a first
install, and the AWS Load Balancer Controller / NetworkPolicy / monitoring wiring."""

import json
import re

import pytest
import yaml

from tests.helm.chart import (
    CHART,
    CRD_KINDS,
    DASHBOARDS_DIR,
    NAMESPACE,
    NGINX_TEMPLATE,
    PRODUCTION_VALUES,
    RELEASE,
    RULES_DIR,
    WORKLOAD_KINDS,
    env_of,
    is_hook,
    matches,
    name,
)
from tests.helm.conftest import PASSWORD_SECRET, SCENARIOS
from tests.tooling import REPO_ROOT

ALL = list(SCENARIOS)
CHART_META = yaml.safe_load((CHART / "Chart.yaml").read_text())
BACKEND_FQDN = f"{name('backend')}.{NAMESPACE}.svc.cluster.local"


def m(rendered, scenario="default"):
    return rendered[scenario].manifests


def container(manifests, deployment: str) -> dict:
    return manifests.get("Deployment", name(deployment))["spec"]["template"]["spec"]["containers"][
        0
    ]


# --- Pod Security Standard "restricted" ---------------------------------------------------------


@pytest.mark.parametrize("scenario", ALL)
def test_every_pod_and_container_is_restricted(rendered, scenario):
    manifests = m(rendered, scenario)
    assert manifests.workloads()
    for doc, spec, _ in manifests.workloads():
        where = f"{doc['kind']}/{doc['metadata']['name']}"
        pod = spec["securityContext"]
        assert pod["runAsNonRoot"] is True, where
        for key in ("runAsUser", "runAsGroup", "fsGroup"):
            assert isinstance(pod[key], int) and pod[key] > 0, (where, key)
        assert pod["seccompProfile"] == {"type": "RuntimeDefault"}, where
        assert spec["automountServiceAccountToken"] is False, where
        for forbidden in ("hostNetwork", "hostPID", "hostIPC"):
            assert not spec.get(forbidden), (where, forbidden)
        for volume in spec.get("volumes", []):
            assert "hostPath" not in volume, where
    for doc, _, c in manifests.containers():
        where = f"{doc['kind']}/{doc['metadata']['name']}/{c['name']}"
        sc = c["securityContext"]
        assert sc["runAsNonRoot"] is True, where
        assert isinstance(sc["runAsUser"], int) and sc["runAsUser"] > 0, where
        assert isinstance(sc["runAsGroup"], int) and sc["runAsGroup"] > 0, where
        assert sc["readOnlyRootFilesystem"] is True, where
        assert sc["allowPrivilegeEscalation"] is False, where
        assert sc.get("privileged", False) is False, where
        assert sc["capabilities"] == {"drop": ["ALL"]}, where
        assert sc["seccompProfile"] == {"type": "RuntimeDefault"}, where
        assert "ports" not in c or all("hostPort" not in p for p in c["ports"]), where
        assert c["resources"]["requests"] and c["resources"]["limits"], where
        assert c["resources"]["limits"].get("memory"), where


def test_numeric_users_match_the_images(rendered):
    """The app image's user is 10001 (Dockerfile), nginx-unprivileged's is 101. (checkov's
    high-UID check is skipped because of nginx; the app's own containers are held to it here.)"""
    manifests = m(rendered, "everything-on")
    for doc, spec, c in manifests.containers():
        expected = 101 if c["name"] == "nginx" else 10001
        assert c["securityContext"]["runAsUser"] == expected
        assert spec["securityContext"]["runAsUser"] == expected
        assert spec["securityContext"]["fsGroup"] == expected
    dockerfile = (REPO_ROOT / "Dockerfile").read_text()
    assert "USER 10001:10001" in dockerfile


@pytest.mark.parametrize("scenario", ALL)
def test_images_are_pinned_and_never_latest(rendered, scenario):
    for _, _, c in m(rendered, scenario).containers():
        image = c["image"]
        assert not image.endswith(":latest") and ":" in image.rsplit("/", 1)[-1], image
        assert c["imagePullPolicy"] == "IfNotPresent"


def test_image_tags_default_to_app_version_and_digests_pin(helm, rendered):
    app_version = CHART_META["appVersion"]
    assert container(m(rendered), "backend")["image"] == f"learning-portal:{app_version}"
    assert container(m(rendered), "frontend")["image"] == f"learning-portal-nginx:{app_version}"
    digest = "sha256:" + "a" * 64
    pinned = helm.render(
        "--set", f"backend.image.digest={digest}", "--set", "backend.image.tag=abc"
    )
    assert container(pinned, "backend")["image"] == f"learning-portal@{digest}"
    job = pinned.get("Job", name("migrate"))["spec"]["template"]["spec"]["containers"][0]
    assert job["image"] == f"learning-portal@{digest}", "the Job runs the same image as the pods"


# --- probes and graceful termination ----------------------------------------------------------


def test_backend_probes_have_the_right_semantics(rendered):
    c = container(m(rendered), "backend")
    ports = {p["name"]: p["containerPort"] for p in c["ports"]}
    assert ports == {"http": 8000}
    assert c["startupProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    # Liveness never depends on the database: /healthz, not /readyz.
    assert c["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert c["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    startup = c["startupProbe"]
    assert startup["periodSeconds"] * startup["failureThreshold"] >= 60, "room for a slow boot"
    assert c["livenessProbe"]["failureThreshold"] >= 3, "one slow answer must not restart the pod"
    health = (REPO_ROOT / "portal" / "health.py").read_text()
    assert "never touches the database" in health


def test_frontend_probes_use_nginx_own_endpoint(rendered):
    c = container(m(rendered), "frontend")
    assert {p["name"]: p["containerPort"] for p in c["ports"]} == {"http": 8080}
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert c[probe]["httpGet"] == {"path": "/nginx-health", "port": "http"}
    assert "location = /nginx-health" in NGINX_TEMPLATE.read_text()


@pytest.mark.parametrize("scenario", ALL)
def test_every_deployment_container_has_all_three_probes(rendered, scenario):
    """checkov's probe checks are skipped for the helm test Pod only in effect; this holds every
    long-running container to them."""
    for d in m(rendered, scenario).of_kind("Deployment"):
        for c in d["spec"]["template"]["spec"]["containers"]:
            for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
                assert probe in c, (d["metadata"]["name"], probe)


def gunicorn_default(setting: str) -> int:
    text = (REPO_ROOT / "gunicorn.conf.py").read_text()
    found = re.search(rf'_env_int\("{setting}", (\d+)\)', text)
    assert found, f"{setting} not found in gunicorn.conf.py"
    return int(found.group(1))


@pytest.mark.parametrize("scenario", ["default", "production", "kubernetes-1.29"])
def test_backend_termination_outlasts_gunicorn_graceful_shutdown(rendered, scenario):
    d = m(rendered, scenario).get("Deployment", name("backend"))
    spec = d["spec"]["template"]["spec"]
    c = spec["containers"][0]
    env = env_of(c)
    graceful = int(env["GUNICORN_GRACEFUL_TIMEOUT"]["value"])
    assert graceful == gunicorn_default("GUNICORN_GRACEFUL_TIMEOUT")
    pre_stop = c["lifecycle"]["preStop"]
    sleep = (
        pre_stop["sleep"]["seconds"]
        if "sleep" in pre_stop
        else int(pre_stop["exec"]["command"][-1])
    )
    assert sleep > 0
    assert spec["terminationGracePeriodSeconds"] >= sleep + graceful + 1
    assert int(env["GUNICORN_TIMEOUT"]["value"]) == gunicorn_default("GUNICORN_TIMEOUT")


def test_pre_stop_uses_sleep_action_where_kubernetes_has_it(rendered):
    new = container(m(rendered), "backend")["lifecycle"]["preStop"]
    old = container(m(rendered, "kubernetes-1.29"), "backend")["lifecycle"]["preStop"]
    assert new == {"sleep": {"seconds": 10}}
    assert old == {"exec": {"command": ["sleep", "10"]}}


def test_explicit_grace_period_is_kept(helm):
    rendered = helm.render("--set", "backend.terminationGracePeriodSeconds=90")
    spec = rendered.get("Deployment", name("backend"))["spec"]["template"]["spec"]
    assert spec["terminationGracePeriodSeconds"] == 90


def test_frontend_drains_before_nginx_stops(rendered):
    manifests = m(rendered, "production")
    spec = manifests.get("Deployment", name("frontend"))["spec"]["template"]["spec"]
    sleep = spec["containers"][0]["lifecycle"]["preStop"]["sleep"]["seconds"]
    assert spec["terminationGracePeriodSeconds"] > sleep
    attrs = manifests.get("Ingress", RELEASE)["metadata"]["annotations"][
        "alb.ingress.kubernetes.io/target-group-attributes"
    ]
    delay = int(re.search(r"deregistration_delay\.timeout_seconds=(\d+)", attrs).group(1))
    assert delay <= sleep, "the ALB must have deregistered the pod before nginx stops"


# --- the app's environment, volumes and secrets ---------------------------------------------------


def test_backend_environment_and_volumes(rendered):
    manifests = m(rendered)
    spec = manifests.get("Deployment", name("backend"))["spec"]["template"]["spec"]
    c = spec["containers"][0]
    env = env_of(c)
    assert env["POD_IP"]["valueFrom"] == {"fieldRef": {"fieldPath": "status.podIP"}}
    metrics_dir = env["PROMETHEUS_MULTIPROC_DIR"]["value"]
    mounts = {vm["mountPath"]: vm["name"] for vm in c["volumeMounts"]}
    volumes = {v["name"]: v for v in spec["volumes"]}
    assert volumes[mounts[metrics_dir]]["emptyDir"]["medium"] == "Memory"
    assert volumes[mounts[metrics_dir]]["emptyDir"]["sizeLimit"]
    assert "emptyDir" in volumes[mounts["/tmp"]]
    assert "medium" not in volumes[mounts["/tmp"]]["emptyDir"]
    # Config from the ConfigMap, secrets from the Secret.
    assert c["envFrom"] == [{"configMapRef": {"name": name("config")}}]
    for var in ("DJANGO_SECRET_KEY", "DATABASE_URL"):
        assert env[var]["valueFrom"]["secretKeyRef"]["name"] == name("secret")
    config = manifests.get("ConfigMap", name("config"))["data"]
    assert config["DJANGO_SETTINGS_MODULE"] == "portal.settings.production"
    assert not {"DJANGO_SECRET_KEY", "DATABASE_URL"} & set(config), "secrets stay out of it"


def test_allowed_hosts_cover_ingress_hosts_and_service_names(rendered):
    manifests = m(rendered, "production")
    config = manifests.get("ConfigMap", name("config"))["data"]
    hosts = config["DJANGO_ALLOWED_HOSTS"].split(",")
    production = yaml.safe_load(PRODUCTION_VALUES.read_text())
    for host in production["ingress"]["hosts"]:
        assert host in hosts
        assert f"https://{host}" in config["DJANGO_CSRF_TRUSTED_ORIGINS"].split(",")
    assert BACKEND_FQDN in hosts, "the helm test pod calls the Service by this name"
    assert name("backend") in hosts


def test_chart_secret_holds_the_given_values(rendered):
    manifests = m(rendered, "chart-secret-values")
    data = manifests.get("Secret", name("secret"))["stringData"]
    assert data == {
        "DJANGO_SECRET_KEY": "k" * 64,
        "DATABASE_URL": "postgres://portal:pw@db.internal:5432/portal",
    }


def test_generated_secret_key_is_long_and_shared_with_the_hook(rendered):
    manifests = m(rendered)
    key = manifests.get("Secret", name("secret"))["stringData"]["DJANGO_SECRET_KEY"]
    assert len(key) >= 50
    hook_key = manifests.get("Secret", name("migrate"))["stringData"]["DJANGO_SECRET_KEY"]
    assert hook_key == key


def test_existing_secret_replaces_the_chart_secret(rendered):
    manifests = m(rendered, "existing-secret")
    assert not manifests.of_kind("Secret"), "no Secret of the chart, not even the hook's"
    for doc, _, c in manifests.containers():
        if c["name"] == "nginx" or doc["kind"] == "Pod":
            continue
        env = env_of(c)
        for var in ("DJANGO_SECRET_KEY", "DATABASE_URL"):
            assert env[var]["valueFrom"]["secretKeyRef"]["name"] == "portal-env", doc["kind"]


# --- checksums roll the pods --------------------------------------------------------------------


def annotations(manifests, deployment: str) -> dict:
    d = manifests.get("Deployment", name(deployment))
    return d["spec"]["template"]["metadata"]["annotations"]


def test_checksums_change_when_config_changes(helm, rendered):
    fixed = ["--set", "secret.djangoSecretKey=" + "x" * 60]
    base = helm.render(*fixed)
    config = helm.render(*fixed, "--set", "config.logLevel=DEBUG")
    secret = helm.render(*fixed, "--set", "secret.databaseUrl=postgres://u:p@db:5432/portal")
    unrelated = helm.render(*fixed, "--set", "frontend.replicas=4")
    b = annotations(base, "backend")
    assert b["checksum/config"] != annotations(config, "backend")["checksum/config"]
    assert b["checksum/secret"] == annotations(config, "backend")["checksum/secret"]
    assert b["checksum/secret"] != annotations(secret, "backend")["checksum/secret"]
    assert b["checksum/config"] == annotations(secret, "backend")["checksum/config"]
    assert annotations(unrelated, "backend") == b
    assert annotations(base, "frontend") == annotations(config, "frontend")


def test_frontend_checksum_follows_the_nginx_template(helm, tmp_path):
    """A changed nginx template rolls the nginx pods: render a copy of the chart whose (resolved)
    template differs by one comment."""
    import shutil

    copy = tmp_path / "learning-portal"
    shutil.copytree(CHART, copy, symlinks=False)
    template = copy / "files" / "nginx" / "default.conf.template"
    before = helm.render(chart=copy)
    template.write_text(template.read_text() + "# changed\n")
    after = helm.render(chart=copy)
    assert (
        annotations(before, "frontend")["checksum/config"]
        != annotations(after, "frontend")["checksum/config"]
    )
    assert (
        annotations(before, "backend")["checksum/config"]
        == annotations(after, "backend")["checksum/config"]
    )


# --- labels and selectors -------------------------------------------------------------------


@pytest.mark.parametrize("scenario", ALL)
def test_every_resource_has_the_standard_labels(rendered, scenario):
    for doc in m(rendered, scenario).docs:
        labels = doc["metadata"]["labels"]
        where = f"{doc['kind']}/{doc['metadata']['name']}"
        assert labels["app.kubernetes.io/name"] == "learning-portal", where
        assert labels["app.kubernetes.io/instance"] == RELEASE, where
        assert labels["app.kubernetes.io/version"] == CHART_META["appVersion"], where
        assert labels["app.kubernetes.io/managed-by"] == "Helm", where
        assert labels["app.kubernetes.io/part-of"] == "learning-portal", where
        assert labels["helm.sh/chart"] == f"learning-portal-{CHART_META['version']}", where
        assert doc["metadata"]["namespace"] == NAMESPACE, where
        if doc["kind"] in WORKLOAD_KINDS | {"Service", "PodDisruptionBudget", "NetworkPolicy"}:
            assert labels["app.kubernetes.io/component"], where


@pytest.mark.parametrize("scenario", ALL)
def test_selectors_match_the_pods_they_mean(rendered, scenario):
    manifests = m(rendered, scenario)
    deployments = {d["metadata"]["name"]: d for d in manifests.of_kind("Deployment")}
    pod_labels = {n: d["spec"]["template"]["metadata"]["labels"] for n, d in deployments.items()}
    assert set(deployments) == {name("backend"), name("frontend")}

    def selected(selector):
        return {n for n, labels in pod_labels.items() if matches(selector, labels)}

    for n, d in deployments.items():
        # A Deployment selects exactly its own pods, and its selector is immutable: only the
        # stable selector labels are in it (never version or chart).
        assert selected(d["spec"]["selector"]) == {n}
        assert set(d["spec"]["selector"]["matchLabels"]) == {
            "app.kubernetes.io/name",
            "app.kubernetes.io/instance",
            "app.kubernetes.io/component",
        }
        for tsc in d["spec"]["template"]["spec"].get("topologySpreadConstraints", []):
            assert selected(tsc["labelSelector"]) == {n}
    for svc in manifests.of_kind("Service"):
        (target,) = selected({"matchLabels": svc["spec"]["selector"]})
        assert target == svc["metadata"]["name"]
        container_ports = {
            p["name"]
            for c in deployments[target]["spec"]["template"]["spec"]["containers"]
            for p in c["ports"]
        }
        for port in svc["spec"]["ports"]:
            assert port["targetPort"] in container_ports
    for pdb in manifests.of_kind("PodDisruptionBudget"):
        assert selected(pdb["spec"]["selector"]) == {pdb["metadata"]["name"]}
    for hpa in manifests.of_kind("HorizontalPodAutoscaler"):
        ref = hpa["spec"]["scaleTargetRef"]
        assert ref["kind"] == "Deployment" and ref["name"] in deployments
        assert "replicas" not in deployments[ref["name"]]["spec"], "the HPA owns the count"
    for ingress in manifests.of_kind("Ingress"):
        services = {s["metadata"]["name"]: s for s in manifests.of_kind("Service")}
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                backend = path["backend"]["service"]
                assert backend["name"] == name("frontend")
                ports = {p["name"] for p in services[backend["name"]]["spec"]["ports"]}
                assert backend["port"]["name"] in ports


@pytest.mark.parametrize("scenario", ["default", "production", "everything-on"])
def test_network_policies_select_real_pods(rendered, scenario):
    manifests = m(rendered, scenario)
    workloads = {doc["metadata"]["name"]: labels for doc, _, labels in manifests.workloads()}
    policies = manifests.of_kind("NetworkPolicy")
    assert policies
    covered = set()
    for policy in policies:
        spec = policy["spec"]
        mine = {n for n, labels in workloads.items() if matches(spec["podSelector"], labels)}
        assert mine, f"{policy['metadata']['name']} selects no pod"
        covered |= mine
        for rule in spec.get("ingress", []) + spec.get("egress", []):
            for peer in rule.get("from", []) + rule.get("to", []):
                if "podSelector" in peer and "namespaceSelector" not in peer:
                    peers = {n for n, lab in workloads.items() if matches(peer["podSelector"], lab)}
                    assert peers, f"{policy['metadata']['name']}: a peer selects no pod"
    assert covered == set(workloads), f"pods without a policy: {set(workloads) - covered}"


def test_replicas_defaults(rendered):
    manifests = m(rendered)
    assert manifests.get("Deployment", name("backend"))["spec"]["replicas"] == 3
    assert manifests.get("Deployment", name("frontend"))["spec"]["replicas"] == 2
    hpas = {
        h["metadata"]["name"]: h["spec"]
        for h in m(rendered, "autoscaling-on").of_kind("HorizontalPodAutoscaler")
    }
    assert (hpas[name("backend")]["minReplicas"], hpas[name("backend")]["maxReplicas"]) == (3, 20)
    assert (hpas[name("frontend")]["minReplicas"], hpas[name("frontend")]["maxReplicas"]) == (2, 10)
    for spec in hpas.values():
        (metric,) = spec["metrics"]
        assert metric["resource"]["name"] == "cpu"
    for d in manifests.of_kind("Deployment"):
        spec = d["spec"]["template"]["spec"]
        keys = [t["topologyKey"] for t in spec["topologySpreadConstraints"]]
        assert keys == ["topology.kubernetes.io/zone", "kubernetes.io/hostname"]


# --- one source of truth: nginx config, rules, dashboards -------------------------------------


def test_nginx_configmap_is_the_repository_template_byte_for_byte(rendered):
    cm = m(rendered).get("ConfigMap", name("nginx"))
    assert cm["data"] == {"default.conf.template": NGINX_TEMPLATE.read_text()}


def test_nginx_pods_render_the_template_with_its_variables(rendered):
    manifests = m(rendered)
    spec = manifests.get("Deployment", name("frontend"))["spec"]["template"]["spec"]
    c = spec["containers"][0]
    mounts = {vm["mountPath"]: vm for vm in c["volumeMounts"]}
    volumes = {v["name"]: v for v in spec["volumes"]}
    templates = mounts["/etc/nginx/templates"]
    assert templates["readOnly"] is True
    assert volumes[templates["name"]]["configMap"]["name"] == name("nginx")
    # The entrypoint writes the rendered config and nginx its caches: both writable emptyDirs.
    assert "emptyDir" in volumes[mounts["/etc/nginx/conf.d"]["name"]]
    assert "emptyDir" in volumes[mounts["/tmp"]["name"]]
    variables = set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)\}", NGINX_TEMPLATE.read_text()))
    env = {e["name"]: e["value"] for e in c["env"]}
    assert set(env) == variables == {"NGINX_PORT", "PORTAL_UPSTREAM", "NGINX_CACHE_DIR"}
    assert env["NGINX_PORT"] == str(c["ports"][0]["containerPort"])
    backend_port = manifests.get("Service", name("backend"))["spec"]["ports"][0]["port"]
    assert env["PORTAL_UPSTREAM"] == f"{BACKEND_FQDN}:{backend_port}"
    assert env["NGINX_CACHE_DIR"] == "/tmp"


def rule_files():
    files = sorted(RULES_DIR.glob("*.yaml"))
    assert files, "no rule files in observability/prometheus/rules"
    return files


def test_prometheus_rules_are_the_repository_rule_files(rendered):
    rules = m(rendered, "monitoring-on").of_kind("PrometheusRule")
    by_source = {r["metadata"]["annotations"]["learning-portal/source"]: r for r in rules}
    assert set(by_source) == {f"observability/prometheus/rules/{f.name}" for f in rule_files()}
    for f in rule_files():
        rule = by_source[f"observability/prometheus/rules/{f.name}"]
        assert rule["spec"] == yaml.safe_load(f.read_text()), f.name
        assert rule["spec"]["groups"]


def test_prometheus_rule_and_service_monitor_labels(rendered):
    manifests = m(rendered, "production")
    production = yaml.safe_load(PRODUCTION_VALUES.read_text())["monitoring"]
    for rule in manifests.of_kind("PrometheusRule"):
        for k, v in production["prometheusRule"]["additionalLabels"].items():
            assert rule["metadata"]["labels"][k] == v
    (sm,) = manifests.of_kind("ServiceMonitor")
    for k, v in production["serviceMonitor"]["additionalLabels"].items():
        assert sm["metadata"]["labels"][k] == v


def test_service_monitor_scrapes_backend_pods_on_the_app_port(rendered):
    manifests = m(rendered, "monitoring-on")
    (sm,) = manifests.of_kind("ServiceMonitor")
    assert sm["apiVersion"] == "monitoring.coreos.com/v1"
    backend = manifests.get("Service", name("backend"))
    assert matches(sm["spec"]["selector"], backend["metadata"]["labels"])
    assert not matches(
        sm["spec"]["selector"], manifests.get("Service", name("frontend"))["metadata"]["labels"]
    )
    assert sm["spec"]["namespaceSelector"] == {"matchNames": [NAMESPACE]}
    (endpoint,) = sm["spec"]["endpoints"]
    port = next(p for p in backend["spec"]["ports"] if p["name"] == endpoint["port"])
    assert port["targetPort"] == "http"  # the container's 8000, the app port
    assert endpoint["path"] == "/metrics"
    assert endpoint["interval"] == "30s"
    assert set(endpoint) <= {"port", "path", "scheme", "interval", "scrapeTimeout", "relabelings"}
    # The rules select job="..." : the ServiceMonitor must produce exactly that job name.
    jobs = {j for f in rule_files() for j in re.findall(r'job="([^"]+)"', f.read_text())}
    (relabel,) = endpoint["relabelings"]
    assert relabel == {"action": "replace", "targetLabel": "job", "replacement": jobs.pop()}
    assert not jobs, "the rule files disagree on the job name"


def test_grafana_dashboards_are_the_repository_dashboards(rendered):
    manifests = m(rendered, "monitoring-on")
    files = sorted(DASHBOARDS_DIR.glob("*.json"))
    assert files
    maps = [
        c
        for c in manifests.of_kind("ConfigMap")
        if "learning-portal/source" in c["metadata"].get("annotations", {})
    ]
    by_source = {c["metadata"]["annotations"]["learning-portal/source"]: c for c in maps}
    assert set(by_source) == {f"observability/grafana/dashboards/{f.name}" for f in files}
    for f in files:
        cm = by_source[f"observability/grafana/dashboards/{f.name}"]
        assert cm["metadata"]["labels"]["grafana_dashboard"] == "1"
        assert cm["data"] == {f.name: f.read_text()}
        assert json.loads(cm["data"][f.name]) == json.loads(f.read_text())


def test_monitoring_needs_both_the_flag_and_the_crds(rendered):
    assert not CRD_KINDS & m(rendered, "monitoring-on-without-crds").kinds()
    assert not CRD_KINDS & m(rendered, "default").kinds()
    # Dashboards are plain ConfigMaps: only the flag counts.
    without = m(rendered, "monitoring-on-without-crds").of_kind("ConfigMap")
    assert any("grafana_dashboard" in c["metadata"]["labels"] for c in without)
    assert not any(
        "grafana_dashboard" in c["metadata"]["labels"] for c in m(rendered).of_kind("ConfigMap")
    )


# --- the migration hook -------------------------------------------------------------------------


def hook_weight(doc) -> int:
    return int(doc["metadata"]["annotations"].get("helm.sh/hook-weight", "0"))


@pytest.mark.parametrize("scenario", ["default", "existing-secret", "production"])
def test_migration_job_is_a_pre_install_pre_upgrade_hook(rendered, scenario):
    manifests = m(rendered, scenario)
    job = manifests.get("Job", name("migrate"))
    ann = job["metadata"]["annotations"]
    assert ann["helm.sh/hook"] == "pre-install,pre-upgrade"
    assert ann["helm.sh/hook-delete-policy"] == "before-hook-creation,hook-succeeded"
    spec = job["spec"]["template"]["spec"]
    (c,) = spec["containers"]
    assert c["command"] == [
        "/bin/sh",
        "-c",
        "python manage.py migrate --noinput && python manage.py load_lessons",
    ]
    assert spec["restartPolicy"] == "Never"
    assert job["spec"]["activeDeadlineSeconds"] > 0
    env = env_of(c)
    assert env["DJANGO_SETTINGS_MODULE"]["value"] == "portal.settings.production"
    assert env["DJANGO_ALLOWED_HOSTS"]["value"], "production settings refuse to load without it"


@pytest.mark.parametrize(
    "scenario", ["default", "existing-secret", "production", "database-password-file"]
)
def test_migration_job_uses_only_what_exists_before_the_release(rendered, scenario):
    """On a first install, pre-install hooks run before any normal resource of the release
    exists. So everything the Job's pod refers to must be a hook resource created before it
    (lower weight) or one of the operator's Secrets (secret.existingSecret,
    database.passwordSecret.name), which exist before `helm install`."""
    manifests = m(rendered, scenario)
    job = manifests.get("Job", name("migrate"))
    operators = set()
    if scenario == "existing-secret":
        operators.add("portal-env")
    if scenario == "database-password-file":
        operators.add(PASSWORD_SECRET)
    if scenario == "production":
        production = yaml.safe_load(PRODUCTION_VALUES.read_text())
        operators.add(production["secret"]["existingSecret"])
        operators.add(production["database"]["passwordSecret"]["name"])
    spec = job["spec"]["template"]["spec"]
    refs = [("ServiceAccount", spec["serviceAccountName"])]
    for c in spec["containers"]:
        for e in c.get("env", []):
            source = e.get("valueFrom", {})
            if "secretKeyRef" in source:
                refs.append(("Secret", source["secretKeyRef"]["name"]))
            if "configMapKeyRef" in source:
                refs.append(("ConfigMap", source["configMapKeyRef"]["name"]))
        for e in c.get("envFrom", []):
            for kind, key in (("Secret", "secretRef"), ("ConfigMap", "configMapRef")):
                if key in e:
                    refs.append((kind, e[key]["name"]))
    for v in spec.get("volumes", []):
        if "secret" in v:
            refs.append(("Secret", v["secret"]["secretName"]))
        else:
            assert set(v) - {"name"} == {"emptyDir"}, f"volume {v} needs a resource"
    assert any(kind == "Secret" for kind, _ in refs)
    for kind, ref in refs:
        if kind == "Secret" and ref in operators:
            continue
        target = manifests.find(kind, ref)
        assert target is not None, f"{kind} {ref} is not part of the chart"
        assert is_hook(target), f"{kind} {ref} is a normal resource: it does not exist yet"
        assert "pre-install" in target["metadata"]["annotations"]["helm.sh/hook"]
        assert hook_weight(target) < hook_weight(job), f"{kind} {ref} must be created first"
        assert (
            "before-hook-creation"
            in target["metadata"]["annotations"]["helm.sh/hook-delete-policy"]
        )


def test_no_migration_job_when_disabled(rendered):
    manifests = m(rendered, "everything-off")
    assert not manifests.of_kind("Job")
    assert not [d for d in manifests.docs if is_hook(d)]


def test_helm_test_pod_checks_readiness_through_the_service(rendered):
    manifests = m(rendered)
    pod = manifests.get("Pod", name("test-readiness"))
    assert pod["metadata"]["annotations"]["helm.sh/hook"] == "test"
    assert pod["spec"]["restartPolicy"] == "Never"
    script = "\n".join(pod["spec"]["containers"][0]["command"])
    port = manifests.get("Service", name("backend"))["spec"]["ports"][0]["port"]
    assert f'"http://{BACKEND_FQDN}:{port}/readyz"' in script
    hosts = manifests.get("ConfigMap", name("config"))["data"]["DJANGO_ALLOWED_HOSTS"]
    assert BACKEND_FQDN in hosts.split(",")
    # The script is valid Python.
    compile(pod["spec"]["containers"][0]["command"][2], "readyz-test", "exec")


# --- service account ----------------------------------------------------------------------------


def test_service_account(helm, rendered):
    sa = m(rendered).get("ServiceAccount", RELEASE)
    assert sa["automountServiceAccountToken"] is False
    annotated = helm.render(
        "--set", "serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn=arn:aws:iam::1:role/x"
    )
    sa = annotated.get("ServiceAccount", RELEASE)
    assert sa["metadata"]["annotations"] == {"eks.amazonaws.com/role-arn": "arn:aws:iam::1:role/x"}
    for d in m(rendered).of_kind("Deployment"):
        assert d["spec"]["template"]["spec"]["serviceAccountName"] == RELEASE
    # terraform's Pod Identity association is made for this name.
    tf = (REPO_ROOT / "terraform" / "variables.tf").read_text()
    production = yaml.safe_load(PRODUCTION_VALUES.read_text())
    assert f'default     = "{production["serviceAccount"]["name"]}"' in tf


# --- ingress for the AWS Load Balancer Controller ------------------------------------------------


def test_ingress_for_the_aws_load_balancer_controller(rendered):
    ingress = m(rendered, "production").get("Ingress", RELEASE)
    production = yaml.safe_load(PRODUCTION_VALUES.read_text())["ingress"]
    ann = ingress["metadata"]["annotations"]
    assert ingress["spec"]["ingressClassName"] == "alb"
    assert ann["alb.ingress.kubernetes.io/scheme"] == "internet-facing"
    assert ann["alb.ingress.kubernetes.io/target-type"] == "ip"
    assert ann["alb.ingress.kubernetes.io/healthcheck-path"] == "/nginx-health"
    assert json.loads(ann["alb.ingress.kubernetes.io/listen-ports"]) == [
        {"HTTP": 80},
        {"HTTPS": 443},
    ]
    assert ann["alb.ingress.kubernetes.io/ssl-redirect"] == "443"
    assert ann["alb.ingress.kubernetes.io/certificate-arn"] == production["alb"]["certificateArn"]
    assert "alb.ingress.kubernetes.io/group.name" not in ann
    assert [r["host"] for r in ingress["spec"]["rules"]] == production["hosts"]
    for rule in ingress["spec"]["rules"]:
        (path,) = rule["http"]["paths"]
        assert (path["path"], path["pathType"]) == ("/", "Prefix")


def test_ingress_optional_annotations(rendered, helm):
    ann = m(rendered, "ingress-group-and-certificate").get("Ingress", RELEASE)["metadata"][
        "annotations"
    ]
    assert ann["alb.ingress.kubernetes.io/group.name"] == "shared"
    assert ann["alb.ingress.kubernetes.io/group.order"] == "10"
    assert ann["alb.ingress.kubernetes.io/certificate-arn"].endswith(":certificate/abc")
    assert "alb.ingress.kubernetes.io/ssl-redirect" not in ann
    default = m(rendered).get("Ingress", RELEASE)["metadata"]["annotations"]
    assert "alb.ingress.kubernetes.io/certificate-arn" not in default, "discovery by host"
    overridden = helm.render(
        "--set", "ingress.annotations.alb\\.ingress\\.kubernetes\\.io/scheme=internal"
    ).get("Ingress", RELEASE)["metadata"]["annotations"]
    assert overridden["alb.ingress.kubernetes.io/scheme"] == "internal"


def test_metrics_are_not_public(rendered):
    """The Ingress routes to nginx only, and nginx answers 404 for /metrics."""
    for rule in m(rendered).get("Ingress", RELEASE)["spec"]["rules"]:
        for path in rule["http"]["paths"]:
            assert path["backend"]["service"]["name"] == name("frontend")
    assert re.search(r"location \^~ /metrics \{\s*return 404;", NGINX_TEMPLATE.read_text())


# --- NetworkPolicies ---------------------------------------------------------------------------


def ports(rule) -> set[tuple[str, object]]:
    return {(p["protocol"], p["port"]) for p in rule["ports"]}


def test_network_policies(rendered):
    manifests = m(rendered, "production")
    values = yaml.safe_load(PRODUCTION_VALUES.read_text())["networkPolicy"]
    backend = manifests.get("NetworkPolicy", name("backend"))["spec"]
    frontend = manifests.get("NetworkPolicy", name("frontend"))["spec"]
    assert backend["policyTypes"] == ["Ingress", "Egress"]
    assert frontend["policyTypes"] == ["Ingress", "Egress"]

    # Backend ingress: from nginx (and the helm test pod), and from Prometheus, app port only.
    from_pods, from_prometheus = backend["ingress"]
    components = {
        p["podSelector"]["matchLabels"]["app.kubernetes.io/component"] for p in from_pods["from"]
    }
    assert components == {"frontend", "test"}
    assert all(set(p) == {"podSelector"} for p in from_pods["from"])
    (prometheus,) = from_prometheus["from"]
    assert prometheus["namespaceSelector"] == values["prometheus"]["namespaceSelector"]
    assert prometheus["podSelector"] == values["prometheus"]["podSelector"]
    for rule in backend["ingress"]:
        assert ports(rule) == {("TCP", "http")}

    # Backend egress: DNS and PostgreSQL, nothing else.
    dns, database = backend["egress"]
    assert ports(dns) == {("UDP", 53), ("TCP", 53)}
    (kube_dns,) = dns["to"]
    assert kube_dns["podSelector"] == {"matchLabels": {"k8s-app": "kube-dns"}}
    assert ports(database) == {("TCP", values["database"]["port"])}
    assert [p["ipBlock"]["cidr"] for p in database["to"]] == values["database"]["cidrs"]

    # Frontend: from the load balancer's CIDRs on nginx's port; to DNS and the backend.
    (lb,) = frontend["ingress"]
    assert [p["ipBlock"]["cidr"] for p in lb["from"]] == values["loadBalancer"]["cidrs"]
    assert ports(lb) == {("TCP", "http")}
    f_dns, f_backend = frontend["egress"]
    assert ports(f_dns) == {("UDP", 53), ("TCP", 53)}
    assert ports(f_backend) == {("TCP", 8000)}
    (peer,) = f_backend["to"]
    assert peer["podSelector"]["matchLabels"]["app.kubernetes.io/component"] == "backend"

    # Migration Job: DNS and PostgreSQL only, no ingress.
    migrate = manifests.get("NetworkPolicy", name("migrate"))["spec"]
    assert "ingress" not in migrate and migrate["policyTypes"] == ["Ingress", "Egress"]
    assert migrate["egress"] == backend["egress"]


# --- values.yaml and values.schema.json ----------------------------------------------------------


def keys_of(values: dict, prefix=()) -> set[tuple[str, ...]]:
    found = set()
    for key, value in values.items():
        found.add((*prefix, key))
        if isinstance(value, dict) and value:
            found |= keys_of(value, (*prefix, key))
    return found


def schema_keys(schema: dict, root: dict, prefix=()) -> set[tuple[str, ...]]:
    if "$ref" in schema:
        schema = root["definitions"][schema["$ref"].rsplit("/", 1)[-1]]
    found = set()
    for key, sub in schema.get("properties", {}).items():
        found.add((*prefix, key))
        found |= schema_keys(sub, root, (*prefix, key))
    return found


def test_schema_rejects_unknown_keys_at_every_level():
    root = json.loads((CHART / "values.schema.json").read_text())

    def walk(schema, path):
        if "$ref" in schema:
            schema = root["definitions"][schema["$ref"].rsplit("/", 1)[-1]]
        if schema.get("type") == "object" and "properties" in schema:
            assert schema.get("additionalProperties") is False, f"{path} accepts unknown keys"
            for key, sub in schema["properties"].items():
                walk(sub, f"{path}.{key}")
        elif schema.get("type") == "object":
            # A free-form map (labels, annotations, selectors): values must still be strings,
            # or it is a Kubernetes structure documented as such.
            assert "additionalProperties" in schema or "description" in schema, path
        if schema.get("type") == "array":
            walk(schema.get("items", {}), f"{path}[]")

    walk(root, "values")


def test_schema_and_values_describe_the_same_keys():
    root = json.loads((CHART / "values.schema.json").read_text())
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    in_values = keys_of(values)
    in_schema = schema_keys(root, root)
    # Free-form maps (labels, annotations, selectors' matchLabels) have user-chosen keys.
    in_values = {k for k in in_values if not ({"matchLabels"} & set(k[:-1]))}
    assert in_values - in_schema == set(), "values without a schema entry"
    # Optional parts of Kubernetes structures need no default.
    optional = {
        "global",
        "matchExpressions",
        "ephemeral-storage",
        "nodeAffinity",
        "podAffinity",
        "podAntiAffinity",
    }
    missing = {k for k in in_schema - in_values if not optional & set(k)}
    assert missing == set(), "schema keys without a documented default in values.yaml"


def test_values_yaml_is_commented():
    """Every key has a comment right above it (or on its line), except the leaves of standard
    Kubernetes structures whose parent is documented (resources, selectors, probe timings)."""
    exempt_parents = {
        "requests",
        "limits",
        "matchLabels",
        "securityContext",
        "startup",
        "liveness",
        "readiness",
        "resources",
        "namespaceSelector",
        "podSelector",
    }
    lines = (CHART / "values.yaml").read_text().splitlines()
    stack: list[tuple[int, str]] = []
    undocumented = []
    for n, line in enumerate(lines):
        found = re.match(r"^( *)([A-Za-z][\w.-]*):", line)
        if not found:
            continue
        indent, key = len(found.group(1)), found.group(2)
        while stack and stack[-1][0] >= indent:
            stack.pop()
        parent = stack[-1][1] if stack else None
        stack.append((indent, key))
        if "#" in line or (n and lines[n - 1].strip().startswith("#")):
            continue
        if parent in exempt_parents:
            continue
        undocumented.append(f"{n + 1}: {line.strip()}")
    assert not undocumented, "\n".join(undocumented)
