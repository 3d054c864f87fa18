"""The listener page as people at an event use it (issue 15): a passcode typed with a space, captions
that stay in view when the text is made larger, honest state (behind live, network trouble), the
page in the listener's language, and the last minutes of captions for a late joiner."""

import pytest

from conftest import FIXTURES, css, css_all, finals, open_console, retire, state_of, wait_for

TALK = FIXTURES / "museum-tour.wav"
PASSCODE = "river walk"


@pytest.fixture(scope="module")
def talk(server, make_browser):
    """A speaker streaming the museum talk into a session whose passcode has a space."""
    speaker, session_id = open_console(make_browser, server, "Riverside walk", microphone=TALK, passcode=PASSCODE)
    css(speaker, "#mic-button").click()
    wait_for(speaker, lambda d: state_of(d, "#mic-pill") == "on", message="microphone on")
    yield session_id
    retire(make_browser, speaker)


def open_listener(make_browser, server, session_id, size=(360, 740), locale=None):
    listener = make_browser(size=size, locale=locale)
    listener.get(f"{server.base_url}/s/{session_id}")
    wait_for(listener, lambda d: css(d, "#join-view").is_displayed(), message="join view")
    return listener


def join(listener, language, passcode=PASSCODE):
    wait_for(listener, lambda d: css(d, f'input[name="language"][value="{language}"]'), message="language choices").click()
    css(listener, "#passcode").send_keys(passcode)
    css(listener, "#start-button").click()
    wait_for(listener, lambda d: state_of(d, "#live-pill") in ("live", "waiting"), message=f"{language} listener joined")


def test_a_passcode_with_a_space_lets_the_listener_in(talk, make_browser, server):
    listener = open_listener(make_browser, server, talk)
    join(listener, "es")
    wait_for(listener, lambda d: len(finals(d)) >= 1, timeout=90, message="captions behind the passcode")
    assert css(listener, "#join-error").text == ""
    retire(make_browser, listener)
