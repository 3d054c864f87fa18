"""The speaker console at a laptop's size (1366×768), as a speaker uses it during a talk: the state
that matters above the fold, Pause and Mute explained and answering at once, the broadcast not
called live with the microphone off, a preview of what a language's listeners read, a clean ended
state, End in the sessions list, and the console in the browser's language (server errors as its
sentences)."""

import urllib.parse

from conftest import FIXTURES, console_strings, css, css_all, finals, join_as_listener, open_console, retire, state_of, wait_for

TALK = FIXTURES / "museum-tour.wav"

ABOVE_THE_FOLD = """
    return arguments[0].map((selector) => {
        const box = document.querySelector(selector).getBoundingClientRect();
        return [selector, box.height > 0 && box.bottom <= window.innerHeight];
    });
"""


def test_the_console_during_a_talk(make_browser, server):
    speaker, session_id = open_console(make_browser, server, "Evening lecture", microphone=TALK, speaker_name="Ada Lovelace")
    # The microphone is off: the broadcast is not called live.
    wait_for(speaker, lambda d: state_of(d, "#broadcast-pill") == "idle", message="not sending while the microphone is off")
    assert "microphone" in css(speaker, "#broadcast-pill").text.lower()
    css(speaker, "#mic-button").click()
    wait_for(speaker, lambda d: state_of(d, "#broadcast-pill") == "live", message="live with the microphone on")

    listener = join_as_listener(make_browser, server, session_id, "es")
    # The live view names the talk and who gives it.
    assert css(listener, "#live-title").text == "Evening lecture"
    assert css(listener, "#live-speaker").is_displayed() and css(listener, "#live-speaker").text == "Ada Lovelace"
    wait_for(speaker, lambda d: css(d, "#listener-count").text == "1", timeout=40, message="the listener counted")
    # Live or not, the microphone and the listeners by language: all in view without scrolling.
    placed = dict(speaker.execute_script(ABOVE_THE_FOLD, ["#broadcast-pill", "#mic-pill", "#listener-count", "#language-stats li", "#pause-button"]))
    assert all(placed.values()), placed
    assert css(speaker, "#broadcast-hint").is_displayed()
    assert css(speaker, "#pause-button").get_attribute("aria-describedby") == "broadcast-hint"

    # Pause answers at once: the button says it is pausing, then the state is paused.
    css(speaker, "#pause-button").click()
    shown = css(speaker, "#pause-button").text
    assert shown in ("Pausing…", "Resume broadcast"), shown
    wait_for(speaker, lambda d: state_of(d, "#broadcast-pill") == "paused", message="paused")
    css(speaker, "#pause-button").click()
    wait_for(speaker, lambda d: state_of(d, "#broadcast-pill") == "live", message="resumed")

    # What the Spanish listener reads, previewed in the console.
    wait_for(listener, lambda d: len(finals(d)) >= 1, timeout=90, message="Spanish captions")
    css(speaker, '#preview-language option[value="es"]').click()
    wait_for(speaker, lambda d: css_all(d, "#preview-captions .caption"), timeout=15, message="preview of the Spanish captions")
    shown_to_listener = {text for _, text, _ in finals(listener)}
    assert any(e.text in shown_to_listener for e in css_all(speaker, "#preview-captions .caption"))

    # Ended: the link, its QR code and the counts go; the transcripts stay.
    css(speaker, "#end-button").click()
    wait_for(speaker, lambda d: css(d, "#end-dialog").is_displayed())
    css(speaker, "#confirm-end").click()
    wait_for(speaker, lambda d: state_of(d, "#connection-pill") == "ended", timeout=15, message="ended")
    for gone in ("#qr-image", "#join-link", "#listener-count", "#broadcast-pill", "#mic-pill", "#preview-card"):
        assert not css(speaker, gone).is_displayed(), gone
    assert css(speaker, "#download-language").is_displayed()
    # The name is offered again for the speaker's next session.
    css(speaker, "#leave-button").click()
    wait_for(speaker, lambda d: css(d, "#speaker-name-input").is_displayed(), message="the new session form")
    assert css(speaker, "#speaker-name-input").get_attribute("value") == "Ada Lovelace"
    retire(make_browser, listener)
    retire(make_browser, speaker)


