"""The listener page as people at an event use it (issue 15): a passcode typed with a space, captions
that stay in view when the text is made larger, honest state (behind live, network trouble), the
page in the listener's language, the last minutes of captions for a late joiner, and a phone's
screen kept on, its media controls, volume and share."""

import json
import os
import signal
import time
import urllib.parse
import urllib.request

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.actions.wheel_input import ScrollOrigin

from conftest import FIXTURES, css, emulate_viewport, finals, on_every, open_console, page_strings, retire, start_server, state_of, stop_server, wait_for

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
    # Ended, so the speaker's session list in later tests holds only theirs.
    request = urllib.request.Request(f"{server.base_url}/v1/sessions/{session_id}", method="DELETE", headers={"Authorization": f"Bearer {server.key}"})
    urllib.request.urlopen(request, timeout=10).close()


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


def test_the_page_speaks_the_phones_language_and_then_the_one_picked(talk, make_browser, server):
    spanish, french = page_strings("es"), page_strings("fr")
    # A phone set to Spanish: the page is in Spanish from the start, and español is chosen.
    listener = open_listener(make_browser, server, talk, locale="es")
    wait_for(listener, lambda d: d.find_element("tag name", "html").get_attribute("lang") == "es", timeout=10, message="page in Spanish")
    assert css(listener, "#start-button").text == spanish["listen.start"]
    assert css(listener, "#join-view legend").text == spanish["listen.chooseLanguage"]
    assert css(listener, 'input[name="language"][value="es"]').is_selected()
    # Picking French turns the page into French at once.
    css(listener, 'input[name="language"][value="fr"]').click()
    wait_for(listener, lambda d: css(d, "#start-button").text == french["listen.start"], timeout=10, message="page in French")
    css(listener, 'input[name="language"][value="es"]').click()
    wait_for(listener, lambda d: css(d, "#start-button").text == spanish["listen.start"], timeout=10, message="page in Spanish again")
    css(listener, "#passcode").send_keys(PASSCODE)
    css(listener, "#start-button").click()
    wait_for(listener, lambda d: state_of(d, "#live-pill") == "live", timeout=30, message="live")
    assert css(listener, "#live-pill").text == spanish["status.live"]
    assert css(listener, "#playback-button").get_attribute("aria-label") == spanish["listen.pauseLabel"]
    assert css(listener, "#font-larger").get_attribute("aria-label") == spanish["listen.larger"]
    retire(make_browser, listener)


def test_a_late_joiner_sees_the_last_minutes_of_captions(talk, make_browser, server):
    # Someone listened in Spanish before: Spanish captions were made and stored.
    early = open_listener(make_browser, server, talk)
    join(early, "es")
    wait_for(early, lambda d: len(finals(d)) >= 2, timeout=90, message="Spanish captions for an early listener")
    retire(make_browser, early)
    earlier = stored_segments(server, talk, "es")
    listener = open_listener(make_browser, server, talk)
    join(listener, "es")
    wait_for(listener, lambda d: max(earlier) in {s for s, _, _ in finals(d)}, timeout=10, message="earlier captions shown at once")
    divider = css(listener, "#caption-log .divider")
    assert divider.text, "a line says where the listener joined"
    retire(make_browser, listener)


def test_captions_stay_in_view_after_a_larger_text_size_and_the_tail_is_marked(talk, make_browser, server):
    listener = open_listener(make_browser, server, talk)
    join(listener, "es")
    wait_for(listener, lambda d: len(finals(d)) >= 2, timeout=90, message="first captions")
    listener.execute_script(WATCH_COMMITTED_TEXT)
    for _ in range(3):
        css(listener, "#font-larger").click()
    for _ in range(2):
        count = len(finals(listener))
        wait_for(listener, lambda d: len(finals(d)) > count, timeout=90, message="a new caption after A+")
        # The newest caption is in view: the view followed it, though the text grew.
        wait_for(listener, lambda d: d.execute_script(NEWEST_IN_VIEW), timeout=3, message="the newest caption in view")
    # A caption still being revised shows its provisional words, marked as such.
    tail = wait_for(listener, lambda d: d.execute_script(PROVISIONAL_TAIL), timeout=60, message="a provisional tail")
    assert tail["style"] == "italic" and tail["hidden"] == "true", tail
    # Committed text never moved: final captions were only ever added, never changed or taken away.
    assert listener.execute_script("return window.__committedChanges") == []
    retire(make_browser, listener)


