"""Interpreters: the speaker console makes a link for Maria to interpret into Spanish; Maria's
interpreter page (its microphone plays another talk) goes on the air; Spanish listeners see and hear
whose voice it is; off the air gives Spanish back to the machine; revoking the link closes the page."""

import json
import time
import urllib.request

import pytest
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import (
    FIXTURES, css, css_all, drop_websockets, finals, join_as_listener, open_console, page_strings, retire, script_errors, state_of,
    unnamed_controls, wait_for,
)

TALK = FIXTURES / "museum-tour.wav"
# The interpreter's voice: another talk, so it cannot be mistaken for the speaker's.
INTERPRETER = FIXTURES / "church-welcome.wav"


class Booth:
    def __init__(self, speaker, session_id, listener, pcm_listener, interpreter, link):
        self.speaker = speaker
        self.session_id = session_id
        self.listener = listener
        self.pcm_listener = pcm_listener
        self.interpreter = interpreter
        self.link = link


def voice_of(listener):
    indicator = css(listener, "#voice-indicator")
    return indicator.get_attribute("data-voice") if indicator.is_displayed() else None


def console_voice(speaker, language):
    items = css_all(speaker, f'#voice-list li[data-language="{language}"]')
    return (items[0].get_attribute("data-voice"), items[0].text) if items else (None, "")


def audio_stat(listener, name):
    return float(css(listener, "#audio-stats").get_attribute(f"data-{name}") or 0)