def test_a_session_is_ended_from_the_sessions_list(make_browser, server):
    speaker, session_id = open_console(make_browser, server, "Left running")
    css(speaker, "#leave-button").click()
    end = wait_for(speaker, lambda d: css_all(d, '#session-list button[data-action="end"]'), message="End in the list")
    assert "Left running" in end[0].get_attribute("aria-label")
    end[0].click()
    wait_for(speaker, lambda d: css(d, "#end-dialog").is_displayed(), message="asked first")
    assert "Left running" in css(speaker, "#end-title").text
    css(speaker, "#confirm-end").click()
    wait_for(speaker, lambda d: not any("Left running" in e.get_attribute("aria-label") for e in css_all(d, "#session-list button")),
             timeout=15, message="gone from the list")
    retire(make_browser, speaker)


def test_the_console_speaks_the_browsers_language(make_browser, server):
    for language in ("es", "fr"):
        strings = console_strings(language)
        speaker = make_browser(locale=language)
        speaker.get(server.base_url + "/speak")
        speaker.execute_script("localStorage.setItem('dragoman.speakerKey', arguments[0])", server.key)
        speaker.get(server.base_url + "/speak")
        wait_for(speaker, lambda d: css(d, "#title-input").is_displayed(), message="new session form")
        assert speaker.find_element("tag name", "html").get_attribute("lang") == language
        assert css(speaker, "#create-button").text == strings["setup.create"]
        assert css(speaker, "#title-input").get_attribute("placeholder") == strings["setup.titlePlaceholder"]
        css(speaker, "#title-input").send_keys(f"Console in {language}")
        css(speaker, "#create-button").click()
        wait_for(speaker, lambda d: state_of(d, "#connection-pill") == "connected", message="speaker connected")
        # The state, the controls and what the server's answers become are all in the language.
        assert css(speaker, "#connection-pill").text == strings["connection.connected"]
        wait_for(speaker, lambda d: state_of(d, "#broadcast-pill") == "idle", message="not sending while the microphone is off")
        assert css(speaker, "#broadcast-pill").text == strings["broadcast.micOff"]
        assert css(speaker, "#mic-button").text == strings["mic.start"]
        assert css(speaker, "#pause-button").text == strings["broadcast.pause"]
        assert css(speaker, "#broadcast-hint").text == strings["broadcast.hint"]
        assert css(speaker, "#end-button").text == strings["console.end"]
        # A problem the server reports reads as a sentence in the language, not as the server's message.
        assert flood_with_audio(speaker, 80) >= 1
        wait_for(speaker, lambda d: css(d, "#console-notice").text == strings["error.RATE_LIMIT_EXCEEDED"], timeout=10, message="a readable error")
        session_id = urllib.parse.parse_qs(urllib.parse.urlparse(speaker.current_url).query)["session"][0]
        css(speaker, "#end-button").click()
        wait_for(speaker, lambda d: css(d, "#end-dialog").is_displayed())
        assert css(speaker, "#end-title").text == strings["end.title"].replace("{title}", f"Console in {language}")
        css(speaker, "#confirm-end").click()
        wait_for(speaker, lambda d: state_of(d, "#connection-pill") == "ended", timeout=15, message=f"{session_id} ended")
        assert css(speaker, "#connection-pill").text == strings["connection.ended"]
        retire(make_browser, speaker)


def flood_with_audio(driver, frames):
    """Sends `frames` frames of silence at once on the page's open sockets, past the audio rate limit."""
    prototype = driver.execute_cdp_cmd("Runtime.evaluate", {"expression": "WebSocket.prototype"})["result"]["objectId"]
    sockets = driver.execute_cdp_cmd("Runtime.queryObjects", {"prototypeObjectId": prototype})["objects"]["objectId"]
    send = f"""function () {{
        const open = this.filter((socket) => socket.readyState === WebSocket.OPEN);
        for (const socket of open) for (let i = 0; i < {frames}; i += 1) socket.send(new ArrayBuffer(3200));
        return open.length;
    }}"""
    return driver.execute_cdp_cmd("Runtime.callFunctionOn", {"objectId": sockets, "functionDeclaration": send, "returnByValue": True})["result"]["value"]
