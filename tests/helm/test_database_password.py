"""database.passwordSecret: the database password as a file from a mounted Secret, read by the app
for every new connection (DATABASE_PASSWORD_FILE), so an RDS password rotation synced into the
Secret needs no restart. Only the app's containers (backend pods and the migration Job) get it,
through a read-only directory mount that the kubelet can update in place (never subPath); without
the value nothing of it is rendered."""

import posixpath

import pytest
import yaml

from tests.helm.chart import PRODUCTION_VALUES, env_of, name
from tests.helm.conftest import PASSWORD_KEY, PASSWORD_SECRET, SCENARIOS
from tests.helm.test_render import notes

ENV = "DATABASE_PASSWORD_FILE"
PASSWORD_FILE = "/var/run/secrets/portal/database/password"
PRODUCTION = yaml.safe_load(PRODUCTION_VALUES.read_text())["database"]["passwordSecret"]
WITH_PASSWORD_FILE = {
    "database-password-file": (PASSWORD_SECRET, PASSWORD_KEY),
    "production": (PRODUCTION["name"], PRODUCTION["key"]),
    "production-without-monitoring-crds": (PRODUCTION["name"], PRODUCTION["key"]),
}
WITHOUT_PASSWORD_FILE = [s for s in SCENARIOS if s not in WITH_PASSWORD_FILE]


def app_containers(manifests) -> list[tuple[dict, dict, dict]]:
    """(document, pod spec, container) of the backend's app container and the migration Job's."""
    deployment = manifests.get("Deployment", name("backend"))
    job = manifests.get("Job", name("migrate"))
    found = []
    for doc, container_name in ((deployment, "app"), (job, "migrate")):
        spec = doc["spec"]["template"]["spec"]
        (c,) = [c for c in spec["containers"] if c["name"] == container_name]
        found.append((doc, spec, c))
    return found


def test_production_reads_the_password_from_the_secret_that_eso_keeps_in_sync():
    """values-production.yaml uses the Secret of deploy/external-secrets/database-password.yaml
    (test_external_secrets.py checks the other side), so the validated and checkov-scanned
    production render covers the mounted password."""
    assert PRODUCTION == {"name": "learning-portal-db-password", "key": "password"}


@pytest.mark.parametrize("scenario", list(WITH_PASSWORD_FILE))
def test_app_and_migration_job_read_the_password_from_the_mounted_secret(rendered, scenario):
    secret_name, key = WITH_PASSWORD_FILE[scenario]
    manifests = rendered[scenario].manifests
    for doc, spec, c in app_containers(manifests):
        where = f"{doc['kind']}/{doc['metadata']['name']}"
        env = env_of(c)
        assert env[ENV] == {"name": ENV, "value": PASSWORD_FILE}, where
        directory, filename = posixpath.split(env[ENV]["value"])
        # DATABASE_URL still comes from its Secret (user, host, database; no password needed).
        assert "secretKeyRef" in env["DATABASE_URL"]["valueFrom"], where

        (mount,) = [vm for vm in c["volumeMounts"] if vm["mountPath"] == directory]
        # A directory mount: the kubelet swaps the file in place when the Secret changes. A
        # subPath mount would keep the first password for the container's whole life.
        assert "subPath" not in mount and "subPathExpr" not in mount, where
        assert mount["readOnly"] is True, where
        others = [vm["mountPath"] for vm in c["volumeMounts"] if vm is not mount]
        assert not any(
            p.startswith(directory + "/") or directory.startswith(p + "/") for p in others
        ), where

        (volume,) = [v for v in spec["volumes"] if v["name"] == mount["name"]]
        assert set(volume) == {"name", "secret"}, where
        secret = volume["secret"]
        assert secret["secretName"] == secret_name, where
        assert secret["items"] == [{"key": key, "path": filename}], where
        assert not secret.get("optional", False), "a missing Secret must stop the pod"
        # Readable by the app (non-root, group = the pod's fsGroup, which the kubelet gives the
        # Secret's files), by nobody else; writable by nobody.
        mode = secret["defaultMode"]
        assert mode in (0o440, 0o400), f"{where}: mode {oct(mode)}"
        assert spec["securityContext"]["fsGroup"] == c["securityContext"]["runAsGroup"], where
        assert spec["securityContext"]["runAsNonRoot"] is True, where
        assert c["securityContext"]["readOnlyRootFilesystem"] is True, where


@pytest.mark.parametrize("scenario", list(WITH_PASSWORD_FILE))
def test_only_the_app_containers_get_the_password(rendered, scenario):
    """nginx and the helm test pod never see the database password."""
    manifests = rendered[scenario].manifests
    app = {id(c) for _, _, c in app_containers(manifests)}
    for doc, spec, c in manifests.containers():
        if id(c) in app:
            continue
        where = f"{doc['kind']}/{doc['metadata']['name']}/{c['name']}"
        assert ENV not in env_of(c), where
        assert not any("secret" in v for v in spec.get("volumes", [])), where


@pytest.mark.parametrize("scenario", WITHOUT_PASSWORD_FILE)
def test_nothing_is_mounted_without_a_password_secret(rendered, scenario):
    for doc, spec, c in rendered[scenario].manifests.containers():
        where = f"{doc['kind']}/{doc['metadata']['name']}/{c['name']}"
        assert ENV not in env_of(c), where
        assert not any(
            vm["mountPath"].startswith("/var/run/secrets/") for vm in c.get("volumeMounts", [])
        ), where
        assert not any("secret" in v for v in spec.get("volumes", [])), where


def test_default_values_render_no_password_secret():
    values = yaml.safe_load((PRODUCTION_VALUES.parent / "values.yaml").read_text())
    assert values["database"]["passwordSecret"] == {"name": "", "key": "password"}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["--set", "database.passwordSecret.name=Not_A_Name"],
            ["/database/passwordSecret/name"],
        ),
        (["--set", "database.passwordSecret.key="], ["/database/passwordSecret/key"]),
        (
            ["--set", "database.passwordSecert.name=x"],
            ["/database", "'passwordSecert' not allowed"],
        ),
        (
            ["--set", f"config.extraEnv.{ENV}=/tmp/password"],
            [f"config.extraEnv.{ENV}: the chart sets {ENV} itself"],
        ),
    ],
    ids=["bad-name", "empty-key", "typo", "extraEnv"],
)
def test_bad_password_values_fail_with_a_clear_message(helm, args, expected):
    result = helm.template(*args, check=False)
    assert result.returncode != 0, f"{args} rendered"
    for text in expected:
        assert text in result.stderr, f"{text!r} not in:\n{result.stderr}"


def test_notes_name_the_password_secret(helm):
    with_file = notes(helm, "-f", str(PRODUCTION_VALUES), "--set", "secret.existingSecret=x")
    assert f'read from Secret "{PRODUCTION["name"]}" (key "{PRODUCTION["key"]}")' in with_file
    assert "read from Secret" not in notes(helm)