def test_captions_roll_up_in_three_lines_and_committed_text_never_moves(talk, make_browser, server):
    listener = open_listener(make_browser, server, talk)
    listener.execute_script(WATCH_THE_LIVE_LINES)
    join(listener, "es")
    wait_for(
        listener, lambda d: d.execute_script("return window.__lines.finals >= 3 && window.__lines.revisions >= 10"), timeout=120,
        message="final and provisional captions",
    )
    lines = listener.execute_script("return window.__lines")
    # Two or three large lines that roll up, never a growing page of text.
    assert 2 <= lines["most"] <= 3, lines
    # A revision of the provisional tail never moved the committed text before it (down, or
    # along its line); it only rolled up when the tail began a new line.
    assert lines["moves"] == [], lines
    # Larger text, a darker theme, a phone turned sideways: the last line stays in view at once.
    for change in (
        lambda: [css(listener, "#font-larger").click() for _ in range(2)],
        lambda: css(listener, "#theme-toggle").click(),
        lambda: emulate_viewport(listener, 740, 360, phone=True),
    ):
        change()
        wait_for(listener, lambda d: d.execute_script(NEWEST_IN_VIEW), timeout=2, message="the newest line in view")
        assert listener.execute_script("return window.__visibleLines()") <= 3
    count = listener.execute_script("return window.__lines.finals")
    wait_for(listener, lambda d: d.execute_script("return window.__lines.finals") > count, timeout=90, message="a caption after the changes")
    wait_for(listener, lambda d: d.execute_script(NEWEST_IN_VIEW), timeout=3, message="the newest line in view")
    lines = listener.execute_script("return window.__lines")
    assert lines["most"] <= 3 and lines["moves"] == [], lines
    retire(make_browser, listener)


def test_scrolling_back_holds_the_view_until_the_reader_jumps_to_the_latest(talk, make_browser, server):
    listener = open_listener(make_browser, server, talk)
    join(listener, "es")
    scroller = css(listener, "#captions")
    wait_for(listener, lambda d: d.execute_script(ROLLED_UP_BY, 150), timeout=120, message="captions rolled up")
    # The reader scrolls back with the wheel, as a finger or a mouse does.
    ActionChains(listener).scroll_from_origin(ScrollOrigin.from_element(scroller), 0, -400).perform()
    wait_for(listener, lambda d: not d.execute_script(ROLLED_UP_BY, 0), timeout=3, message="scrolled back")
    top = listener.execute_script("return arguments[0].scrollTop", scroller)
    count = len(finals(listener))
    wait_for(listener, lambda d: len(finals(d)) > count, timeout=90, message="a caption while reading back")
    # New captions do not pull the view away from what the reader is reading; a button offers the latest.
    assert listener.execute_script("return arguments[0].scrollTop", scroller) == top
    jump = wait_for(listener, lambda d: css(d, "#jump-latest").is_displayed() and css(d, "#jump-latest"), timeout=5, message="jump button")
    jump.click()
    wait_for(listener, lambda d: d.execute_script(NEWEST_IN_VIEW), timeout=3, message="back at the latest")
    assert not css(listener, "#jump-latest").is_displayed()
    # And it follows again.
    count = len(finals(listener))
    wait_for(listener, lambda d: len(finals(d)) > count, timeout=90, message="a caption after the jump")
    wait_for(listener, lambda d: d.execute_script(NEWEST_IN_VIEW), timeout=3, message="following again")
    retire(make_browser, listener)


def test_speech_plays_through_an_audio_element_the_media_controls_pause_and_resume(talk, make_browser, server):
    listener = open_listener(make_browser, server, talk)
    listener.execute_script(RECORD_MEDIA_SESSION_HANDLERS)
    join(listener, "es")
    wait_for(listener, lambda d: float(css(d, "#audio-stats").get_attribute("data-scheduled")) > 1, timeout=120, message="speech")
    # The speech is a MediaStream of the page's Web Audio, played by an <audio> element: what a
    # phone keeps playing with the screen off or the page in the background.
    element = listener.execute_script(SPEECH_ELEMENT)
    assert element["playing"] and element["tracks"] == 1, element
    played = element["time"]
    wait_for(listener, lambda d: d.execute_script(SPEECH_ELEMENT)["time"] > played + 1, timeout=10, message="the element playing on")
    # The lock screen's pause: speech stops, the element pauses, the button and the system show it.
    listener.execute_script("window.__mediaHandlers.pause()")
    assert listener.execute_script(SPEECH_ELEMENT)["playing"] is False
    assert listener.execute_script("return navigator.mediaSession.playbackState") == "paused"
    wait_for(listener, lambda d: css(d, "#playback-button").get_attribute("aria-label") == page_strings("es")["listen.resumeLabel"], timeout=5, message="paused")
    time.sleep(1)
    scheduled = css(listener, "#audio-stats").get_attribute("data-scheduled")
    time.sleep(3)
    assert css(listener, "#audio-stats").get_attribute("data-scheduled") == scheduled, "no speech scheduled while paused"
    # And its play: speech again, through the element.
    listener.execute_script("window.__mediaHandlers.play()")
    assert listener.execute_script(SPEECH_ELEMENT)["playing"] is True
    assert listener.execute_script("return navigator.mediaSession.playbackState") == "playing"
    wait_for(
        listener, lambda d: float(css(d, "#audio-stats").get_attribute("data-scheduled")) > float(scheduled), timeout=90,
        message="speech after play",
    )
    retire(make_browser, listener)


