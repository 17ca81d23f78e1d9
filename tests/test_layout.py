"""The layout's rules, checked on the source (docs/architecture.md, "Import rules").

A small AST walk instead of a linter: every `import` and `from … import` of the product code,
including the ones inside functions, against the order of the apps and the rules that keep each
product rule in one place.
"""

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# An app imports only apps of a lower rank; apps of one rank never import each other.
RANKS = {
    "partner42": 0,
    "accounts": 1,
    "alarms": 1,
    "restaurants": 1,
    "matching": 2,
    "rooms": 3,
}
# partner42 imports no app, but for the URL includes and the websocket routing.
PARTNER42_MAY_IMPORT_APPS = {"partner42/urls.py", "partner42/asgi.py"}


def product_modules(root: Path = ROOT) -> Iterator[tuple[str, ast.Module]]:
    for app in RANKS:
        for path in sorted((root / app).rglob("*.py")):
            relative = path.relative_to(root).as_posix()
            if "/tests/" in relative or "/migrations/" in relative:
                continue
            yield relative, ast.parse(path.read_text(encoding="utf-8"), filename=relative)


def imported_modules(tree: ast.Module) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module
            for alias in node.names:  # `from rooms import services`
                yield node.lineno, f"{node.module}.{alias.name}"


def import_violations(root: Path = ROOT) -> list[str]:
    found = []
    for relative, tree in product_modules(root):
        app = relative.split("/")[0]
        is_selector = "selectors" in relative
        for line, module in imported_modules(tree):
            top = module.split(".")[0]
            where = f"{relative}:{line} imports {module}"
            if top in RANKS and top != app:
                if app == "partner42" and relative not in PARTNER42_MAY_IMPORT_APPS:
                    found.append(f"{where}: partner42 imports no app")
                elif app != "partner42" and RANKS[top] >= RANKS[app]:
                    found.append(f"{where}: against the app order")
            if is_selector and ".services" in f".{module.split('.', 1)[-1]}":
                found.append(f"{where}: selectors never import services")
    return sorted(set(found))


def test_it_keeps_the_import_rules():
    assert import_violations() == []


def test_it_catches_an_import_against_the_rules(tmp_path):
    for app in RANKS:
        (tmp_path / app).mkdir()
    (tmp_path / "alarms" / "services.py").write_text("from matching.models import Match\n")
    (tmp_path / "rooms" / "selectors.py").write_text("from rooms.services import room_today\n")
    (tmp_path / "partner42" / "context_processors.py").write_text("import accounts.demo\n")
    (tmp_path / "accounts" / "views.py").write_text(
        "def f():\n    from restaurants import selectors\n"
    )
    (tmp_path / "matching" / "services.py").write_text("from alarms.services import alarm_create\n")

    assert import_violations(tmp_path) == sorted(
        [
            "accounts/views.py:2 imports restaurants: against the app order",
            "accounts/views.py:2 imports restaurants.selectors: against the app order",
            "alarms/services.py:1 imports matching.models: against the app order",
            "alarms/services.py:1 imports matching.models.Match: against the app order",
            "partner42/context_processors.py:1 imports accounts.demo: partner42 imports no app",
            "rooms/selectors.py:1 imports rooms.services: selectors never import services",
            "rooms/selectors.py:1 imports rooms.services.room_today: "
            "selectors never import services",
        ]
    )


def _calls(tree: ast.Module) -> Iterator[ast.Call]:
    return (node for node in ast.walk(tree) if isinstance(node, ast.Call))


def _is_error_code(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "ErrorCode"
    )


def test_it_raises_error_classes_not_codes():
    """One idiom: code raises an ApplicationError subclass (its code is the class's), never
    `ApplicationError(ErrorCode.X)` or `ForbiddenError(ErrorCode.X)`."""
    found = [
        f"{relative}:{call.lineno}"
        for relative, tree in product_modules()
        for call in _calls(tree)
        if isinstance(call.func, ast.Name)
        and call.func.id.endswith("Error")
        and any(_is_error_code(arg) for arg in call.args)
    ]
    assert found == []


