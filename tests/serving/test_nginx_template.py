"""The one nginx template: its variables, the Python renderer against the real envsubst with the
image's filter, nginx -t on the result, and the Helm chart's symlink to it."""

import re
import subprocess

import pytest

from tests.serving import dockerfile
from tests.support import nginx as nginx_support
from tests.tooling import REPO_ROOT, tool

NGINX_DOCKERFILE = REPO_ROOT / "deploy" / "nginx" / "Dockerfile"
HELM_LINK = REPO_ROOT / "deploy/helm/learning-portal/files/nginx/default.conf.template"
VALUES = {
    "NGINX_PORT": "127.0.0.1:18080",
    "PORTAL_UPSTREAM": "app:8000",
    "NGINX_CACHE_DIR": "/tmp",
}


def test_template_uses_exactly_the_declared_variables():
    text = nginx_support.TEMPLATE.read_text()
    assert set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", text)) == set(nginx_support.VARIABLES)
    # Upper-case $NAMEs would be environment variables (nginx's own are lower case).
    assert re.findall(r"\$([A-Z][A-Z0-9_]*)", text) == []


def test_render_matches_the_images_envsubst_step(tmp_path):
    """What /docker-entrypoint.d/20-envsubst-on-templates.sh does: keep the environment variables
    whose names match NGINX_ENVSUBST_FILTER, then `envsubst "${A} ${B} ..." < template`."""
    (stage,) = dockerfile.stages(NGINX_DOCKERFILE)
    name_filter = re.compile(
        dockerfile.env_values(stage)["NGINX_ENVSUBST_FILTER"].replace("\\$", "$")
    )
    environment = {
        **VALUES,
        # What else a container has: none of it may reach the config.
        "HOSTNAME": "nginx-7d9f",
        "HOME": "/nonexistent",
        "NGINX_VERSION": "1.28.0",
        "PORTAL_UPSTREAM_SERVICE_HOST": "10.0.0.1",
        "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
    }
    defined = " ".join(f"${{{name}}}" for name in environment if name_filter.search(name))
    result = subprocess.run(
        [tool("envsubst"), defined],
        input=nginx_support.TEMPLATE.read_text(),
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    rendered = nginx_support.render(VALUES)
    assert rendered == result.stdout
    assert "${" not in rendered
    assert "listen 127.0.0.1:18080 default_server;" in rendered
    assert "server app:8000;" in rendered
    # nginx's own variables survive.
    for variable in ("$host", "$request_id", "$cookie_sessionid", "$upstream_cache_status"):
        assert variable in rendered


def test_rendered_config_passes_nginx_t(tmp_path):
    # A loopback upstream: nginx -t resolves names, and "app" exists only inside compose.
    values = {**VALUES, "PORTAL_UPSTREAM": "127.0.0.1:9", "NGINX_CACHE_DIR": str(tmp_path)}
    server = tmp_path / "default.conf"
    server.write_text(nginx_support.render(values))
    main = tmp_path / "nginx.conf"
    main.write_text(nginx_support.main_conf(tmp_path, server))
    result = subprocess.run(
        [tool("nginx"), "-t", "-c", str(main), "-e", str(tmp_path / "error.log")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_render_refuses_unknown_or_missing_variables():
    with pytest.raises(ValueError):
        nginx_support.render({**VALUES, "EXTRA": "x"})
    with pytest.raises(ValueError):
        nginx_support.render({"NGINX_PORT": "8080"})


def test_session_cookie_name_matches_the_cache_bypass():
    from django.conf import settings

    assert settings.SESSION_COOKIE_NAME == "sessionid"
    assert "$cookie_sessionid" in nginx_support.TEMPLATE.read_text()
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 1024 * 1024
    assert "client_max_body_size 1m;" in nginx_support.TEMPLATE.read_text()


def test_helm_chart_links_to_the_template_instead_of_copying_it():
    assert HELM_LINK.is_symlink(), "the chart must carry a symlink, not a copy"
    assert HELM_LINK.resolve() == nginx_support.TEMPLATE.resolve()