def test_a_listener_behind_live_is_told_and_can_jump_to_live(talk, make_browser, server):
    listener = open_listener(make_browser, server, talk)
    join(listener, "es")
    assert not css(listener, "#behind-button").is_displayed()
    # The phone stops playing (as a busy one would) while speech keeps arriving: it falls behind.
    audio_contexts(listener, "suspend")
    behind = wait_for(listener, lambda d: css(d, "#behind-button").is_displayed() and css(d, "#behind-button"), timeout=120, message="behind shown")
    assert int(behind.get_attribute("data-seconds")) >= 4
    assert " s " in behind.text
    audio_contexts(listener, "resume")
    behind.click()
    wait_for(listener, lambda d: not css(d, "#behind-button").is_displayed(), timeout=3, message="back to live")
    retire(make_browser, listener)


def test_a_phone_keeps_the_screen_on_names_the_speech_and_shares_the_link(talk, make_browser, server):
    listener = open_listener(make_browser, server, talk)
    # The phone's Wake Lock and share sheet, recorded (headless Chromium has neither to show).
    listener.execute_script(RECORD_WAKE_LOCK_AND_SHARE)
    join(listener, "es")
    wait_for(listener, lambda d: d.execute_script("return window.__wakeLocks").count("screen") == 1, timeout=5, message="screen kept on")
    # The speech is named for the lock screen and headset controls.
    assert listener.execute_script("return navigator.mediaSession.metadata?.title") == "Riverside walk"
    # The live view names the talk in full on a phone, and shows no counters meant for tests.
    assert listener.execute_script("const e = document.querySelector('#live-title'); return e.scrollWidth <= e.parentElement.clientWidth")
    assert css(listener, "#live-code").is_displayed()
    assert not css(listener, "#audio-stats").is_displayed()
    # The volume control sets the gain of the speech.
    listener.execute_script("const v = document.querySelector('#volume-input'); v.value = '40'; v.dispatchEvent(new Event('input'))")
    assert any(abs(gain - 0.4) < 0.001 for gain in gains(listener)), gains(listener)
    # Share hands the join link to the phone's share sheet.
    css(listener, "#share-button").click()
    shared = wait_for(listener, lambda d: d.execute_script("return window.__shared"), timeout=5, message="shared")
    assert shared == {"title": "Riverside walk", "url": f"{server.base_url}/s/{talk}"}
    retire(make_browser, listener)


def test_network_trouble_is_shown_within_five_seconds(make_browser, tmp_path_factory):
    running, process = start_server(tmp_path_factory.mktemp("stalled-server"))
    try:
        session_id = create_session(running, {"sourceLanguage": "en", "title": "Quiet room"})
        listener = make_browser(size=(360, 740))
        listener.get(f"{running.base_url}/s/{session_id}")
        wait_for(listener, lambda d: css(d, 'input[name="language"][value="es"]'), message="language choices").click()
        css(listener, "#start-button").click()
        wait_for(listener, lambda d: state_of(d, "#live-pill") == "waiting", message="joined")
        # The server stops answering, as behind a Wi-Fi that dropped without closing anything.
        os.kill(process.pid, signal.SIGSTOP)
        stalled = time.monotonic()
        try:
            wait_for(listener, lambda d: state_of(d, "#live-pill") == "unstable", timeout=10, message="network trouble shown")
            assert time.monotonic() - stalled <= 5.5
            assert css(listener, "#live-notice").text
        finally:
            os.kill(process.pid, signal.SIGCONT)
        wait_for(listener, lambda d: state_of(d, "#live-pill") == "waiting", timeout=10, message="trouble over")
        retire(make_browser, listener)
    finally:
        stop_server(running, process, "serve-stalled.log")


# The newest words shown (the provisional tail, or else the last final caption) are in the view.
NEWEST_IN_VIEW = """
    const view = document.querySelector('#captions').getBoundingClientRect();
    const newest = [...document.querySelectorAll('.caption-flow .caption')].pop().getBoundingClientRect();
    return newest.bottom <= view.bottom + 1 && newest.bottom > view.top;
"""