@pytest.mark.parametrize("exception", ["NotFoundError", "ForbiddenError"])
def test_it_leaves_not_found_and_forbidden_to_the_middleware(exception):
    """Pages let them rise; ApplicationErrorMiddleware answers the 404 or 403 page."""
    found = []
    for relative, tree in product_modules():
        for node in ast.walk(tree):
            if not isinstance(node, ast.ExceptHandler) or node.type is None:
                continue
            caught = {n.id for n in ast.walk(node.type) if isinstance(n, ast.Name)}
            raised = {
                n.id
                for statement in node.body
                if isinstance(statement, ast.Raise) and statement.exc is not None
                for n in ast.walk(statement.exc)
                if isinstance(n, ast.Name)
            }
            if exception in caught and raised & {"Http404", "PermissionDenied"}:
                found.append(f"{relative}:{node.lineno}")
    assert found == []


def test_it_writes_the_seat_retry_loop_once():
    source = (ROOT / "rooms" / "services.py").read_text(encoding="utf-8")
    assert source.count("range(1, SEAT_ATTEMPTS + 1)") == 1


# matching/ is organised by subject: packages (services/, selectors/, api/, views/) whose modules
# are named for what they hold (random, matches, blocks, reviews), never files held apart by a
# name prefix. The my page is the student's own page: it lives in accounts/mypage/.
SUBJECT_PACKAGES = ("services", "selectors", "api", "views")
PREFIXES = ("review_", "mypage_", "views_")


def layout_violations(root: Path = ROOT) -> list[str]:
    found = []
    matching = root / "matching"
    for path in sorted(matching.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if "__pycache__" in relative or "/migrations/" in relative or not path.is_file():
            continue
        name = path.name
        if "/tests/" not in relative and name.startswith(PREFIXES):
            found.append(f"{relative}: named by a prefix, not held in a package by subject")
        if path.suffix != ".py" or "/tests/" in relative:
            continue
        source = path.read_text(encoding="utf-8")
        if name == "__init__.py" and ast.parse(source).body:
            found.append(f"{relative}: a package's __init__ re-exports nothing")
        tree = ast.parse(source)
        renders = any(
            node.module == "django.shortcuts" and any(a.name == "render" for a in node.names)
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom)
        )
        if renders and not relative.startswith("matching/views/"):
            found.append(f"{relative}: a page module outside matching/views/")
    for package in SUBJECT_PACKAGES:
        if (matching / f"{package}.py").exists():
            found.append(f"matching/{package}.py: a module where a package by subject belongs")
    for template in sorted((matching / "templates").rglob("mypage*")):
        found.append(f"{template.relative_to(root).as_posix()}: the my page lives in accounts")
    return found


def test_it_organises_matching_by_subject():
    assert layout_violations() == []
    for package in SUBJECT_PACKAGES:
        assert (ROOT / "matching" / package / "__init__.py").is_file()
    assert (ROOT / "accounts" / "mypage" / "views.py").is_file()


def test_it_catches_a_module_named_by_a_prefix(tmp_path):
    (tmp_path / "matching" / "views").mkdir(parents=True)
    (tmp_path / "matching" / "templates" / "matching").mkdir(parents=True)
    (tmp_path / "matching" / "review_services.py").write_text("")
    (tmp_path / "matching" / "selectors.py").write_text("")
    (tmp_path / "matching" / "views" / "__init__.py").write_text("from .random import *\n")
    (tmp_path / "matching" / "pages.py").write_text("from django.shortcuts import render\n")
    (tmp_path / "matching" / "templates" / "matching" / "mypage.html").write_text("")

    assert layout_violations(tmp_path) == [
        "matching/pages.py: a page module outside matching/views/",
        "matching/review_services.py: named by a prefix, not held in a package by subject",
        "matching/views/__init__.py: a package's __init__ re-exports nothing",
        "matching/selectors.py: a module where a package by subject belongs",
        "matching/templates/matching/mypage.html: the my page lives in accounts",
    ]
