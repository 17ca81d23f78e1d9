"""Reading the Seoul restaurant-licence CSV (지방행정 인허가, 일반음식점) into an import plan.

Nothing here touches the database: the whole file is read, checked and converted first, so that a
malformed file is refused before a single row is written (see services.restaurant_import).

The coordinates are Korean TM metres. Most Seoul licence files use EPSG:5174 (Korean 1985 /
Modified Central Belt, Bessel ellipsoid); some publishers say EPSG:2097 (Central Belt, the same
projection without the 10.405" meridian correction, about 255 m further west). Hence the option.
"""

import codecs
import csv
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from restaurants.geo import campus_distances

DEFAULT_CRS = "EPSG:5174"
# The licence data says 영업/정상 for a business that trades; anything else (휴업, 폐업,
# 취소/말소/만료/정지/중지, 제외/삭제/전출) means we should not send anyone there.
OPEN_STATUSES = frozenset({"영업/정상", "영업", "정상"})

# Our field -> the column names it may have (older files and the newer LOCALDATA layout differ).
COLUMNS: dict[str, tuple[str, ...]] = {
    "licence_id": ("관리번호",),
    "status": ("영업상태명",),
    "name": ("사업장명",),
    "category": ("업태구분명", "위생업태명"),
    "address": ("소재지전체주소", "지번주소"),
    "road_address": ("도로명전체주소", "도로명주소"),
    "phone": ("소재지전화", "소재지전화번호", "전화번호"),
    "x": ("좌표정보(x)",),
    "y": ("좌표정보(y)",),
}
# Values never empty in a well-formed file: an empty one means the file is broken.
REQUIRED_VALUES = ("licence_id", "status", "name")
MAX_LENGTHS = {"name": 200, "category": 50, "address": 300, "road_address": 300, "phone": 50}
LICENCE_ID_MAX_LENGTH = 64

# Anything converted outside these bounds is not in Korea: a bad coordinate, not a restaurant.
KOREA_LATITUDES = (33.0, 39.0)
KOREA_LONGITUDES = (124.0, 132.0)


class LicenceFileError(Exception):
    """The file cannot be imported as a whole; the message names the line and column."""


class Progress(Protocol):
    def update(self, n: int = 1) -> object: ...

    def reset(self, total: int | None = None) -> object: ...


@dataclass(frozen=True)
class PlannedRestaurant:
    line: int
    licence_id: str
    name: str
    category: str
    address: str
    road_address: str
    phone: str
    latitude: float
    longitude: float
    distances: dict[str, int]


@dataclass
class ImportPlan:
    encoding: str
    crs: str
    rows: int = 0
    restaurants: list[PlannedRestaurant] = field(default_factory=list)
    # Closed businesses near a campus: if we hold them from an earlier import, they get closed.
    closed_licence_ids: list[str] = field(default_factory=list)
    skipped_closed: int = 0
    skipped_far: int = 0
    invalid: int = 0


def count_lines(path: Path) -> int:
    """Data lines in the file, for the progress bar (quoted newlines make it overcount a little)."""
    lines = 0
    with path.open("rb") as raw:
        while chunk := raw.read(1 << 20):
            lines += chunk.count(b"\n")
    return max(lines - 1, 0)


def plan_import(
    path: Path,
    *,
    crs: str = DEFAULT_CRS,
    encoding: str = "auto",
    radius_metres: int = 2000,
    progress: Progress | None = None,
) -> ImportPlan:
    """Read the whole file; raise LicenceFileError if any of it is malformed."""
    transform = _transformer(crs)
    # "auto": publishers hand out both; CP949 is the superset of EUC-KR that real files need.
    candidates = ["utf-8-sig", "cp949"] if encoding == "auto" else [_codec(encoding)]
    last_error: UnicodeDecodeError | None = None
    for candidate in candidates:
        if progress is not None:
            progress.reset()
        try:
            return _plan(path, candidate, crs, transform, radius_metres, progress)
        except UnicodeDecodeError as exc:
            last_error = exc
    tried = " or ".join(candidates)
    raise LicenceFileError(
        f"{path.name} cannot be read as {tried} ({last_error}); pass --encoding."
    )


def _codec(encoding: str) -> str:
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise LicenceFileError(f"Unknown encoding: {encoding}.") from None
    # Files labelled EUC-KR routinely hold CP949-only syllables; CP949 reads both.
    return "cp949" if name == "euc_kr" else name


def _transformer(crs: str):
    from pyproj import Transformer
    from pyproj.exceptions import CRSError

    try:
        transformer = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    except CRSError as exc:
        raise LicenceFileError(f"Unknown coordinate reference system {crs!r}: {exc}") from None
    return transformer.transform


