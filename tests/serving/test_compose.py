"""deploy/compose.yaml: parses, references only files that exist, uses the project's own config
files (the one nginx template above all), and gives the app an environment production accepts.
Docker cannot run here, so this is what can be proven without it."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.serving import dockerfile
from tests.support import nginx as nginx_support
from tests.tooling import REPO_ROOT

COMPOSE = REPO_ROOT / "deploy" / "compose.yaml"
BASE = COMPOSE.parent


def interpolate(value):
    """Compose's ${NAME:-default} / ${NAME-default} / ${NAME} with an empty environment."""
    if isinstance(value, str):
        return re.sub(r"\$\{([A-Z_][A-Z0-9_]*)(?::?-([^}]*))?\}", lambda m: m.group(2) or "", value)
    if isinstance(value, list):
        return [interpolate(v) for v in value]
    if isinstance(value, dict):
        return {k: interpolate(v) for k, v in value.items()}
    return value


@pytest.fixture(scope="module")
def compose():
    return interpolate(yaml.safe_load(COMPOSE.read_text()))


@pytest.fixture(scope="module")
def services(compose):
    return compose["services"]


def bind_mounts(service: dict) -> list[tuple[Path, str]]:
    mounts = []
    for volume in service.get("volumes", []):
        source, target = volume.split(":")[:2]
        if source.startswith((".", "/")):
            mounts.append(((BASE / source).resolve(), target))
    return mounts


def test_has_the_full_stack(services):
    assert {"nginx", "app", "db", "migrate", "prometheus", "grafana"} <= set(services)


def test_every_build_context_dockerfile_and_mounted_file_exists(services):
    for name, service in services.items():
        build = service.get("build")
        if build:
            context = (BASE / build["context"]).resolve()
            assert (context / build.get("dockerfile", "Dockerfile")).is_file(), name
        for source, _ in bind_mounts(service):
            assert source.exists(), f"{name} mounts {source}, which does not exist"
            assert REPO_ROOT in source.parents, f"{name} mounts {source} from outside the repo"


def test_nginx_uses_the_one_template(services):
    nginx = services["nginx"]
    context = (BASE / nginx["build"]["context"]).resolve()
    copies = [
        line.split()[1]
        for line in (context / "Dockerfile").read_text().splitlines()
        if line.startswith("COPY ")
    ]
    assert [(context / c).resolve() for c in copies] == [nginx_support.TEMPLATE.resolve()]
    mounted = {source: target for source, target in bind_mounts(nginx)}
    assert mounted == {
        nginx_support.TEMPLATE.resolve(): "/etc/nginx/templates/default.conf.template"
    }
    # Exactly the template's variables, pointing at the app service on the contract port.
    assert set(nginx["environment"]) == set(nginx_support.VARIABLES)
    assert nginx["environment"]["PORTAL_UPSTREAM"] == "app:8000"
    assert nginx["environment"]["NGINX_PORT"] == "8080"
    # The rendered config goes to the default output dir, which a read-only root needs writable.
    assert {"/tmp", "/etc/nginx/conf.d"} <= set(nginx["tmpfs"])