def call_api(server, method, path, body=None):
    """Calls the HTTP API with the speaker key, as any client of it would; returns the JSON answer, if any."""
    request = urllib.request.Request(
        server.base_url + path,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {server.key}", "Content-Type": "application/json"},
        method=method,
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        answer = response.read()
    return json.loads(answer) if answer else None


def interpreter_link(server, session_id, name):
    """Makes an interpreter link into Spanish; returns its `interpretUrl`."""
    return call_api(server, "POST", f"/v1/sessions/{session_id}/interpreters", {"language": "es", "name": name})["interpretUrl"]


def join_without_webcodecs(make_browser, server, session_id, language):
    """A listener whose browser cannot decode Opus: speech comes as `audioData` JSON, which says whose voice it is."""
    listener = make_browser(size=(360, 740))
    listener.execute_cdp_cmd(
        "Page.addScriptToEvaluateOnNewDocument", {"source": "delete window.AudioDecoder; delete window.EncodedAudioChunk;"})
    listener.get(f"{server.base_url}/s/{session_id}")
    wait_for(listener, lambda d: css(d, f'input[name="language"][value="{language}"]'), message="language choices").click()
    css(listener, "#start-button").click()
    wait_for(listener, lambda d: state_of(d, "#live-pill") in ("live", "waiting"), message="PCM listener joined")
    return listener


@pytest.fixture(scope="module")
def booth(server, make_browser):
    speaker, session_id = open_console(make_browser, server, "Interpreted tour", microphone=TALK)
    listener = join_as_listener(make_browser, server, session_id, "es")
    pcm_listener = join_without_webcodecs(make_browser, server, session_id, "es")
    css(speaker, "#mic-button").click()
    wait_for(speaker, lambda d: state_of(d, "#mic-pill") == "on", message="microphone on")

    # The console makes Maria's link.
    wait_for(speaker, lambda d: css_all(d, '#interpreter-language option[value="es"]'), message="languages to interpret into")
    assert not css_all(speaker, '#interpreter-language option[value="en"]'), "the session's own language is not offered"
    Select(css(speaker, "#interpreter-language")).select_by_value("es")
    css(speaker, "#interpreter-name").send_keys("Maria")
    css(speaker, "#create-interpreter").click()
    wait_for(speaker, lambda d: css(d, "#new-interpreter").is_displayed(), message="the new link")
    link = css(speaker, "#interpret-link").get_attribute("href")
    assert f"/interpret/{session_id}#" in link and "token=" in link, link
    wait_for(speaker, lambda d: css_all(d, "#interpreter-list li"), message="the link is listed")

    interpreter = make_browser(microphone=INTERPRETER)
    interpreter.get(link)
    wait_for(interpreter, lambda d: css(d, "#booth-view").is_displayed(), message="interpreter page")
    wait_for(interpreter, lambda d: state_of(d, "#connection-pill") == "connected", message="interpreter connected")
    yield Booth(speaker, session_id, listener, pcm_listener, interpreter, link)
    for driver in (speaker, listener, pcm_listener, interpreter):
        if driver in make_browser.drivers:
            make_browser.drivers.remove(driver)
            driver.quit()


def test_the_interpreter_connects_off_the_air_and_follows_the_speaker(booth):
    interpreter = booth.interpreter
    assert state_of(interpreter, "#air-button") == "off"
    assert css(interpreter, "#air-state").text.lower() == "off the air"
    assert css(interpreter, "#on-air-now").get_attribute("data-voice") == "machine"
    assert "Maria" in css(interpreter, "#booth-subtitle").text
    # The speaker's own captions, in the speaker's language.
    wait_for(interpreter, lambda d: len(finals(d)) >= 1, timeout=90, message="the speaker's captions")
    assert all(lang == "en" for _, _, lang in finals(interpreter))
    # Nobody is on the air yet: listeners hear the machine, and the console says so.
    wait_for(booth.listener, lambda d: voice_of(d) == "machine", timeout=10, message="listener hears the machine")
    # The Spanish listener's page speaks Spanish.
    assert css(booth.listener, "#voice-indicator").text == page_strings("es")["voice.machine"]
    assert console_voice(booth.speaker, "es")[0] == "machine"
    wait_for(booth.speaker, lambda d: css(d, "#interpreter-list li").get_attribute("data-connected") == "true", timeout=20,
             message="the console sees Maria connected")


def test_on_the_air_the_listeners_hear_the_interpreter(booth):
    interpreter, listener, pcm_listener = booth.interpreter, booth.listener, booth.pcm_listener
    css(interpreter, "#air-button").click()
    wait_for(interpreter, lambda d: state_of(d, "#air-button") == "on", timeout=10, message="interpreter on the air")
    assert css(interpreter, "#on-air-now").get_attribute("data-voice") == "self"
    assert css(interpreter, "#on-air-now").text == "You are on the air"

    for page in (listener, pcm_listener):
        wait_for(page, lambda d: voice_of(d) == "interpreter", timeout=10, message="listener hears the interpreter")
        assert css(page, "#voice-indicator").text == page_strings("es")["voice.interpreter"].replace("{name}", "Maria")
    # The PCM listener's audioData say whose voice they are: Maria's arrives as she speaks, chunk by chunk.
    wait_for(pcm_listener, lambda d: audio_stat(d, "interpreter-chunks") > 20, timeout=30, message="interpreter audioData")
    # Both play it as one continuous stream: in a few seconds, about as many seconds are scheduled.
    for page in (listener, pcm_listener):
        before = audio_stat(page, "scheduled")
        wait_for(page, lambda d: audio_stat(d, "scheduled") > before + 3, timeout=12, message="interpreter audio scheduled")

    wait_for(booth.speaker, lambda d: console_voice(d, "es")[0] == "interpreter", timeout=10, message="console: Maria on the air")
    assert "Maria" in console_voice(booth.speaker, "es")[1]
    wait_for(booth.speaker, lambda d: css(d, "#interpreter-list li").get_attribute("data-on-air") == "true", timeout=20,
             message="the link is listed on the air")


def test_a_dropped_interpreter_comes_back_on_the_air(booth):
    interpreter = booth.interpreter
    assert drop_websockets(interpreter) >= 1
    wait_for(interpreter, lambda d: state_of(d, "#connection-pill") == "connected", timeout=30, message="reconnected")
    # It reconnected as it was: on the air, and the listeners hear it again.
    wait_for(interpreter, lambda d: state_of(d, "#air-button") == "on", timeout=10, message="still on the air")
    wait_for(booth.listener, lambda d: voice_of(d) == "interpreter", timeout=10, message="listener hears the interpreter again")


def test_the_interpreter_hears_the_speaker_on_request(booth):
    interpreter = booth.interpreter
    button = css(interpreter, "#hear-button")
    assert button.get_attribute("aria-pressed") == "false"
    button.click()
    wait_for(interpreter, lambda d: css(d, "#hear-button").get_attribute("aria-pressed") == "true", message="hearing")
    status = lambda d: css(d, "#hear-status")
    wait_for(interpreter, lambda d: int(status(d).get_attribute("data-chunks")) > 10, timeout=30, message="the speaker's voice arrives")
    wait_for(interpreter, lambda d: float(status(d).get_attribute("data-scheduled")) > 1, timeout=10, message="and is played")
    css(interpreter, "#hear-button").click()
    wait_for(interpreter, lambda d: css(d, "#hear-button").get_attribute("aria-pressed") == "false", message="stopped hearing")


def test_every_control_has_a_name_for_screen_readers(booth):
    assert unnamed_controls(booth.interpreter) == []
    assert unnamed_controls(booth.speaker) == []
    assert unnamed_controls(booth.listener) == []


def test_off_the_air_gives_the_language_back_to_the_machine(booth):
    interpreter = booth.interpreter
    css(interpreter, "#air-button").click()
    wait_for(interpreter, lambda d: state_of(d, "#air-button") == "off", timeout=10, message="interpreter off the air")
    wait_for(interpreter, lambda d: css(d, "#on-air-now").get_attribute("data-voice") == "machine", timeout=10,
             message="the interpreter page says the machine speaks")
    for page in (booth.listener, booth.pcm_listener):
        wait_for(page, lambda d: voice_of(d) == "machine", timeout=10, message="listener hears the machine again")
        assert css(page, "#voice-indicator").text == page_strings("es")["voice.machine"]
    wait_for(booth.speaker, lambda d: console_voice(d, "es")[0] == "machine", timeout=10, message="console: machine voice")
    # No more of Maria's audio once she is off the air.
    time.sleep(1)
    chunks = audio_stat(booth.pcm_listener, "interpreter-chunks")
    time.sleep(3)
    assert audio_stat(booth.pcm_listener, "interpreter-chunks") == chunks


def test_revoking_the_link_closes_the_interpreter_page(booth):
    speaker, interpreter = booth.speaker, booth.interpreter
    revoke = css(speaker, "#interpreter-list li button")
    assert revoke.get_attribute("aria-label") == "Revoke Maria's link (español)"
    revoke.click()
    WebDriverWait(speaker, 5).until(expected_conditions.alert_is_present()).accept()
    wait_for(interpreter, lambda d: css(d, "#error-view").is_displayed(), timeout=15, message="the interpreter page closes")
    assert "revoked" in css(interpreter, "#error-title").text.lower()
    wait_for(speaker, lambda d: not css_all(d, "#interpreter-list li"), timeout=10, message="the link is gone from the console")
    # The link does not work any more.
    interpreter.get(booth.link)
    interpreter.refresh()
    wait_for(interpreter, lambda d: css(d, "#error-view").is_displayed(), timeout=15, message="a revoked link is refused")
    assert "does not work" in css(interpreter, "#error-title").text


def test_a_bad_link_says_what_is_wrong(booth, make_browser, server):
    visitor = make_browser(size=(360, 740))
    for path, title in (
        (f"/interpret/{booth.session_id}#token=not-a-token", "does not work"),
        ("/interpret/no-such-100#token=not-a-token", "not found"),
        (f"/interpret/{booth.session_id}", "incomplete"),
    ):
        visitor.get(server.base_url + path)
        visitor.refresh()  # a new fragment alone does not load the page again
        wait_for(visitor, lambda d: css(d, "#error-view").is_displayed(), timeout=15, message=path)
        assert title in css(visitor, "#error-title").text.lower(), (path, css(visitor, "#error-title").text)
    retire(make_browser, visitor)


def test_hearing_the_speaker_of_a_passcode_session_takes_its_passcode(server, make_browser):
    speaker, session_id = open_console(make_browser, server, "Closed meeting", microphone=TALK, passcode="4821")
    css(speaker, "#mic-button").click()
    wait_for(speaker, lambda d: state_of(d, "#mic-pill") == "on", message="microphone on")
    interpreter = make_browser()
    interpreter.get(interpreter_link(server, session_id, "Ana"))
    wait_for(interpreter, lambda d: state_of(d, "#connection-pill") == "connected", timeout=15, message="Ana connected")
    assert css(interpreter, "#hear-passcode-field").is_displayed()
    hearing = lambda d: css(d, "#hear-button").get_attribute("aria-pressed") == "true"
    error = lambda d: css(d, "#hear-error").text

    css(interpreter, "#hear-button").click()
    assert error(interpreter) == "Type the session's passcode first."
    assert not hearing(interpreter)

    css(interpreter, "#hear-passcode").send_keys("0000")
    css(interpreter, "#hear-button").click()
    wait_for(interpreter, lambda d: not hearing(d) and error(d) not in ("", "Type the session's passcode first."), timeout=10,
             message="a wrong passcode is refused")

    css(interpreter, "#hear-passcode").clear()
    css(interpreter, "#hear-passcode").send_keys("4821")
    css(interpreter, "#hear-button").click()
    wait_for(interpreter, hearing, message="hearing")
    wait_for(interpreter, lambda d: int(css(d, "#hear-status").get_attribute("data-chunks")) > 10, timeout=30,
             message="the speaker's voice arrives")
    assert error(interpreter) == ""
    retire(make_browser, interpreter)
    retire(make_browser, speaker)
    # Other tests list the key's live sessions.
    call_api(server, "DELETE", f"/v1/sessions/{session_id}")


def test_the_session_ending_closes_the_booth(booth, server):
    link = interpreter_link(server, booth.session_id, "Ana")
    interpreter = booth.interpreter
    interpreter.get(link)
    interpreter.refresh()
    wait_for(interpreter, lambda d: state_of(d, "#connection-pill") == "connected", timeout=15, message="Ana connected")
    speaker = booth.speaker
    css(speaker, "#end-button").click()
    wait_for(speaker, lambda d: css(d, "#end-dialog").is_displayed())
    css(speaker, "#confirm-end").click()
    wait_for(interpreter, lambda d: state_of(d, "#connection-pill") == "ended", timeout=15, message="the booth sees the end")
    assert css(interpreter, "#ended-banner").is_displayed()
    assert css(interpreter, "#air-button").get_attribute("disabled") is not None
    # The link of an ended session says so.
    interpreter.refresh()
    wait_for(interpreter, lambda d: css(d, "#error-view").is_displayed(), timeout=15, message="an ended session's link")
    assert "ended" in css(interpreter, "#error-title").text


def test_no_page_threw_a_script_error(booth, make_browser):
    errors = {driver.current_url: script_errors(driver) for driver in make_browser.drivers}
    assert not any(errors.values()), errors
