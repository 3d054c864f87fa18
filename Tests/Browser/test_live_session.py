"""A speaker streams a recorded talk from the speaker console; listeners in Spanish and French
read the captions and receive the speech; pause, the QR code, language change and reconnection."""

import json
import re
import shutil
import subprocess
import time
import urllib.parse
import urllib.request

import pytest
from selenium.webdriver.support.ui import Select

from conftest import (
    ARTIFACTS, FIXTURES, css, css_all, drop_websockets, finals, join_as_listener, page_strings, retire, script_errors, set_offline, state_of,
    unnamed_controls, wait_for,
)

TALK = FIXTURES / "museum-tour.wav"
# Words the Apertium translations of the museum talk are made of.
SPANISH = {"el", "la", "los", "las", "de", "del", "y", "por", "sala", "museo", "pinturas", "tres", "río"}
FRENCH = {"le", "la", "les", "de", "des", "du", "et", "par", "salle", "musée", "peintures", "trois", "rivière"}


def transcript(server, session_id, language):
    query = urllib.parse.urlencode({"language": language, "format": "json"})
    with urllib.request.urlopen(f"{server.base_url}/v1/sessions/{session_id}/transcript?{query}", timeout=10) as response:
        return {segment["segmentId"]: segment["text"] for segment in json.load(response)["segments"]}


class Live:
    def __init__(self, speaker, listeners, session_id):
        self.speaker = speaker
        self.listeners = listeners
        self.session_id = session_id


@pytest.fixture(scope="module")
def live(server, make_browser):
    speaker = make_browser(microphone=TALK)
    speaker.get(f"{server.base_url}/speak")
    # The key is asked once, then remembered.
    wait_for(speaker, lambda d: css(d, "#key-input").is_displayed(), message="key form")
    css(speaker, "#key-input").send_keys(server.key)
    css(speaker, "#key-form button[type=submit]").click()
    wait_for(speaker, lambda d: css(d, "#title-input").is_displayed(), message="new session form")
    css(speaker, "#title-input").send_keys("Museum tour")
    Select(css(speaker, "#source-select")).select_by_value("en")
    css(speaker, "#create-button").click()
    wait_for(speaker, lambda d: state_of(d, "#connection-pill") == "connected", message="speaker connected")
    session_id = urllib.parse.parse_qs(urllib.parse.urlparse(speaker.current_url).query)["session"][0]
    assert re.fullmatch(r"[a-z]+-[a-z]+-\d+", session_id)

    listeners = {language: join_as_listener(make_browser, server, session_id, language) for language in ("es", "fr")}

    css(speaker, "#mic-button").click()
    wait_for(speaker, lambda d: state_of(d, "#mic-pill") == "on", message="microphone on")
    yield Live(speaker, listeners, session_id)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    speaker.save_screenshot(str(ARTIFACTS / "speaker.png"))
    for language, listener in listeners.items():
        listener.save_screenshot(str(ARTIFACTS / f"listener-{language}.png"))
    for driver in (speaker, *listeners.values()):
        if driver in make_browser.drivers:
            make_browser.drivers.remove(driver)
            driver.quit()


def test_speaker_streams_the_microphone_and_sees_its_captions_and_listeners(live):
    speaker = live.speaker
    # 100 ms frames of 16 kHz PCM: 30 of them are 3 s of the talk.
    wait_for(speaker, lambda d: int(css(d, "#mic-pill").get_attribute("data-frames-sent") or 0) >= 30, timeout=20, message="audio frames sent")
    wait_for(speaker, lambda d: len(finals(d)) >= 2, timeout=90, message="speaker's own final captions")
    words = " ".join(text for _, text, _ in finals(speaker)).lower()
    assert any(word in words for word in ("museum", "room", "paintings", "morning", "group")), words
    assert all(lang == "en" for _, _, lang in finals(speaker))
    wait_for(speaker, lambda d: css(d, "#listener-count").text == "2", timeout=40, message="listener count")
    languages = {e.get_attribute("data-language") for e in css_all(speaker, "#language-stats li")}
    assert languages == {"es", "fr"}


