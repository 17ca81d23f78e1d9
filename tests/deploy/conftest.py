"""Fixtures the deployment tests share."""

import re
import shutil

import pytest
import yaml

from tests.deploy.common import (
    BLUEGREEN,
    DEPLOY,
    base_env,
    run,
)


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yml").read_text())


@pytest.fixture
def bluegreen(tmp_path):
    """deploy/bluegreen.sh with blue live, a fake `nginx` command and stand-in colour servers."""
    state = tmp_path / "state"
    state.mkdir()
    shutil.copy(DEPLOY / "nginx" / "upstreams" / "blue.conf", state / "active.conf")
    calls = tmp_path / "nginx-calls"
    fake_nginx = tmp_path / "nginx"
    fake_nginx.write_text(
        "#!/usr/bin/env bash\n"
        'echo "$*" >>"$FAKE_NGINX_CALLS"\n'
        # -t refuses the configuration while the colour named by FAKE_NGINX_REFUSE is live.
        'if [[ $1 == -t ]] && grep -q "^# colour: ${FAKE_NGINX_REFUSE:-none}" '
        '"$BG_STATE_DIR/active.conf"; then exit 1; fi\n'
    )
    fake_nginx.chmod(0o755)

    def switch(*args: str, green: str = "", blue: str = "", **extra: str):
        env = base_env(
            BG_STATE_DIR=str(state),
            BG_NGINX=str(fake_nginx),
            BG_HEALTH_URLS_GREEN=green,
            BG_HEALTH_URLS_BLUE=blue,
            BG_HEALTH_RETRIES="2",
            BG_HEALTH_INTERVAL="0",
            FAKE_NGINX_CALLS=str(calls),
            **extra,
        )
        return run(["bash", BLUEGREEN, *args], env=env)

    def nginx_calls() -> list[str]:
        return calls.read_text().splitlines() if calls.exists() else []

    def live() -> str:
        return re.match(r"# colour: (\w+)", (state / "active.conf").read_text())[1]

    return switch, nginx_calls, live, state
