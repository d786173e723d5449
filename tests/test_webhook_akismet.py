"""The Akismet-compatible endpoints, through the real PyPI ``akismet`` client."""

from __future__ import annotations

import akismet
import httpx
import pytest
from conftest import WEBHOOK_POLICY

KEY = "123456"  # numeric on purpose: keys are read as raw strings
BLOG = "http://blog.local"


@pytest.fixture
def app(make_app):
    return make_app(AKISMET_KEYS=f"other-key, {KEY}", POLICY_DIR=str(WEBHOOK_POLICY))


@pytest.fixture
def ak(app):
    http = httpx.Client(transport=httpx.WSGITransport(app=app))
    with akismet.SyncClient.validated_client(config=akismet.Config(key=KEY, url=BLOG), http_client=http) as c:
        yield c


def test_valid_and_invalid_keys(app, ak):
    assert ak.verify_key(KEY, BLOG) is True
    assert ak.verify_key("wrong-key", BLOG) is False
    http = httpx.Client(transport=httpx.WSGITransport(app=app))
    with pytest.raises(akismet.APIKeyError):
        akismet.SyncClient.validated_client(config=akismet.Config(key="wrong", url=BLOG), http_client=http)


def test_invalid_key_on_comment_check_is_invalid_with_debug_help(app):
    http = httpx.Client(transport=httpx.WSGITransport(app=app))
    bad = akismet.SyncClient(config=akismet.Config(key="wrong", url=BLOG), http_client=http)
    with pytest.raises(akismet.APIKeyError):
        bad.comment_check(user_ip="127.0.0.1", comment_content="hello")
    r = http.post("https://rest.akismet.com/1.1/comment-check", data={"api_key": "wrong", "blog": BLOG, "user_ip": "1"})
    assert r.text == "invalid" and r.headers["X-akismet-debug-help"]


def test_ham_spam_and_discard(ak):
    assert (
        ak.comment_check(user_ip="127.0.0.1", comment_content="Thanks, the second chart answered my question.")
        == akismet.CheckResponse.HAM
    )
    assert ak.comment_check(user_ip="127.0.0.1", comment_content="Buy cheap pills here") == akismet.CheckResponse.SPAM
    assert ak.comment_check(user_ip="127.0.0.1", comment_content="I will kill you") == akismet.CheckResponse.DISCARD


def test_documented_test_triggers(ak):
    assert (
        ak.comment_check(user_ip="1.2.3.4", comment_author="viagra-test-123", comment_content="hello", is_test=True)
        == akismet.CheckResponse.SPAM
    )
    assert (
        ak.comment_check(user_ip="1.2.3.4", user_role="administrator", comment_content="buy pills, idiot", is_test=True)
        == akismet.CheckResponse.HAM
    )


def test_each_submit_records_one_feedback_row(app, ak):
    store = app.extensions["moderation"].store
    ak.comment_check(user_ip="127.0.0.1", comment_content="Buy cheap pills here")
    assert ak.submit_ham(user_ip="127.0.0.1", comment_content="Buy cheap pills here") is True
    assert ak.submit_spam(user_ip="127.0.0.1", comment_content="Visit my site, great deals") is True
    assert list(store.feedback_rows()) == [("Buy cheap pills here", "ok"), ("Visit my site, great deals", "spam")]
    ak.submit_spam(user_ip="127.0.0.1", comment_content="test only", is_test=True)
    assert len(list(store.feedback_rows())) == 2


def test_feedback_on_a_known_comment_uses_its_category(app, ak):
    ak.comment_check(user_ip="127.0.0.1", comment_content="You moron")
    ak.submit_spam(user_ip="127.0.0.1", comment_content="You moron")
    assert list(app.extensions["moderation"].store.feedback_rows()) == [("You moron", "name_calling")]


def test_key_from_the_host_label_only_with_a_public_host(make_app):
    app = make_app(AKISMET_KEYS=KEY, PUBLIC_HOST="akismet.example.org", POLICY_DIR=str(WEBHOOK_POLICY))
    client = app.test_client()
    form = {"blog": BLOG, "user_ip": "1", "comment_content": "hello"}
    r = client.post("/1.1/comment-check", data=form, headers={"Host": f"{KEY}.akismet.example.org"})
    assert r.text == "false"
    r = client.post("/1.1/comment-check", data=form, headers={"Host": "wrong.akismet.example.org"})
    assert r.text == "invalid"
    other_dir = str(app.extensions["moderation"].holder.data_dir) + "2"
    plain = make_app(AKISMET_KEYS=KEY, POLICY_DIR=str(WEBHOOK_POLICY), DATA_DIR=other_dir).test_client()
    r = plain.post("/1.1/comment-check", data=form, headers={"Host": f"{KEY}.akismet.example.org"})
    assert r.text == "invalid"


@pytest.mark.parametrize(
    ("data", "content_type"),
    [({"api_key": KEY, "blog": BLOG}, None), ({"api_key": KEY, "user_ip": "1"}, None), ("{}", "application/json")],
)
def test_errors_are_invalid_with_debug_help(app, data, content_type):
    kw = {"data": data} if content_type is None else {"data": data, "content_type": content_type}
    r = app.test_client().post("/1.1/comment-check", **kw)
    assert r.status_code == 200 and r.text == "invalid" and r.headers["X-akismet-debug-help"]


def test_action_map_is_configurable(make_app):
    app = make_app(
        AKISMET_KEYS=KEY,
        POLICY_DIR=str(WEBHOOK_POLICY),
        AKISMET_ACTIONS={"approve": "ham", "flag": "ham", "reject": "spam"},
    )
    c = app.test_client()
    form = {"api_key": KEY, "blog": BLOG, "user_ip": "1"}
    assert c.post("/1.1/comment-check", data={**form, "comment_content": "you idiot"}).text == "false"
    r = c.post("/1.1/comment-check", data={**form, "comment_content": "I will kill you"})
    assert r.text == "true" and "X-akismet-pro-tip" not in r.headers
