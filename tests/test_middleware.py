import pytest


@pytest.mark.urls("tests.urls_middleware")
def test_it_answers_the_json_error_body_for_a_plain_api_view(client, db):
    response = client.get("/api/plain/missing")
    assert response.status_code == 404
    assert response.json() == {
        "message": "Entity가 존재하지 않습니다.",
        "status": 404,
        "errors": [],
        "code": "C003",
    }


@pytest.mark.urls("tests.urls_middleware")
def test_it_sends_a_page_back_with_the_message_instead_of_a_500(client, db):
    response = client.get("/page/forbidden", HTTP_REFERER="http://testserver/choose/", follow=False)
    assert response.status_code == 302
    assert response["Location"] == "http://testserver/choose/"
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["게시글의 작성자가 아닙니다."]


@pytest.mark.urls("tests.urls_middleware")
def test_it_ignores_a_foreign_referer(client, db):
    response = client.get("/page/forbidden", HTTP_REFERER="https://evil.example/")
    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.urls("tests.urls_middleware")
def test_it_answers_the_404_page_when_a_page_finds_nothing(client, db):
    # One idiom: a page lets the selector's NotFoundError rise, the middleware answers 404.
    response = client.get("/page/missing")
    assert response.status_code == 404


@pytest.mark.urls("tests.urls_middleware")
def test_it_answers_the_403_page_when_a_page_is_forbidden(client, db):
    response = client.get("/page/not-a-member")
    assert response.status_code == 403