def test_app_and_migrate_build_the_root_image_and_run_in_order(services):
    for name in ("app", "migrate"):
        build = services[name]["build"]
        assert (BASE / build["context"]).resolve() == REPO_ROOT
        assert build.get("dockerfile", "Dockerfile") == "Dockerfile"
    migrate = services["migrate"]
    command = " ".join(migrate["command"])
    assert "manage.py migrate" in command and "manage.py load_lessons" in command
    assert services["app"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )
    assert services["app"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert migrate["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["nginx"]["depends_on"]["app"]["condition"] == "service_healthy"


def test_images_are_pinned(services):
    for name, service in services.items():
        if "build" in service:
            continue
        image = service["image"]
        repository, _, tag = image.rpartition(":")
        assert repository and tag and tag != "latest", (name, image)
        assert re.search(r"\d+\.\d+\.\d+|\d+\.\d+-", tag), (name, image)


def test_read_only_root_filesystems_and_loopback_ports(services):
    for name in ("app", "migrate", "nginx", "db", "prometheus", "grafana"):
        assert services[name].get("read_only") is True, name
    for name, service in services.items():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), (name, port)


def test_prometheus_gets_the_repository_config_and_rules(services):
    prometheus = services["prometheus"]
    mounts = {target: source for source, target in bind_mounts(prometheus)}
    config_path = REPO_ROOT / "observability" / "prometheus" / "prometheus.yml"
    assert mounts["/etc/prometheus/prometheus.yml"] == config_path
    config = yaml.safe_load(config_path.read_text())
    # rule_files are relative to the config file: the rules directory sits next to it.
    for pattern in config.get("rule_files", []):
        directory = pattern.split("/")[0]
        assert mounts[f"/etc/prometheus/{directory}"] == config_path.parent / directory
    targets = [
        target
        for job in config["scrape_configs"]
        for static in job.get("static_configs", [])
        for target in static["targets"]
    ]
    assert "app:8000" in targets  # the app port, never nginx
    allowed = services["app"]["environment"]["DJANGO_ALLOWED_HOSTS"].split(",")
    assert "app" in allowed  # Prometheus scrapes with Host: app:8000
    for alerting in config.get("alerting", {}).get("alertmanagers", []):
        for static in alerting.get("static_configs", []):
            for target in static["targets"]:
                assert target.split(":")[0] in services, target


def test_grafana_is_provisioned_from_the_repository(services):
    grafana = services["grafana"]
    mounts = {target: source for source, target in bind_mounts(grafana)}
    provisioning = REPO_ROOT / "observability" / "grafana" / "provisioning"
    dashboards = REPO_ROOT / "observability" / "grafana" / "dashboards"
    assert mounts["/etc/grafana/provisioning"] == provisioning
    assert dashboards in mounts.values()
    providers = [
        provider
        for path in sorted(provisioning.glob("dashboards/*.y*ml"))
        for provider in (yaml.safe_load(path.read_text()) or {}).get("providers", [])
    ]
    assert providers, "no dashboard provider in observability/grafana/provisioning/dashboards/"
    for provider in providers:
        assert mounts.get(provider["options"]["path"]) == dashboards, provider
    datasources = [
        source
        for path in sorted(provisioning.glob("datasources/*.y*ml"))
        for source in (yaml.safe_load(path.read_text()) or {}).get("datasources", [])
    ]
    assert any("prometheus:9090" in source.get("url", "") for source in datasources)


@pytest.mark.parametrize("service", ["migrate", "app"])
def test_production_settings_accept_the_compose_environment(services, service, tmp_path):
    """`manage.py check` with the service's environment (the database is not contacted). The
    migrate service runs manage.py in a fresh container: its environment must work as it is."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "PROMETHEUS_"))
    }
    env.update({k: str(v) for k, v in services[service]["environment"].items()})
    image_env = dockerfile.env_values(dockerfile.stages(REPO_ROOT / "Dockerfile")[-1])
    # The image's metrics directory, moved into a fresh temp dir that does not exist yet (like a
    # fresh tmpfs /tmp): gunicorn's on_starting hook creates it for the app; the migrate service
    # must create it itself.
    metrics_dir = tmp_path / image_env["PROMETHEUS_MULTIPROC_DIR"].lstrip("/")
    env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    if service == "app":
        metrics_dir.mkdir(parents=True)
        command = "python manage.py check"
    else:
        command = services[service]["command"][-1].replace("$$", "$")
        command = command.split(" && python manage.py migrate")[0] + " && python manage.py check"
    before = set(REPO_ROOT.glob("*.db"))
    result = subprocess.run(
        ["sh", "-c", command.replace("python manage.py", f"{sys.executable} manage.py")],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert set(REPO_ROOT.glob("*.db")) == before, "prometheus_client wrote metric files to the cwd"


def test_alertmanager_gets_the_repository_config_and_its_templates(services):
    mounts = {target: source for source, target in bind_mounts(services["alertmanager"])}
    config_path = REPO_ROOT / "observability" / "alertmanager" / "alertmanager.yml"
    assert mounts["/etc/alertmanager/alertmanager.yml"] == config_path
    config = yaml.safe_load(config_path.read_text())
    for pattern in config.get("templates", []):
        directory = pattern.rsplit("/", 1)[0]
        assert directory in mounts, f"{pattern} is not mounted"
        assert list(mounts[directory].glob(pattern.rsplit("/", 1)[1]))
