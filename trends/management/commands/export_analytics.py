"""manage.py export_analytics: the daily aggregates to Parquet files.

    manage.py export_analytics                      yesterday (UTC)
    manage.py export_analytics --day 2026-11-28
    manage.py export_analytics --since 2026-11-01 --until 2026-11-28
    manage.py export_analytics --dir /mnt/exports   instead of ANALYTICS_EXPORT_DIR

It exports what the tables hold; it does not roll up. Re-running a day
replaces its files. The beat job (trends.analytics.tasks.export) does the
same for yesterday every night.
"""

from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from trends.analytics import counters
from trends.analytics.export import export_day


def _date(option: str, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option} must be a date written YYYY-MM-DD, not {value!r}.") from None


class Command(BaseCommand):
    help = "Export the daily engagement aggregates to Parquet files, one partition per day."

    def add_arguments(self, parser):
        parser.add_argument("--day", help="One day, YYYY-MM-DD (UTC). Default: yesterday.")
        parser.add_argument("--since", help="First day of a range, YYYY-MM-DD.")
        parser.add_argument(
            "--until", help="Last day of the range, YYYY-MM-DD (included). Default: yesterday."
        )
        parser.add_argument(
            "--dir", help=f"Where to write. Default: ANALYTICS_EXPORT_DIR ({settings.ANALYTICS_EXPORT_DIR})."
        )

    def handle(self, *args, day=None, since=None, until=None, dir=None, **options):
        days = self._days(_date("--day", day), _date("--since", since), _date("--until", until))
        directory = Path(dir) if dir else Path(settings.ANALYTICS_EXPORT_DIR)
        for each in days:
            try:
                paths = export_day(each, directory)
            except OSError as error:
                raise CommandError(f"Cannot write to {directory}: {error}") from None
            for path in paths:
                self.stdout.write(str(path))

    @staticmethod
    def _days(day: date | None, since: date | None, until: date | None) -> list[date]:
        today = counters.today()
        if day is not None and (since is not None or until is not None):
            raise CommandError("Give either --day, or --since (and --until), not both.")
        if until is not None and since is None:
            raise CommandError("--until needs --since.")
        if day is not None:
            since = until = day
        elif since is None:
            since = until = today - timedelta(days=1)
        until = until or today - timedelta(days=1)
        if since > until:
            raise CommandError(f"--since ({since}) is after --until ({until}).")
        if until > today:
            raise CommandError(f"{until} is in the future: there is nothing to export yet.")
        return [since + timedelta(days=offset) for offset in range((until - since).days + 1)]
