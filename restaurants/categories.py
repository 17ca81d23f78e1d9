"""Restaurant categories as the pages show them.

The stored category is the public data's 업태구분명 (Korean, also what the API returns and filters
on); the pages show it in the page's language. Unknown categories show as stored.
"""

from django.utils.translation import gettext_lazy as _

CATEGORY_LABELS = {
    "한식": _("한식"),
    "중국식": _("중국식"),
    "일식": _("일식"),
    "경양식": _("경양식"),
    "분식": _("분식"),
    "김밥(도시락)": _("김밥(도시락)"),
    "냉면집": _("냉면집"),
    "식육(숯불구이)": _("식육(숯불구이)"),
    "탕류(보신용)": _("탕류(보신용)"),
    "패스트푸드": _("패스트푸드"),
    "호프/통닭": _("호프/통닭"),
    "까페": _("까페"),
    "뷔페식": _("뷔페식"),
    "외국음식전문점(인도,태국등)": _("외국음식전문점(인도,태국등)"),
    "기타": _("기타"),
}


def category_label(category: str) -> str:
    label = CATEGORY_LABELS.get(category)
    return str(label) if label is not None else category
