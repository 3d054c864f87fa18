"""The pages at phone (360×740) and laptop (1366×768) sizes, in a real browser: nothing wider than
the screen, and screenshots of each (in .build-python-tests/screenshots/, and in
docs/screenshots/ when UPDATE_SCREENSHOTS=1)."""

import json
import os
import time
import urllib.parse
import urllib.request

import pytest

from conftest import ARTIFACTS, FIXTURES, REPO, css, css_all, emulate_viewport, retire, screenshot, start_server, stop_server, wait_for

PHONE = (360, 740)
LAPTOP = (1366, 768)
DESTINATIONS = [ARTIFACTS / "screenshots"] + ([REPO / "docs" / "screenshots"] if os.environ.get("UPDATE_SCREENSHOTS") == "1" else [])


@pytest.fixture(scope="module")
def venue_server(tmp_path_factory):
    # Join links as a venue's network would show them (nothing is sent to that address).
    running, process = start_server(tmp_path_factory.mktemp("screenshots-data"), "--set", "publicURL=http://192.168.1.20:8080")
    yield running
    stop_server(running, process, "serve-screenshots.log")


def capture(driver, name):
    # Nothing may be wider than the screen: no sideways scrolling on a phone.
    overflow = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name}: the page is {overflow}px wider than the screen"
    for folder in DESTINATIONS:
        screenshot(driver, folder / f"{name}.png")


def phone(driver):
    emulate_viewport(driver, *PHONE, phone=True)


def laptop(driver):
    emulate_viewport(driver, *LAPTOP)


def test_screenshots(venue_server, make_browser):
    server = venue_server
    visitor = make_browser()
    phone(visitor)
    visitor.get(server.base_url + "/")
    wait_for(visitor, lambda d: css(d, "#session-code").is_displayed())
    capture(visitor, "landing-phone")

    speaker = make_browser(microphone=FIXTURES / "museum-tour.wav")
    laptop(speaker)
    speaker.get(server.base_url + "/speak")
    speaker.execute_script("localStorage.setItem('dragoman.speakerKey', arguments[0])", server.key)
    speaker.get(server.base_url + "/speak")
    wait_for(speaker, lambda d: css(d, "#title-input").is_displayed())
    capture(speaker, "speaker-setup-laptop")
    css(speaker, "#title-input").send_keys("Museum tour")
    css(speaker, "#speaker-name-input").send_keys("Elena Ruiz")
    css(speaker, "#create-button").click()
    wait_for(speaker, lambda d: css(d, "#connection-pill").get_attribute("data-state") == "connected")
    session_id = urllib.parse.parse_qs(urllib.parse.urlparse(speaker.current_url).query)["session"][0]

    spanish = make_browser()
    phone(spanish)
    spanish.get(f"{server.base_url}/s/{session_id}")
    wait_for(spanish, lambda d: css(d, 'input[name="language"][value="es"]')).click()
    capture(spanish, "listener-join-phone")
    css(spanish, "#start-button").click()

    french = make_browser()
    laptop(french)
    french.get(f"{server.base_url}/s/{session_id}")
    wait_for(french, lambda d: css(d, 'input[name="language"][value="fr"]')).click()
    css(french, "#start-button").click()

    css(speaker, "#mic-button").click()
    for listener in (spanish, french):
        wait_for(listener, lambda d: len(css_all(d, "#caption-log .caption.final")) >= 5, timeout=120)
    # A partial caption on screen shows how provisional text looks.
    wait_for(spanish, lambda d: css_all(d, "#caption-provisional .caption"), timeout=30)
    capture(spanish, "listener-phone")
    capture(french, "listener-laptop")
    wait_for(speaker, lambda d: css(d, "#listener-count").text == "2", timeout=40)
    capture(speaker, "speaker-laptop")
    phone(speaker)
    time.sleep(0.5)
    capture(speaker, "speaker-phone")
    laptop(speaker)

    # Maria interprets into Spanish, on the air, from her phone.
    request = urllib.request.Request(
        f"{server.base_url}/v1/sessions/{session_id}/interpreters",
        data=json.dumps({"language": "es", "name": "Maria"}).encode(),
        headers={"Authorization": f"Bearer {server.key}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        link = json.load(response)["interpretUrl"]
    # The link names the venue's address; the page is opened on this server.
    link = server.base_url + link[link.index("/interpret/"):]
    interpreter = make_browser(microphone=FIXTURES / "church-welcome.wav")
    phone(interpreter)
    interpreter.get(link)
    wait_for(interpreter, lambda d: css(d, "#connection-pill").get_attribute("data-state") == "connected")
    css(interpreter, "#air-button").click()
    wait_for(interpreter, lambda d: css(d, "#air-button").get_attribute("data-state") == "on", timeout=10)
    wait_for(interpreter, lambda d: css_all(d, "#caption-log .caption.final"), timeout=60)
    capture(interpreter, "interpreter-phone")
    wait_for(speaker, lambda d: css_all(d, '#voice-list li[data-voice="interpreter"]'), timeout=10)
    speaker.execute_script("document.getElementById('interpreters-card').scrollIntoView({block: 'center'})")
    time.sleep(0.3)
    capture(speaker, "speaker-interpreters-laptop")
    speaker.execute_script("window.scrollTo(0, 0)")

    css(speaker, "#present-button").click()
    wait_for(speaker, lambda d: css(d, "#present-view").is_displayed())
    time.sleep(0.5)
    capture(speaker, "present-laptop")
    css(speaker, "#close-present").click()

    css(speaker, "#pause-button").click()
    wait_for(spanish, lambda d: css(d, "#live-pill").get_attribute("data-state") == "paused", timeout=10)
    css(spanish, "#theme-toggle").click()
    time.sleep(0.3)
    capture(spanish, "listener-paused-dark-phone")
    for driver in (visitor, speaker, spanish, french, interpreter):
        retire(make_browser, driver)
