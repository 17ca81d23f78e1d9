"""The pages' styles read from the CSS: text contrast (WCAG AA 4.5:1), the phone header."""

import re
from pathlib import Path

from django.conf import settings

BASE = Path(settings.BASE_DIR)


def _luminance(hex_color: str) -> float:
    hex_color = hex_color.lstrip("#")
    if len(hex_color) == 3:
        hex_color = "".join(c * 2 for c in hex_color)
    channels = [int(hex_color[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    light, dark = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _rule(css: str, selector: str) -> str:
    match = re.search(r"(?m)^" + re.escape(selector) + r"\s*\{([^}]*)\}", css)
    assert match, f"no rule for {selector}"
    return match.group(1)


def _variable(css: str, name: str) -> str:
    return re.search(rf"{name}:\s*(#[0-9a-fA-F]{{3,6}})", css).group(1)


def test_the_completed_rooms_keep_their_grey_text_at_4_5_to_1():
    app = (BASE / "static/css/app.css").read_text()
    rooms = (BASE / "rooms/static/rooms/rooms.css").read_text()
    done = _rule(rooms, ".room-card--done")
    # Opacity blends the text into the page: #58616c at .8 on white is 3.99:1.
    opacity = re.search(r"opacity:\s*([\d.]+)", done)
    assert opacity is None or float(opacity.group(1)) == 1
    background = re.search(r"background:\s*(#[0-9a-fA-F]{3,6})", done)
    surface = background.group(1) if background else _variable(app, "--surface")
    assert contrast(_variable(app, "--muted"), surface) >= 4.5
    assert contrast(_variable(app, "--text"), surface) >= 4.5


def test_a_long_nickname_is_cut_with_an_ellipsis_and_never_wraps_the_phone_header():
    app = (BASE / "static/css/app.css").read_text()
    nickname = _rule(app, ".user-nav__nickname")
    for declaration in ("overflow: hidden", "text-overflow: ellipsis", "white-space: nowrap"):
        assert declaration in nickname
    assert re.search(r"\.site-header__inner \{ flex-wrap: nowrap; \}", app)
    assert "min-width: 0" in _rule(app, ".user-nav")
    phone = re.search(r"@media \(max-width: 39\.99rem\) \{(.*?)\n\}", app, re.S).group(1)
    assert ".user-nav__nickname { max-width:" in phone
