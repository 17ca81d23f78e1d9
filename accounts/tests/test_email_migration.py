"""Migration 0005 sorts out the emails stored before confirmation existed."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("accounts", "0004_issued_refresh_token_verbose_names")]
AFTER = [("accounts", "0005_email_confirmation")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    # The state of these migrations plus allauth's, whose SocialAccount the data step reads.
    social = executor.loader.graph.leaf_nodes("socialaccount")
    return executor.loader.project_state([*targets, *social]).apps


@pytest.fixture
def back_to_latest():
    """Leave the schema as the other tests on this database expect it: every migration applied."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_latest")
def test_it_confirms_the_intra_email_again_and_keeps_an_unverified_one_pending():
    apps = _migrate(BEFORE)
    User = apps.get_model("accounts", "User")
    SocialAccount = apps.get_model("socialaccount", "SocialAccount")

    def student(login, email, intra_email):
        user = User.objects.create(username=login, nickname=login, email=email)
        SocialAccount.objects.create(
            user=user, provider="fortytwo", uid=login, extra_data={"email": intra_email}
        )
        return user.pk

    # mallory typed bob's address; bob then logged in, and the login copied his intra email.
    mallory = student("mallory", "bob@student.42seoul.kr", "mallory@student.42seoul.kr")
    bob = student("bob", "bob@student.42seoul.kr", "bob@student.42seoul.kr")
    alice = student("alice", "Alice@Student.42seoul.kr", "alice@student.42seoul.kr")
    operator = User.objects.create(username="op", nickname="op", email="").pk
    operator2 = User.objects.create(username="op2", nickname="op2", email="").pk

    apps = _migrate(AFTER)
    rows = {
        row["pk"]: (row["email"], row["pending_email"])
        for row in apps.get_model("accounts", "User").objects.values("pk", "email", "pending_email")
    }

    assert rows[mallory] == ("mallory@student.42seoul.kr", "bob@student.42seoul.kr")
    assert rows[bob] == ("bob@student.42seoul.kr", "")
    assert rows[alice] == ("Alice@Student.42seoul.kr", "")  # the same address, case aside
    assert rows[operator] == (None, "")
    assert rows[operator2] == (None, "")
