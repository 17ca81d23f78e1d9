"""`manage.py import_restaurants`: counts, idempotence, upserts, closing, all-or-nothing."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from restaurants.models import CampusDistance, Restaurant
from restaurants.tests.conftest import SAMPLE_CLOSED, SAMPLE_FAR, SAMPLE_INVALID, SAMPLE_OPEN_NEAR

pytestmark = pytest.mark.django_db


def _import(path, *args) -> str:
    out, err = StringIO(), StringIO()
    call_command("import_restaurants", str(path), *args, stdout=out, stderr=err)
    return out.getvalue()


def _rewrite(src, dst, replace: dict[str, str]):
    text = src.read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    dst.write_text(text, encoding="utf-8")
    return dst


def test_it_imports_the_open_restaurants_near_the_campuses(sample_csv):
    output = _import(sample_csv)

    assert f"{SAMPLE_OPEN_NEAR} created, 0 updated, 0 unchanged, 0 closed" in output
    assert f"skipped {SAMPLE_CLOSED} closed, {SAMPLE_FAR} farther than 2000 m" in output
    assert f"{SAMPLE_INVALID} invalid" in output
    assert Restaurant.objects.filter(is_open=True).count() == SAMPLE_OPEN_NEAR
    # every restaurant is measured from both campuses
    assert CampusDistance.objects.count() == 2 * SAMPLE_OPEN_NEAR
    soondae = Restaurant.objects.get(licence_id="3220000-101-2016-00412")
    assert soondae.name == "혁신파크순대국"
    assert soondae.category == "한식"
    assert soondae.road_address == "서울특별시 강남구 개포로 420, 1층 (개포동)"
    assert soondae.address == "서울특별시 강남구 개포동 12-3"
    assert soondae.phone == "02-574-2311"
    gaepo = soondae.distances.get(campus="GAEPO").metres
    assert 130 < gaepo < 160  # placed 120 m east and 80 m north of the campus


def test_it_changes_nothing_on_a_second_import(sample_csv):
    _import(sample_csv)
    before = list(Restaurant.objects.order_by("pk").values())

    output = _import(sample_csv)

    assert f"0 created, 0 updated, {SAMPLE_OPEN_NEAR} unchanged, 0 closed" in output
    assert list(Restaurant.objects.order_by("pk").values()) == before
    assert CampusDistance.objects.count() == 2 * SAMPLE_OPEN_NEAR


def test_it_reads_an_euc_kr_file_the_same_way(tmp_path, sample_csv):
    euc_kr = tmp_path / "euc-kr.csv"
    euc_kr.write_bytes(sample_csv.read_text(encoding="utf-8").encode("euc-kr"))

    output = _import(euc_kr)

    assert "(cp949, EPSG:5174)" in output
    assert f"{SAMPLE_OPEN_NEAR} created" in output
    assert Restaurant.objects.filter(name="서초떡볶이").exists()


def test_it_updates_by_licence_id_and_keeps_what_operators_curated(tmp_path, sample_csv):
    _import(sample_csv)
    Restaurant.objects.filter(licence_id="3220000-101-2016-00412").update(
        price_level=2, link="https://example.com/soondae"
    )
    renamed = _rewrite(sample_csv, tmp_path / "renamed.csv", {"혁신파크순대국": "혁신파크순댓국"})

    output = _import(renamed)

    assert "0 created, 1 updated" in output
    soondae = Restaurant.objects.get(licence_id="3220000-101-2016-00412")
    assert soondae.name == "혁신파크순댓국"
    assert soondae.price_level == 2
    assert soondae.link == "https://example.com/soondae"
    assert Restaurant.objects.count() == SAMPLE_OPEN_NEAR


def test_it_remeasures_a_restaurant_that_moved(tmp_path, sample_csv):
    _import(sample_csv)
    moved = _rewrite(
        sample_csv,
        tmp_path / "moved.csv",
        {"205843.52745455,442960.09240923": "204843.52745455,442960.09240923"},
    )

    _import(moved)

    soondae = Restaurant.objects.get(licence_id="3220000-101-2016-00412")
    assert soondae.distances.get(campus="GAEPO").metres > 800
    assert soondae.distances.count() == 2


def test_it_marks_closed_a_restaurant_whose_licence_closed(tmp_path, sample_csv):
    _import(sample_csv)
    closed = _rewrite(
        sample_csv,
        tmp_path / "closed.csv",
        {
            "3220000-101-2016-00412,20160411,,01,영업/정상,01,영업": (
                "3220000-101-2016-00412,20160411,,03,폐업,02,폐업"
            )
        },
    )

    output = _import(closed)

    assert "0 updated, 24 unchanged, 1 closed" in output
    soondae = Restaurant.objects.get(licence_id="3220000-101-2016-00412")
    assert soondae.is_open is False
    # and it opens again when the licence does
    assert "1 updated" in _import(sample_csv)
    soondae.refresh_from_db()
    assert soondae.is_open is True


def test_it_refuses_a_malformed_file_and_writes_nothing(tmp_path, sample_csv):
    _import(sample_csv)
    before = list(Restaurant.objects.order_by("pk").values())
    broken = _rewrite(
        sample_csv,
        tmp_path / "broken.csv",
        {
            "혁신파크순대국": "새이름순대국",  # a change on line 2 that must not land
            "205572.42758674,442939.91085751": "205572.42758674,not-a-number",
        },
    )

    with pytest.raises(CommandError) as excinfo:
        _import(broken)

    message = str(excinfo.value)
    assert "broken.csv: Line 3, column 좌표정보(y): 'not-a-number' is not a coordinate." in message
    assert "Nothing was imported." in message
    assert list(Restaurant.objects.order_by("pk").values()) == before


def test_it_refuses_a_file_that_is_not_a_licence_csv(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("이름,주소\n식당,서울\n", encoding="utf-8")

    with pytest.raises(CommandError, match="lacks the column"):
        _import(path)
    assert not Restaurant.objects.exists()


def test_it_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        _import(tmp_path / "nope.csv")


def test_it_takes_the_crs_and_radius_as_options(sample_csv):
    output = _import(sample_csv, "--crs", "EPSG:2097", "--radius", "300")

    assert "(utf-8-sig, EPSG:2097)" in output
    assert "farther than 300 m" in output
    created = int(output.split(" created")[0].rsplit(" ", 1)[-1])
    assert 0 < created < SAMPLE_OPEN_NEAR


def test_it_shows_a_progress_bar_on_stderr(sample_csv):
    err = StringIO()
    call_command("import_restaurants", str(sample_csv), stdout=StringIO(), stderr=err)

    assert "seoul_restaurants_sample.csv" in err.getvalue()
    assert "31/31" in err.getvalue()


def test_it_runs_quietly_without_the_bar(sample_csv):
    err = StringIO()
    call_command(
        "import_restaurants", str(sample_csv), "--no-progress", stdout=StringIO(), stderr=err
    )

    assert err.getvalue() == ""
