"""Emails become confirmed addresses: nullable, unique, with a pending change beside them.

Until now a student could set any address and it was used for Slack at once. Existing rows are
sorted out before the unique index is built:
- a student whose email differs from the email of their 42 profile set it unverified: the 42
  email (verified by 42) becomes the confirmed one again and the other waits in `pending_email`,
  so its owner can have the link sent from the my page;
- "" becomes NULL (no confirmed address);
- if two accounts still share an address (case ignored), the first account keeps it and the
  others get it back as pending.
"""

from django.db import migrations, models


def _intra_emails(apps) -> dict[int, str]:
    SocialAccount = apps.get_model("socialaccount", "SocialAccount")
    emails = {}
    for user_id, extra_data in SocialAccount.objects.filter(provider="fortytwo").values_list(
        "user_id", "extra_data"
    ):
        email = (extra_data or {}).get("email") if isinstance(extra_data, dict) else None
        if isinstance(email, str) and email:
            emails[user_id] = email
    return emails


def forwards(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    intra = _intra_emails(apps)
    taken: set[str] = set()
    for user in User.objects.order_by("pk").iterator():
        email, pending = user.email or "", ""
        intra_email = intra.get(user.pk)
        if intra_email and email.lower() != intra_email.lower():
            email, pending = intra_email, email
        if email and email.lower() in taken:
            email, pending = "", pending or email
        if email:
            taken.add(email.lower())
        user.email = email or None
        user.pending_email = pending
        user.save(update_fields=["email", "pending_email"])


def backwards(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    User.objects.filter(email__isnull=True).update(email="")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_issued_refresh_token_verbose_names"),
        ("socialaccount", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="pending_email",
            field=models.EmailField(
                blank=True, max_length=254, verbose_name="email waiting for confirmation"
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="pending_email_sent_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="confirmation mail sent at"
            ),
        ),
        migrations.AlterField(
            model_name="user",
            name="email",
            field=models.EmailField(
                blank=True, max_length=254, null=True, verbose_name="email address"
            ),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.AlterField(
            model_name="user",
            name="email",
            field=models.EmailField(
                blank=True, max_length=254, null=True, unique=True, verbose_name="email address"
            ),
        ),
    ]
