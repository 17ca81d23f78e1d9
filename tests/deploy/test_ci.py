"""The CI workflow."""

import yaml

from tests.deploy.common import (
    ROOT,
)


def test_it_tests_on_mariadb_and_redis_then_builds_the_image():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())
    test, image = workflow["jobs"]["test"], workflow["jobs"]["image"]

    assert workflow[True]["pull_request"] is None  # YAML 1.1 reads the `on` key as True
    assert test["services"]["mariadb"]["image"] == "mariadb:10.11"
    assert test["services"]["redis"]["image"] == "redis:7"
    assert test["env"]["DATABASE_URL"].startswith("mysql://")
    assert any(step.get("run") == "make test" for step in test["steps"])
    assert image["needs"] == "test"
    (build,) = [s for s in image["steps"] if s.get("uses", "").startswith("docker/build-push")]
    assert build["with"]["push"] is False
    assert build["with"]["file"] == "Dockerfile"
