from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from locations.loading import COLUMNS, LocationFileError, LocationLoader, read_rows

SHIPPED_FILE = Path(__file__).resolve().parents[2] / "data" / "tr_locations.csv"


class Command(BaseCommand):
    help = (
        "Load countries, cities, townships and districts from a CSV file with the columns "
        f"{','.join(COLUMNS)}[,is_active] (see locations/loading.py). Without a file, loads "
        "the small Turkish set shipped with the service. Loading a file twice writes nothing "
        "the second time."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path", nargs="?", default=str(SHIPPED_FILE), help="The CSV file (UTF-8)."
        )

    def handle(self, path, **options):
        try:
            counts = LocationLoader(read_rows(Path(path))).load()
        except LocationFileError as error:
            raise CommandError(f"{path} was not loaded; nothing was written.\n{error}") from None
        for level, count in counts.items():
            self.stdout.write(
                f"{level}: {count.created} created, {count.updated} updated, "
                f"{count.unchanged} unchanged"
            )
