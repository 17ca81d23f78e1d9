"""Every error the product reports has a stable code (SPEC section 10).

Services raise `ApplicationError` subclasses; the DRF exception handler renders them as JSON and the
page views show their message in a form error or a banner.
"""

from enum import Enum

from django.utils.translation import gettext_lazy as _


class ErrorCode(Enum):
    """(code, HTTP status, message). Messages are the original's, without its leading spaces."""

    INVALID_INPUT = ("C001", 400, _("잘못된 입력값입니다."))
    METHOD_NOT_ALLOWED = ("C002", 405, _("요청메서드가 허용되지 않습니다."))
    NOT_FOUND = ("C003", 404, _("Entity가 존재하지 않습니다."))
    INTERNAL = ("C004", 500, _("서버에서 오류가 발생했습니다."))
    WRONG_TYPE = ("C005", 400, _("잘못된 타입입니다."))
    FORBIDDEN = ("C006", 403, _("권한이 없습니다."))
    MALFORMED_JSON = ("C007", 400, _("Json형식과 맞지 않습니다."))
    THROTTLED = ("C008", 429, _("요청이 너무 많습니다. 잠시 후 다시 시도해 주세요."))
    UNSUPPORTED_MEDIA_TYPE = ("C009", 415, _("지원하지 않는 Content-Type입니다."))
    NOT_ACCEPTABLE = ("C010", 406, _("지원하지 않는 Accept 형식입니다."))
    PAYLOAD_TOO_LARGE = ("C011", 413, _("요청 본문이 너무 큽니다."))
    # Beyond the original: the database dropped the connection or is briefly out of reach.
    SERVICE_UNAVAILABLE = (
        "C012",
        503,
        _("잠시 서비스를 이용할 수 없습니다. 잠시 후 다시 시도해 주세요."),
    )
    NOT_AUTHENTICATED = ("AU000", 401, _("로그인이 필요합니다."))
    INVALID_ACCESS_TOKEN = ("AU001", 401, _("토큰이 만료되었습니다."))
    NO_REFRESH_COOKIE = ("AU002", 401, _("쿠키에 refresh-token이 없습니다."))
    INVALID_REFRESH_TOKEN = (
        "AU003",
        401,
        _("쿠키에 저장된 refresh-token이 만료되었거나 인증이 불가능합니다."),
    )
    USER_DISABLED = ("AU004", 401, _("Access token을 재발급 받을 수 없습니다."))
    BAD_CREDENTIALS = ("AU005", 401, _("아이디 또는 비밀번호가 올바르지 않습니다."))
    NOT_YOURS = ("U001", 403, _("본인이 아닙니다."))
    NOT_ARTICLE_AUTHOR = ("AR001", 403, _("게시글의 작성자가 아닙니다."))
    CAPACITY_BELOW_COUNT = ("AR003", 409, _("방의 최대 인원을 변경할 수 없습니다."))
    ALREADY_PARTICIPANT = ("AR005", 409, _("이미 참여한 방입니다."))
    ARTICLE_DELETED = ("AR006", 409, _("삭제된 게시글입니다."))
    ARTICLE_COMPLETED = ("AR007", 409, _("완료된 게시글입니다."))
    NOT_PARTICIPANT = ("AR007", 409, _("이 멤버가 참여하지 않은 방입니다."))
    # Beyond the original: its meeting date has passed (Asia/Seoul), so it is closed like AR007.
    ARTICLE_CLOSED = ("AR007", 409, _("모임 날짜가 지난 방입니다."))
    ARTICLE_FULL = ("AR008", 409, _("인원이 다 찬 게시글입니다."))
    NO_PARTICIPANT_BESIDES_AUTHOR = (
        "AR009",
        409,
        _("작성자를 제외한 참여 인원이 없는 게시글입니다."),
    )
    AUTHOR_CANNOT_LEAVE = ("AR010", 409, _("작성자는 참여를 취소할 수 없습니다."))
    DATE_IN_PAST = ("AR011", 400, _("게시글의 날짜가 과거입니다."))
    RANDOM_MATCH_EXISTS = ("RM001", 409, _("이미 랜덤 매칭에 참여하고 있습니다"))
    RANDOM_MATCH_NONE = (
        "RM002",
        409,
        _("취소할 수 있는 랜덤매칭 신청내역이 존재하지 않습니다."),
    )
    RANDOM_MATCH_WRONG_CONDITION = (
        "RM003",
        400,
        _("조건을 선택할 수 없는 필드가 선택되었습니다."),
    )
    # Beyond the original: the student paused random matching (their preferences) until a date.
    RANDOM_MATCH_SNOOZED = ("RM004", 409, _("랜덤 매칭을 쉬는 중입니다."))
    # Beyond the original: three absences in a row paused random matching (docs/matching.md).
    RANDOM_MATCH_PAUSED = ("RM005", 409, _("불참이 이어져 랜덤 매칭이 멈춘 상태입니다."))
    NOT_OPINION_AUTHOR = ("OP001", 403, _("의견의 작성자가 아닙니다."))
    ALREADY_REVIEWED = ("MCH001", 409, _("이미 리뷰를 작성한 매칭입니다."))
    NOT_MATCH_MEMBER = ("MCH002", 403, _("참여하지않은 매칭입니다."))
    REVIEW_TARGET_NOT_MEMBER = (
        "MCH003",
        400,
        _("매칭에 참여하지 않은 멤버가 리뷰에 포함되어있습니다."),
    )
    REVIEW_SELF = ("MCH004", 400, _("자기 자신을 리뷰할 수 없습니다."))
    REVIEW_NOT_OPEN = ("MCH005", 409, _("아직 리뷰를 작성할 수 없는 매칭입니다."))
    # Beyond the original: a canceled match takes no restaurant pin.
    MATCH_CANCELED = ("MCH006", 409, _("취소된 매칭입니다."))
    # Beyond the original: "did you meet?" (docs/matching.md).
    MEETING_ALREADY_REPORTED = ("MCH010", 409, _("이미 만남 여부를 알려 준 매칭입니다."))
    MEETING_REPORT_NOT_OPEN = ("MCH007", 409, _("지금은 만남 여부를 알릴 수 없는 매칭입니다."))
    MEETING_ABSENT_NOT_MEMBER = (
        "MCH008",
        400,
        _("매칭에 참여하지 않은 멤버가 불참자에 포함되어 있습니다."),
    )
    MEETING_ABSENT_SELF = ("MCH009", 400, _("자기 자신을 불참자로 알릴 수 없습니다."))

    @property
    def code(self) -> str:
        return self.value[0]

    @property
    def status(self) -> int:
        return self.value[1]

    @property
    def message(self) -> str:
        return str(self.value[2])


class ApplicationError(Exception):
    """A domain error with a stable code. Subclass it, or raise it with an ErrorCode."""

    error_code: ErrorCode = ErrorCode.INTERNAL

    def __init__(
        self,
        error_code: ErrorCode | None = None,
        message: str | None = None,
        errors: list[dict[str, str]] | None = None,
    ) -> None:
        if error_code is not None:
            self.error_code = error_code
        self.message = message or self.error_code.message
        self.errors = errors or []
        super().__init__(self.message)

    @property
    def code(self) -> str:
        return self.error_code.code

    @property
    def status(self) -> int:
        return self.error_code.status


class NotFoundError(ApplicationError):
    error_code = ErrorCode.NOT_FOUND


class InvalidInputError(ApplicationError):
    error_code = ErrorCode.INVALID_INPUT


class ForbiddenError(ApplicationError):
    error_code = ErrorCode.FORBIDDEN


def error_body(
    error_code: ErrorCode, message: str | None = None, errors: list | None = None
) -> dict:
    """The JSON body of SPEC section 10, keys in the original's order."""
    return {
        "message": message or error_code.message,
        "status": error_code.status,
        "errors": errors or [],
        "code": error_code.code,
    }