def test_listeners_read_final_captions_in_their_language_and_receive_speech(live, server):
    for language, vocabulary in (("es", SPANISH), ("fr", FRENCH)):
        listener = live.listeners[language]
        wait_for(listener, lambda d: len(finals(d)) >= 3, timeout=120, message=f"{language} final captions")
        shown = finals(listener)
        assert all(lang == language for _, _, lang in shown), shown
        words = set(re.findall(r"\w+", " ".join(text for _, text, _ in shown).lower()))
        assert len(words & vocabulary) >= 3, (language, shown)
        # The captions are the stored translations, segment for segment, and nothing of the
        # translation machinery shows through.
        stored = transcript(server, live.session_id, language)
        for segment, text, _ in shown:
            assert "[/dragoman:" not in text, f"an Apertium request marker leaked into a caption: {text!r}"
            if segment in stored:
                assert text.split() == stored[segment].split(), (language, segment, text, stored[segment])
        # Speech arrived as Opus (Chromium decodes it with WebCodecs) and was scheduled for playback.
        stats = lambda d: css(d, "#audio-stats")
        assert stats(listener).get_attribute("data-format") == "opus"
        wait_for(listener, lambda d: int(stats(d).get_attribute("data-chunks")) > 10, timeout=60, message=f"{language} audio chunks")
        wait_for(listener, lambda d: float(stats(d).get_attribute("data-scheduled")) > 1.0, timeout=30, message=f"{language} audio scheduled")
    spanish = dict((s, t) for s, t, _ in finals(live.listeners["es"]))
    french = dict((s, t) for s, t, _ in finals(live.listeners["fr"]))
    common = set(spanish) & set(french)
    assert common and all(spanish[s] != french[s] for s in common)


def test_pause_on_the_speaker_page_shows_on_the_listener_pages(live):
    speaker = live.speaker
    wait_for(speaker, lambda d: state_of(d, "#broadcast-pill") == "live", message="broadcast live")
    css(speaker, "#pause-button").click()
    wait_for(speaker, lambda d: state_of(d, "#broadcast-pill") == "paused", message="speaker sees paused")
    assert css(speaker, "#pause-button").text == "Resume broadcast"
    for language, listener in live.listeners.items():
        wait_for(listener, lambda d: state_of(d, "#live-pill") == "paused", timeout=10, message=f"{language} sees paused")
        # The page speaks the listener's language: the notice is the one written for it.
        assert css(listener, "#live-notice").text == page_strings(language)["status.pausedNotice"]
    css(speaker, "#pause-button").click()
    wait_for(speaker, lambda d: state_of(d, "#broadcast-pill") == "live", message="speaker sees resumed")
    for language, listener in live.listeners.items():
        wait_for(listener, lambda d: state_of(d, "#live-pill") == "live", timeout=10, message=f"{language} sees resumed")


def test_speech_stops_within_100_ms_of_pause_and_nothing_said_after_it_reaches_listeners(live):
    speaker, listener = live.speaker, live.listeners["es"]
    wait_for(speaker, lambda d: state_of(d, "#broadcast-pill") == "live", message="broadcast live")
    speaker.execute_script(RECORD_AUDIO_SENT)
    record_messages_heard(listener)
    # Speech is flowing: the listener hears captions or speech, the speaker sends audio.
    wait_for(listener, lambda d: any(kind in SPEECH for _, kind in d.execute_script("return window.__heard")), timeout=60, message="speech heard")
    css(speaker, "#pause-button").click()
    wait_for(listener, lambda d: state_of(d, "#live-pill") == "paused", timeout=10, message="listener sees paused")
    time.sleep(4)  # the talk goes on in the microphone meanwhile
    clicked, sent = speaker.execute_script("return [window.__pauseClicked, window.__audioSent]")
    assert [t for t in sent if clicked - 1000 < t < clicked], "audio was being sent up to the click"
    late = [round(t - clicked) for t in sent if t > clicked + 100]
    assert late == [], f"audio sent after the click on Pause (ms after it): {late}"
    heard = listener.execute_script("return window.__heard")
    paused_at = next(t for t, kind in heard if kind == "broadcastPaused")
    # A frame made just before the pause may be queued a moment after its notice: a 100 ms grace.
    leaked = [(round(t - paused_at), kind) for t, kind in heard if t > paused_at + 100 and kind in SPEECH]
    assert leaked == [], f"captions or speech reached a listener during the pause (ms after it): {leaked}"
    css(speaker, "#pause-button").click()
    wait_for(speaker, lambda d: state_of(d, "#broadcast-pill") == "live", message="resumed")
    wait_for(listener, lambda d: any(t > paused_at and kind in SPEECH for t, kind in d.execute_script("return window.__heard")),
             timeout=90, message="speech again after resuming")


