"""A student's profile (bio, interests) and preferences (Slack, alarm kinds, random-matching
pause, language) as columns of the user row.

Every column is nullable or has a database default, so the previous release keeps creating users
while both colours of a blue/green switch share the database.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_calendar_feed"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="bio",
            field=models.CharField(
                blank=True, db_default="", default="", max_length=300, verbose_name="소개"
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="interests",
            field=models.JSONField(
                blank=True, db_default=[], default=list, verbose_name="관심사"
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="language",
            field=models.CharField(
                blank=True,
                choices=[("ko", "한국어"), ("en", "English")],
                db_default="",
                default="",
                max_length=8,
                verbose_name="언어",
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="muted_alarm_types",
            field=models.JSONField(
                blank=True, db_default=[], default=list, verbose_name="끈 알림 종류"
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="random_snooze_until",
            field=models.DateField(
                blank=True, null=True, verbose_name="랜덤 매칭을 다시 받는 날"
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="slack_notices",
            field=models.BooleanField(db_default=True, default=True, verbose_name="Slack 알림"),
        ),
    ]
