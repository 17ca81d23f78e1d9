"""The compose stack: services, health checks, volumes, colours, pinned images."""

from tests.deploy.common import (
    APP_SERVICES,
    BLUEGREEN,
    DEPLOY,
    ROOT,
    dry_run,
    env_example_names,
)


def test_it_defines_every_process_of_the_stack(compose):
    services = compose["services"]

    assert set(services) == {
        "nginx",
        *APP_SERVICES,
        "migrate",
        "manage",
        "mariadb",
        "redis",
        "prometheus",
        "grafana",
    }
    assert {name: services[name]["command"][0] for name in APP_SERVICES} == {
        "web-blue": "web",
        "web-green": "web",
        "realtime-blue": "realtime",
        "realtime-green": "realtime",
        "matchmaker": "matchmaker",
        "worker": "worker",
        "beat": "beat",
    }
    assert services["migrate"]["command"] == ["migrate"]
    assert services["migrate"]["profiles"] == ["tools"]
    assert services["mariadb"]["image"] == "mariadb:10.11"
    assert services["redis"]["image"].startswith("redis:7")


def test_it_runs_every_role_the_entrypoint_knows(compose):
    commands = {
        service["command"][0]
        for service in compose["services"].values()
        if service["image"].startswith("${P42_IMAGE")
    }

    assert commands == {"web", "realtime", "matchmaker", "worker", "beat", "migrate", "manage"}
    for role in commands:
        assert dry_run(role).returncode == 0, role


def test_it_checks_the_health_of_every_long_running_service(compose):
    for name, service in compose["services"].items():
        if "tools" in service.get("profiles", []):
            assert service["restart"] == "no"
            continue
        assert service["restart"] == "unless-stopped", name
        assert service["healthcheck"]["test"], name


def test_it_waits_for_the_database_and_redis_to_be_healthy(compose):
    for name in APP_SERVICES:
        assert compose["services"][name]["depends_on"] == {
            "mariadb": {"condition": "service_healthy"},
            "redis": {"condition": "service_healthy"},
        }


def test_it_declares_every_volume_network_and_env_file_it_uses(compose):
    volumes, networks = set(compose["volumes"]), set(compose["networks"])

    for name, service in compose["services"].items():
        assert set(service.get("networks", [])) <= networks, name
        for env_file in service.get("env_file", []):
            assert (DEPLOY / f"{env_file}.example").is_file(), env_file
        for mount in service.get("volumes", []):
            source = mount.split(":")[0]
            if source.startswith("."):
                # State and secrets of a deployment are made on the server (docs/operations.md).
                if source not in ("./nginx-state", "./tls", "./acme"):
                    assert (DEPLOY / source).exists(), source
            else:
                assert source in volumes, source
    assert compose["networks"]["back"]["internal"] is True
    assert compose["services"]["mariadb"]["networks"] == ["back"]
    assert compose["services"]["redis"]["networks"] == ["back"]


def test_it_keeps_the_application_containers_read_only(compose):
    for name in [*APP_SERVICES, "migrate"]:
        service = compose["services"][name]
        assert service["read_only"] is True, name
        assert "/tmp" in service["tmpfs"], name
        assert "logs:/var/log/partner42" in service["volumes"], name


def test_it_gives_each_colour_its_release_and_its_loopback_port(compose):
    services = compose["services"]
    bluegreen = BLUEGREEN.read_text()

    for colour, web_port, realtime_port in (("blue", 8001, 8011), ("green", 8002, 8012)):
        tag = f"${{{colour.upper()}_TAG:-latest}}"
        assert services[f"web-{colour}"]["image"].endswith(tag)
        assert services[f"realtime-{colour}"]["image"].endswith(tag)
        assert services[f"web-{colour}"]["ports"] == [f"127.0.0.1:{web_port}:8000"]
        assert services[f"realtime-{colour}"]["ports"] == [f"127.0.0.1:{realtime_port}:8000"]
        assert f"http://127.0.0.1:{web_port}/readyz" in bluegreen
        assert f"http://127.0.0.1:{realtime_port}/readyz" in bluegreen
        assert services[f"web-{colour}"]["environment"]["STATIC_EXPORT_DIR"] == "/srv/static"


def test_it_pins_the_third_party_images(compose):
    for name, service in compose["services"].items():
        image = service["image"]
        if not image.startswith("${P42_IMAGE"):
            assert ":" in image, name
            assert not image.endswith(":latest"), name


def test_it_documents_the_application_environment():
    documented = env_example_names(ROOT / ".env.example")
    operations = (ROOT / "docs" / "operations.md").read_text()

    for name in env_example_names(DEPLOY / "env" / "app.env.example"):
        assert name in documented or f"`{name}`" in operations, name