# Watches the caption area as captions arrive: the most lines of text it ever showed (a line
# counts when more than half of it is in view), the finals and provisional revisions seen, and
# every time a revision moved the committed text before it other than up (rolling up) — measured
# within one layout, so a new size, theme or width starts a new measure.
WATCH_THE_LIVE_LINES = """
    const scroller = document.querySelector('#captions');
    const flow = document.querySelector('.caption-flow');
    const log = document.querySelector('#caption-log');
    window.__visibleLines = () => {
        const view = scroller.getBoundingClientRect();
        const tops = [];
        for (const caption of flow.querySelectorAll('.caption')) {
            for (const rect of caption.getClientRects()) {
                const shown = Math.min(rect.bottom, view.bottom) - Math.max(rect.top, view.top);
                if (rect.width > 0 && shown > rect.height / 2) tops.push(rect.top);
            }
        }
        tops.sort((a, b) => a - b);
        return tops.filter((top, i) => i === 0 || top - tops[i - 1] > 4).length;
    };
    const lines = window.__lines = { most: 0, finals: 0, revisions: 0, moves: [] };
    let before = null;
    const committed = () => {
        const last = [...log.querySelectorAll('.caption.final')].pop();
        if (!last) return null;
        const rects = last.getClientRects();
        const end = rects[rects.length - 1];
        return { x: end.right, y: end.top, layout: [scroller.clientWidth, scroller.clientHeight, document.documentElement.dataset.theme].join() };
    };
    new MutationObserver((records) => {
        lines.most = Math.max(lines.most, window.__visibleLines());
        const now = committed();
        if (records.some((r) => log.contains(r.target))) {
            lines.finals = log.querySelectorAll('.caption.final').length;
        } else if (now && before && now.layout === before.layout) {
            lines.revisions += 1;
            if (now.y > before.y + 0.5 || Math.abs(now.x - before.x) > 0.5) lines.moves.push([before, now]);
        }
        before = now;
    }).observe(flow, { subtree: true, childList: true, characterData: true });
"""

RECORD_MEDIA_SESSION_HANDLERS = """
    window.__mediaHandlers = {};
    const set = navigator.mediaSession.setActionHandler.bind(navigator.mediaSession);
    navigator.mediaSession.setActionHandler = (action, handler) => { window.__mediaHandlers[action] = handler; set(action, handler); };
"""

SPEECH_ELEMENT = """
    const element = document.querySelector('audio#speech-output');
    if (!element) return null;
    return { playing: !element.paused, time: element.currentTime,
             tracks: element.srcObject?.getAudioTracks().filter((t) => t.readyState === 'live').length };
"""

# Whether the caption area is scrolled to within a few pixels of its end and has rolled up by more
# than arguments[0] pixels.
ROLLED_UP_BY = """
    const s = document.querySelector('#captions');
    return s.scrollHeight - s.clientHeight > arguments[0] && s.scrollHeight - s.scrollTop - s.clientHeight < 2;
"""

# Records any change to the final captions shown other than one added after them.
WATCH_COMMITTED_TEXT = """
    window.__committedChanges = [];
    const log = document.querySelector('#caption-log');
    new MutationObserver((records) => {
        for (const record of records) {
            if (record.target !== log || record.removedNodes.length > 0) window.__committedChanges.push(record.type);
        }
    }).observe(log, { subtree: true, childList: true, characterData: true, attributes: true });
"""

PROVISIONAL_TAIL = """
    const tail = document.querySelector('#caption-provisional .caption.partial .tail');
    if (!tail) return null;
    return { style: getComputedStyle(tail).fontStyle, hidden: tail.closest('[aria-hidden]').getAttribute('aria-hidden') };
"""


RECORD_WAKE_LOCK_AND_SHARE = """
    window.__wakeLocks = [];
    Object.defineProperty(navigator, 'wakeLock', { configurable: true, value: { request: async (type) => {
        window.__wakeLocks.push(type);
        const lock = new EventTarget();
        lock.release = async () => {};
        return lock;
    } } });
    Object.defineProperty(navigator, 'share', { configurable: true, value: async (data) => { window.__shared = data; } });
"""


def gains(driver):
    """The gain of every GainNode of the page."""
    return on_every(driver, "GainNode", "function () { return this.map((node) => node.gain.value); }")


def audio_contexts(driver, method):
    """Calls `suspend` or `resume` on every AudioContext of the page, from the outside."""
    on_every(driver, "AudioContext", f"function () {{ this.forEach((c) => c.{method}()); return this.length; }}")


def stored_segments(server, session_id, language):
    query = urllib.parse.urlencode({"language": language, "format": "json", "passcode": PASSCODE})
    with urllib.request.urlopen(f"{server.base_url}/v1/sessions/{session_id}/transcript?{query}", timeout=10) as response:
        return [segment["segmentId"] for segment in json.load(response)["segments"]]


def create_session(server, body):
    request = urllib.request.Request(
        server.base_url + "/v1/sessions", data=json.dumps(body).encode(), method="POST",
        headers={"Authorization": f"Bearer {server.key}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["sessionId"]
