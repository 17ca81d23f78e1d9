"""Reading the licence CSV: columns, encodings, statuses and the Korean TM conversion."""

from pathlib import Path

import pytest

from restaurants.geo import haversine_metres
from restaurants.licence import LicenceFileError, plan_import
from restaurants.tests.conftest import SAMPLE_CLOSED, SAMPLE_FAR, SAMPLE_INVALID, SAMPLE_OPEN_NEAR

HEADER = (
    "관리번호,영업상태명,사업장명,업태구분명,소재지전체주소,도로명전체주소,"
    "소재지전화,좌표정보(x),좌표정보(y)"
)
# A real row of the Seoul 일반음식점 data (OA-16094), 서울 강남구 테헤란로 124 (역삼동), whose
# building stands at about 37.4987 N, 127.0316 E.
TEHERAN_124 = ("202722.53183055", "444055.07069569")
TEHERAN_124_WGS84 = (37.4987, 127.0316)


def _write(tmp_path: Path, *rows: str, header: str = HEADER, encoding="utf-8") -> Path:
    path = tmp_path / "licences.csv"
    path.write_bytes(("\r\n".join([header, *rows]) + "\r\n").encode(encoding))
    return path


def _row(licence="3220000-101-2023-00456", status="영업/정상", name="역삼식당", x=None, y=None):
    x = TEHERAN_124[0] if x is None else x
    y = TEHERAN_124[1] if y is None else y
    return (
        f"{licence},{status},{name},한식,서울특별시 강남구 역삼동 823,"
        f'"서울특별시 강남구 테헤란로 124, 삼원타워 (역삼동)",02-000-0000,{x},{y}'
    )


def test_it_converts_a_real_row_to_within_100_m_of_its_address(tmp_path):
    plan = plan_import(_write(tmp_path, _row()))

    (restaurant,) = plan.restaurants
    error = haversine_metres(restaurant.latitude, restaurant.longitude, *TEHERAN_124_WGS84)
    assert error < 100
    # and it is the Seocho cluster's neighbour, about half a kilometre away
    assert 300 < restaurant.distances["SEOCHO"] < 700


def test_it_reads_the_coordinates_in_the_crs_it_is_told(tmp_path):
    path = _write(tmp_path, _row())

    modified = plan_import(path).restaurants[0]
    central = plan_import(path, crs="EPSG:2097").restaurants[0]

    # EPSG:2097 lacks the 10.405" meridian correction of EPSG:5174: some 255 m further west.
    shift = haversine_metres(
        modified.latitude, modified.longitude, central.latitude, central.longitude
    )
    assert 230 < shift < 280
    assert central.longitude < modified.longitude


def test_it_refuses_an_unknown_crs(tmp_path):
    with pytest.raises(LicenceFileError, match="EPSG:999999"):
        plan_import(_write(tmp_path, _row()), crs="EPSG:999999")


def test_it_reads_the_sample_as_utf8_and_as_euc_kr(tmp_path, sample_csv):
    euc_kr = tmp_path / "sample-euc-kr.csv"
    euc_kr.write_bytes(sample_csv.read_text(encoding="utf-8").encode("euc-kr"))

    utf8_plan = plan_import(sample_csv)
    euc_kr_plan = plan_import(euc_kr)

    assert utf8_plan.encoding == "utf-8-sig"
    assert euc_kr_plan.encoding == "cp949"
    assert euc_kr_plan.restaurants == utf8_plan.restaurants
    assert len(utf8_plan.restaurants) == SAMPLE_OPEN_NEAR
    assert utf8_plan.skipped_closed == SAMPLE_CLOSED
    assert utf8_plan.skipped_far == SAMPLE_FAR
    assert utf8_plan.invalid == SAMPLE_INVALID


def test_it_reads_a_byte_order_mark_and_the_newer_column_names(tmp_path):
    header = (
        "\ufeff관리번호,영업상태명,사업장명,위생업태명,지번주소,도로명주소,"
        "전화번호,좌표정보(X),좌표정보(Y)"
    )
    plan = plan_import(_write(tmp_path, _row(), header=header))

    assert [r.name for r in plan.restaurants] == ["역삼식당"]
    assert plan.restaurants[0].road_address == "서울특별시 강남구 테헤란로 124, 삼원타워 (역삼동)"


def test_it_honours_an_explicit_encoding(tmp_path):
    path = _write(tmp_path, _row(), encoding="euc-kr")

    assert plan_import(path, encoding="euc-kr").restaurants[0].name == "역삼식당"
    with pytest.raises(LicenceFileError, match="utf-8"):
        plan_import(path, encoding="utf-8")


def test_it_skips_closed_businesses_but_remembers_them(tmp_path):
    plan = plan_import(
        _write(
            tmp_path,
            _row(licence="A-1", status="폐업"),
            _row(licence="A-2", status="휴업"),
            _row(licence="A-3", status="취소/말소/만료/정지/중지"),
            _row(licence="A-4"),
        )
    )

    assert [r.licence_id for r in plan.restaurants] == ["A-4"]
    assert plan.skipped_closed == 3
    assert plan.closed_licence_ids == ["A-1", "A-2", "A-3"]


def test_it_counts_open_rows_without_usable_coordinates_as_invalid(tmp_path):
    plan = plan_import(
        _write(tmp_path, _row(licence="A-1", x="", y=""), _row(licence="A-2", x="0", y="0"))
    )

    assert plan.restaurants == []
    assert plan.invalid == 2


def test_it_leaves_out_businesses_far_from_every_campus(tmp_path):
    plan = plan_import(_write(tmp_path, _row()), radius_metres=200)

    assert plan.restaurants == []
    assert plan.skipped_far == 1


@pytest.mark.parametrize(
    ("rows", "header", "message"),
    [
        ([], "번호,사업장명", "lacks the column(s) 관리번호, 영업상태명"),
        ([_row(x="12a.5")], HEADER, "Line 2, column 좌표정보(x): '12a.5' is not a coordinate"),
        ([_row(), _row(licence="B-1", y="nan")], HEADER, "Line 3, column 좌표정보(y)"),
        ([_row(licence="")], HEADER, "Line 2, column 관리번호: empty"),
        ([_row(), _row(name="")], HEADER, "Line 3, column 사업장명: empty"),
        ([_row(), _row(status="")], HEADER, "Line 3, column 영업상태명: empty"),
        (
            [_row(), _row()],
            HEADER,
            "Line 3, column 관리번호: 3220000-101-2023-00456 repeats line 2",
        ),
        ([_row() + ",extra"], HEADER, "Line 2: 10 fields where the header has 9"),
    ],
)
def test_it_refuses_a_malformed_file_naming_line_and_column(tmp_path, rows, header, message):
    with pytest.raises(LicenceFileError) as excinfo:
        plan_import(_write(tmp_path, *rows, header=header))

    assert message in str(excinfo.value)


def test_it_refuses_an_empty_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")

    with pytest.raises(LicenceFileError, match="empty"):
        plan_import(path)


def test_it_ignores_blank_lines(tmp_path):
    plan = plan_import(_write(tmp_path, _row(), "", ",,,,,,,,"))

    assert plan.rows == 1
    assert len(plan.restaurants) == 1