# What a listener may hear of the talk: captions and speech (Opus frames are binary).
SPEECH = {"transcript", "audioData", "binary"}

# Records when the speaker page sends audio (binary frames) and when Pause is clicked, before the
# page's own handler runs.
RECORD_AUDIO_SENT = """
    window.__audioSent = [];
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (data) {
        if (typeof data !== 'string') window.__audioSent.push(performance.now());
        return send.call(this, data);
    };
    document.addEventListener('click', (event) => {
        if (event.target.closest('#pause-button')) window.__pauseClicked = performance.now();
    }, { capture: true });
"""


def record_messages_heard(driver):
    """Records `[time, type]` of every message the page's open sockets receive ("binary" for binary frames)."""
    driver.execute_script("window.__heard = []")
    prototype = driver.execute_cdp_cmd("Runtime.evaluate", {"expression": "WebSocket.prototype"})["result"]["objectId"]
    sockets = driver.execute_cdp_cmd("Runtime.queryObjects", {"prototypeObjectId": prototype})["objects"]["objectId"]
    listen = """function () {
        this.forEach((socket) => socket.addEventListener('message', (event) => window.__heard.push(
            [performance.now(), typeof event.data === 'string' ? JSON.parse(event.data).type : 'binary'])));
        return this.length;
    }"""
    driver.execute_cdp_cmd("Runtime.callFunctionOn", {"objectId": sockets, "functionDeclaration": listen, "returnByValue": True})


def test_qr_code_decodes_to_the_join_link(live, tmp_path):
    zbarimg = shutil.which("zbarimg")
    if zbarimg is None:
        pytest.skip("zbarimg is not installed (apt-get install zbar-tools)")
    speaker = live.speaker
    link = css(speaker, "#join-link").get_attribute("textContent").strip()
    assert link.endswith(f"/s/{live.session_id}")
    image = tmp_path / "qr.png"
    wait_for(speaker, lambda d: d.execute_script("const i = arguments[0]; return i.complete && i.naturalWidth > 0", css(d, "#qr-image")))
    image.write_bytes(css(speaker, "#qr-image").screenshot_as_png)
    decoded = subprocess.run([zbarimg, "--raw", "-q", str(image)], capture_output=True, text=True, timeout=30)
    assert decoded.stdout.strip() == link, decoded
    # The present view shows the same code, large, with the session words.
    css(speaker, "#present-button").click()
    wait_for(speaker, lambda d: css(d, "#present-view").is_displayed())
    assert css(speaker, "#present-words").text == live.session_id.replace("-", " ")
    big = tmp_path / "present.png"
    big.write_bytes(css(speaker, "#present-qr").screenshot_as_png)
    decoded = subprocess.run([zbarimg, "--raw", "-q", str(big)], capture_output=True, text=True, timeout=30)
    assert decoded.stdout.strip() == link, decoded
    css(speaker, "#close-present").click()
    wait_for(speaker, lambda d: not css(d, "#present-view").is_displayed())


def test_a_floor_listener_hears_the_speakers_own_voice_and_reads_the_original(live, make_browser, server):
    listener = join_as_listener(make_browser, server, live.session_id, "en")
    stats = lambda d: css(d, "#audio-stats")
    # The speaker's voice arrives as it is spoken, a chunk for each of the microphone's frames.
    wait_for(listener, lambda d: int(stats(d).get_attribute("data-chunks")) > 20, timeout=60, message="floor audio chunks")
    assert stats(listener).get_attribute("data-format") == "opus"
    wait_for(listener, lambda d: float(stats(d).get_attribute("data-scheduled")) > 1.0, timeout=30, message="floor audio scheduled")
    wait_for(listener, lambda d: len(finals(d)) >= 1, timeout=90, message="captions in the original language")
    assert all(lang == "en" for _, _, lang in finals(listener))
    retire(make_browser, listener)


def test_a_browser_without_webcodecs_asks_for_pcm_and_hears_it(live, make_browser, server):
    listener = make_browser(size=(360, 740))
    listener.execute_cdp_cmd(
        "Page.addScriptToEvaluateOnNewDocument", {"source": "delete window.AudioDecoder; delete window.EncodedAudioChunk;"})
    listener.get(f"{server.base_url}/s/{live.session_id}")
    wait_for(listener, lambda d: css(d, 'input[name="language"][value="es"]'), message="language choices").click()
    css(listener, "#start-button").click()
    stats = lambda d: css(d, "#audio-stats")
    wait_for(listener, lambda d: int(stats(d).get_attribute("data-chunks")) > 5, timeout=90, message="PCM audio chunks")
    assert stats(listener).get_attribute("data-format") == "pcm"
    wait_for(listener, lambda d: float(stats(d).get_attribute("data-scheduled")) > 0.5, timeout=30, message="PCM audio scheduled")
    retire(make_browser, listener)


