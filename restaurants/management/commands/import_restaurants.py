"""`manage.py import_restaurants FILE.csv`: restaurants near the campuses from Seoul licence data.

The file is the 일반음식점 licence CSV of the Seoul open data (or LOCALDATA): Korean column names,
UTF-8 or EUC-KR/CP949, Korean TM coordinates. The whole file is read and checked before anything
is written; then every open business near a campus is upserted by its licence id (관리번호) in
one transaction, so importing the same file twice changes nothing.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from restaurants.licence import DEFAULT_CRS, LicenceFileError, count_lines, plan_import
from restaurants.services import restaurant_import

DEFAULT_RADIUS_METRES = 2000


class Command(BaseCommand):
    help = "Import restaurants near the campuses from a Seoul restaurant-licence CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the licence CSV (일반음식점)")
        parser.add_argument(
            "--crs",
            default=DEFAULT_CRS,
            help=f"CRS of 좌표정보(x)/(y) (default {DEFAULT_CRS}; some files use EPSG:2097)",
        )
        parser.add_argument(
            "--encoding",
            default="auto",
            help="file encoding: auto (UTF-8, else CP949/EUC-KR), utf-8, euc-kr, cp949",
        )
        parser.add_argument(
            "--radius",
            type=int,
            default=DEFAULT_RADIUS_METRES,
            help=f"keep businesses within this many metres of a campus ({DEFAULT_RADIUS_METRES})",
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, **options) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        if options["radius"] <= 0:
            raise CommandError("--radius must be a positive number of metres.")

        # tqdm draws with carriage returns: give it the raw stream, not Django's line wrapper.
        bar = tqdm(
            total=count_lines(path),
            desc=path.name,
            unit=" rows",
            file=getattr(self.stderr, "_out", self.stderr),
            disable=options["no_progress"] or options["verbosity"] == 0,
            leave=True,
        )
        try:
            plan = plan_import(
                path,
                crs=options["crs"],
                encoding=options["encoding"],
                radius_metres=options["radius"],
                progress=bar,
            )
        except LicenceFileError as exc:
            raise CommandError(f"{path.name}: {exc} Nothing was imported.") from None
        finally:
            bar.close()

        result = restaurant_import(plan=plan)
        self.stdout.write(
            self.style.SUCCESS(
                f"{path.name} ({plan.encoding}, {plan.crs}): {plan.rows} rows; "
                f"{result.created} created, {result.updated} updated, "
                f"{result.unchanged} unchanged, {result.closed} closed; "
                f"skipped {result.skipped_closed} closed, "
                f"{result.skipped_far} farther than {options['radius']} m; "
                f"{result.invalid} invalid (no usable coordinates)."
            )
        )