def _normalise_header(name: str) -> str:
    return "".join(name.replace("\ufeff", "").split()).lower()


def _column_indexes(header: list[str]) -> dict[str, int]:
    positions = {_normalise_header(name): index for index, name in enumerate(header)}
    indexes: dict[str, int] = {}
    missing: list[str] = []
    for field_name, names in COLUMNS.items():
        for name in names:
            if _normalise_header(name) in positions:
                indexes[field_name] = positions[_normalise_header(name)]
                break
        else:
            missing.append(names[0])
    if missing:
        raise LicenceFileError(
            "Not a restaurant-licence CSV: the header lacks the column(s) "
            + ", ".join(missing)
            + "."
        )
    return indexes


def _rows(path: Path, encoding: str) -> Iterator[tuple[int, list[str]]]:
    with path.open(encoding=encoding, newline="") as text:
        reader = csv.reader(text)
        try:
            for record in reader:
                yield reader.line_num, record
        except csv.Error as exc:
            raise LicenceFileError(f"Line {reader.line_num}: not valid CSV ({exc}).") from None


def _coordinate(value: str, line: int, column: str) -> float | None:
    value = value.strip()
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise LicenceFileError(f"Line {line}, column {column}: {value!r} is not a coordinate.")
    return number


def _plan(path, encoding, crs, transform, radius_metres, progress) -> ImportPlan:
    plan = ImportPlan(encoding=encoding, crs=crs)
    rows = _rows(path, encoding)
    header_line = next(rows, None)
    if header_line is None:
        raise LicenceFileError(f"{path.name} is empty.")
    header = header_line[1]
    indexes = _column_indexes(header)
    seen: dict[str, int] = {}

    for line, record in rows:
        if not any(value.strip() for value in record):
            continue  # a blank line, often at the end of an export
        if len(record) != len(header):
            raise LicenceFileError(
                f"Line {line}: {len(record)} fields where the header has {len(header)}."
            )
        plan.rows += 1
        if progress is not None:
            progress.update(1)
        values = {name: record[index].strip() for name, index in indexes.items()}
        for name in REQUIRED_VALUES:
            if not values[name]:
                raise LicenceFileError(f"Line {line}, column {header[indexes[name]]}: empty.")
        licence_id = values["licence_id"]
        if len(licence_id) > LICENCE_ID_MAX_LENGTH:
            raise LicenceFileError(
                f"Line {line}, column {header[indexes['licence_id']]}: longer than "
                f"{LICENCE_ID_MAX_LENGTH} characters."
            )
        if licence_id in seen:
            raise LicenceFileError(
                f"Line {line}, column {header[indexes['licence_id']]}: {licence_id} "
                f"repeats line {seen[licence_id]}."
            )
        seen[licence_id] = line

        x = _coordinate(values["x"], line, header[indexes["x"]])
        y = _coordinate(values["y"], line, header[indexes["y"]])
        is_open = values["status"] in OPEN_STATUSES
        point = _to_wgs84(transform, x, y)
        if point is None:
            if is_open:
                plan.invalid += 1  # trades, but we cannot place it on a map
            else:
                plan.skipped_closed += 1
                plan.closed_licence_ids.append(licence_id)
            continue
        latitude, longitude = point
        distances = campus_distances(latitude, longitude)
        if min(distances.values()) > radius_metres:
            if is_open:
                plan.skipped_far += 1
            else:
                plan.skipped_closed += 1
            continue
        if not is_open:
            plan.skipped_closed += 1
            plan.closed_licence_ids.append(licence_id)
            continue
        plan.restaurants.append(
            PlannedRestaurant(
                line=line,
                licence_id=licence_id,
                latitude=latitude,
                longitude=longitude,
                distances=distances,
                **{name: values[name][:limit] for name, limit in MAX_LENGTHS.items()},
            )
        )
    return plan


def _to_wgs84(transform, x: float | None, y: float | None) -> tuple[float, float] | None:
    if x is None or y is None or (x == 0 and y == 0):  # (0, 0) is a placeholder, not a place
        return None
    longitude, latitude = transform(x, y)
    if not (
        math.isfinite(latitude)
        and math.isfinite(longitude)
        and KOREA_LATITUDES[0] <= latitude <= KOREA_LATITUDES[1]
        and KOREA_LONGITUDES[0] <= longitude <= KOREA_LONGITUDES[1]
    ):
        return None
    return round(latitude, 7), round(longitude, 7)