def test_a_listener_changes_language_without_reloading(live, make_browser, server):
    listener = join_as_listener(make_browser, server, live.session_id, "es", size=(1366, 768))
    wait_for(listener, lambda d: len(finals(d)) >= 1, timeout=90, message="first Spanish caption")
    marker = listener.execute_script("return window.performance.timeOrigin")
    Select(css(listener, "#language-select")).select_by_value("fr")
    wait_for(listener, lambda d: css(d, "#caption-log").get_attribute("lang") == "fr", timeout=10, message="languageChanged")
    assert css_all(listener, "#caption-log .divider"), "a divider marks the change"
    wait_for(listener, lambda d: any(lang == "fr" for _, _, lang in finals(d)), timeout=90, message="French captions after the change")
    assert listener.execute_script("return window.performance.timeOrigin") == marker, "the page did not reload"
    retire(make_browser, listener)


def test_a_listener_reconnects_by_itself_and_catches_up(live, make_browser, server):
    # Another Spanish listener stays connected, so Spanish is still translated during the drop.
    listener = join_as_listener(make_browser, server, live.session_id, "es", size=(1366, 768))
    wait_for(listener, lambda d: len(finals(d)) >= 1, timeout=90, message="first caption")
    witness = live.listeners["es"]
    before = {s for s, _, _ in finals(witness)}
    set_offline(listener, True)
    assert drop_websockets(listener) >= 1
    wait_for(listener, lambda d: state_of(d, "#live-pill") == "reconnecting", timeout=10, message="shows reconnecting")
    # Let two segments pass while it is away.
    wait_for(witness, lambda d: len({s for s, _, _ in finals(d)} - before) >= 2, timeout=90, message="segments during the drop")
    missed = {s for s, _, _ in finals(witness)} - before
    set_offline(listener, False)
    wait_for(listener, lambda d: state_of(d, "#live-pill") == "live", timeout=30, message="reconnected")
    wait_for(listener, lambda d: missed <= {s for s, _, _ in finals(d)}, timeout=20, message="caught up on the missed captions")
    shown = finals(listener)
    assert len({s for s, _, _ in shown}) == len(shown), "no caption twice"
    witness_text = {s: t for s, t, _ in finals(witness)}
    for segment, text, lang in shown:
        if segment in missed:
            assert lang == "es" and text == witness_text[segment]
    retire(make_browser, listener)


def test_a_listener_pauses_and_resumes_its_own_playback(live):
    listener, other = live.listeners["fr"], live.listeners["es"]
    chunks = lambda d: int(css(d, "#audio-stats").get_attribute("data-chunks"))
    button = css(listener, "#playback-button")
    french = page_strings("fr")
    assert button.get_attribute("aria-label") == french["listen.pauseLabel"]
    button.click()
    wait_for(listener, lambda d: css(d, "#playback-button").get_attribute("aria-label") == french["listen.resumeLabel"], message="paused")
    time.sleep(1)  # audio already on its way still arrives
    paused_at, other_at = chunks(listener), chunks(other)
    wait_for(other, lambda d: chunks(d) > other_at + 10, timeout=60, message="speech goes on for the others")
    assert chunks(listener) == paused_at, "no speech is sent to a listener who paused playback"
    css(listener, "#playback-button").click()
    wait_for(listener, lambda d: chunks(d) > paused_at, timeout=60, message="speech again after resuming")


def test_every_control_has_a_name_for_screen_readers(live, make_browser, server):
    assert unnamed_controls(live.speaker) == []
    listener = live.listeners["es"]
    assert unnamed_controls(listener) == []
    assert css(listener, "#caption-log").get_attribute("aria-live") == "polite"
    assert css(live.speaker, "#caption-log").get_attribute("aria-live") == "polite"
    # The pages can be worked from the keyboard: the first Tab reaches the skip link.
    from selenium.webdriver.common.keys import Keys

    visitor = make_browser(size=(360, 740))
    visitor.get(f"{server.base_url}/s/{live.session_id}")
    wait_for(visitor, lambda d: css(d, "#join-view").is_displayed())
    assert unnamed_controls(visitor) == []
    visitor.find_element("tag name", "body").send_keys(Keys.TAB)
    assert visitor.switch_to.active_element.get_attribute("class") == "skip-link"
    retire(make_browser, visitor)


def test_landing_page_takes_a_typed_session_code_to_the_listener_page(live, make_browser, server):
    visitor = make_browser(size=(360, 740))
    visitor.get(server.base_url + "/")
    css(visitor, "#session-code").send_keys(live.session_id.replace("-", " ").title())
    css(visitor, "#join-form button[type=submit]").click()
    wait_for(visitor, lambda d: d.current_url.endswith(f"/s/{live.session_id}"), message="listener page")
    wait_for(visitor, lambda d: css(d, "#join-view").is_displayed())
    assert css(visitor, "#session-title").text == "Museum tour"
    names = {e.get_attribute("value"): e.find_element("xpath", "..").text for e in css_all(visitor, 'input[name="language"]')}
    assert "español" in names["es"] and "français" in names["fr"]
    retire(make_browser, visitor)


def test_speaker_leaves_and_reopens_and_the_listeners_see_it(live):
    speaker = live.speaker
    css(speaker, "#leave-button").click()
    wait_for(speaker, lambda d: css(d, "#setup-view").is_displayed(), message="back to the session list")
    for language, listener in live.listeners.items():
        wait_for(listener, lambda d: state_of(d, "#live-pill") == "speaker-away", timeout=10, message=f"{language} sees the speaker gone")
    # Each listed session has Reopen and End: the one Reopen button is this session's.
    reopen = wait_for(speaker, lambda d: css_all(d, '#session-list button[data-action="reopen"]'), message="the live session is listed")
    assert len(reopen) == 1 and "Museum tour" in reopen[0].get_attribute("aria-label")
    reopen[0].click()
    wait_for(speaker, lambda d: state_of(d, "#connection-pill") == "connected", message="reattached")
    for language, listener in live.listeners.items():
        wait_for(listener, lambda d: state_of(d, "#live-pill") == "live", timeout=10, message=f"{language} sees the speaker back")
    # A reload reattaches by itself: the session is in the address.
    speaker.refresh()
    wait_for(speaker, lambda d: state_of(d, "#connection-pill") == "connected", message="reattached after a reload")
    assert css(speaker, "#console-title").text == "Museum tour"


def test_ending_the_session_asks_first_and_tells_the_listeners(live):
    speaker = live.speaker
    css(speaker, "#end-button").click()
    wait_for(speaker, lambda d: css(d, "#end-dialog").is_displayed(), message="confirmation dialog")
    css(speaker, "#end-dialog button[value=cancel]").click()
    wait_for(speaker, lambda d: not css(d, "#end-dialog").is_displayed())
    assert state_of(speaker, "#connection-pill") == "connected"
    css(speaker, "#end-button").click()
    wait_for(speaker, lambda d: css(d, "#end-dialog").is_displayed())
    css(speaker, "#confirm-end").click()
    wait_for(speaker, lambda d: state_of(d, "#connection-pill") == "ended", timeout=15, message="speaker sees ended")
    for language, listener in live.listeners.items():
        wait_for(listener, lambda d: state_of(d, "#live-pill") == "ended", timeout=15, message=f"{language} sees ended")
        assert css(listener, "#transcript-link").is_displayed()


def test_the_speaker_downloads_the_transcripts(live, server, tmp_path):
    speaker = live.speaker
    speaker.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    for language, fmt in (("es", "srt"), ("fr", "vtt"), ("en", "txt")):
        Select(css(speaker, "#download-language")).select_by_value(language)
        css(speaker, f'.downloads button[data-format="{fmt}"]').click()
        path = tmp_path / f"{live.session_id}-{language}.{fmt}"
        wait_for(speaker, lambda d: path.exists() and path.stat().st_size > 0, timeout=15, message=f"{path.name} downloaded")
        text = path.read_text()
        if fmt == "vtt":
            assert text.startswith("WEBVTT")
        if fmt == "srt":
            assert re.search(r"^1\n00:00:\d\d,\d{3} --> ", text, re.M)
        stored = transcript(server, live.session_id, language)
        assert stored and all(line.split()[0] in text for line in stored.values() if line.split())


def test_no_page_threw_a_script_error(live, make_browser):
    errors = {driver.current_url: script_errors(driver) for driver in make_browser.drivers}
    assert not any(errors.values()), errors
