"""Browser tests of the Dragoman web pages: a real server, real headless Chromium.

The server fixture builds nothing: it runs the already built binary (`.build/debug/dragoman`, or
DRAGOMAN_BIN) on a free port with a temporary data directory and a key from `dragoman keys create`.
Chromium and its driver come from Debian (`chromium`, `chromium-driver`); the microphone is faked
from a WAV fixture.
"""

import json
import os
import shutil
import sys
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.support.ui import WebDriverWait

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "Tests" / "Support"))
from dragoman_process import ARTIFACTS, start_server, stop_server  # noqa: E402, F401

FIXTURES = REPO / "Tests" / "Fixtures"


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    running, process = start_server(tmp_path_factory.mktemp("dragoman-data"))
    yield running
    stop_server(running, process)


def _chromium_binary() -> str:
    for candidate in (os.environ.get("CHROMIUM_BIN"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    pytest.skip("Chromium is not installed (apt-get install chromium chromium-driver)")


def _chromedriver() -> str:
    for candidate in (os.environ.get("CHROMEDRIVER_BIN"), "/usr/bin/chromedriver", shutil.which("chromedriver")):
        if candidate and Path(candidate).exists():
            return candidate
    pytest.skip("chromedriver is not installed (apt-get install chromium-driver)")


@pytest.fixture(scope="session")
def make_browser():
    """Starts headless Chromium windows; `make_browser(microphone=WAV, size=(w, h), locale="es")`
    (`locale`: the browser's language, as a phone set to it has)."""
    drivers = []

    def make(microphone: Path | None = None, size=(1366, 768), locale: str | None = None):
        options = webdriver.ChromeOptions()
        options.binary_location = _chromium_binary()
        for argument in (
            "--headless=new",
            "--no-sandbox",
            "--disable-dev-shm-usage",
            "--disable-gpu",
            "--no-first-run",
            "--mute-audio",
            "--autoplay-policy=no-user-gesture-required",
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            "--hide-scrollbars",
            f"--window-size={size[0]},{size[1]}",
            "--force-device-scale-factor=1",
        ):
            options.add_argument(argument)
        if locale is not None:
            options.add_argument(f"--lang={locale}")
            options.add_experimental_option("prefs", {"intl.accept_languages": locale})
        if microphone is not None:
            options.add_argument(f"--use-file-for-fake-audio-capture={microphone}")
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        driver = webdriver.Chrome(options=options, service=Service(executable_path=_chromedriver()))
        driver.set_window_size(*size)
        drivers.append(driver)
        return driver

    make.drivers = drivers
    yield make
    for driver in drivers:
        try:
            driver.quit()
        except Exception:
            pass


def wait_for(driver, condition, timeout=30, message=""):
    """Waits until `condition(driver)` is truthy and returns it. The pages re-render lists as they
    change: a condition that read an element just replaced (stale) is simply polled again."""
    return WebDriverWait(driver, timeout, poll_frequency=0.25, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: condition(d), message)


def css(driver, selector):
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, selector)


def css_all(driver, selector):
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, selector)


def set_offline(driver, offline: bool):
    """Emulates a network drop for new connections (open WebSockets are not affected)."""
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )


def on_every(driver, class_name: str, function: str):
    """Calls `function` (JavaScript, `this` the array) on every live object of the page's class
    `class_name`, from the outside (DevTools), and returns what it returns."""
    prototype = driver.execute_cdp_cmd("Runtime.evaluate", {"expression": f"{class_name}.prototype"})["result"]["objectId"]
    objects = driver.execute_cdp_cmd("Runtime.queryObjects", {"prototypeObjectId": prototype})["objects"]["objectId"]
    result = driver.execute_cdp_cmd(
        "Runtime.callFunctionOn", {"objectId": objects, "functionDeclaration": function, "returnByValue": True}
    )
    return result["result"].get("value")


def drop_websockets(driver) -> int:
    """Closes every WebSocket of the page from the outside, as a network drop would."""
    return on_every(driver, "WebSocket", "function () { this.forEach((s) => s.close()); return this.length; }")


def emulate_viewport(driver, width: int, height: int, phone: bool = False):
    """Sets the page's viewport to exactly `width`×`height` CSS pixels (a phone: touch, mobile)."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": phone}
    )
    driver.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": phone})


def screenshot(driver, path: Path):
    """A PNG of the viewport."""
    import base64

    data = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})["data"]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(base64.b64decode(data))


def script_errors(driver) -> list[str]:
    """Uncaught exceptions the page's scripts threw (the console log since the last call)."""
    return [entry["message"] for entry in driver.get_log("browser") if "Uncaught" in entry["message"]]


def retire(make_browser, driver):
    """Closes a window a test no longer needs (fewer browsers competing for the CPU), after
    checking its scripts threw nothing."""
    errors = script_errors(driver)
    make_browser.drivers.remove(driver)
    driver.quit()
    assert errors == [], errors


def page_strings(language):
    """The listener and interpreter pages' strings in `language`, as the pages load them."""
    return json.loads((REPO / "Sources/DragomanServer/Resources/Web/assets/strings" / f"{language}.json").read_text())


def console_strings(language):
    """The speaker console's strings in `language`, as the console loads them."""
    return json.loads((REPO / "Sources/DragomanServer/Resources/Web/assets/strings/speak" / f"{language}.json").read_text())


def state_of(driver, selector):
    return css(driver, selector).get_attribute("data-state")


def finals(driver):
    """(segmentId, text, lang) of the final captions shown."""
    return [
        (int(e.get_attribute("data-segment")), e.text.strip(), e.get_attribute("lang"))
        for e in css_all(driver, "#caption-log .caption.final")
    ]


def join_as_listener(make_browser, server, session_id, language, size=(360, 740)):
    """A listener page joined in `language`."""
    listener = make_browser(size=size)
    listener.get(f"{server.base_url}/s/{session_id}")
    wait_for(listener, lambda d: css(d, f'input[name="language"][value="{language}"]'), message="language choices").click()
    css(listener, "#start-button").click()
    wait_for(listener, lambda d: state_of(d, "#live-pill") in ("live", "waiting"), message=f"{language} listener joined")
    return listener


def open_console(make_browser, server, title, microphone=None, passcode=None, speaker_name=None):
    """A speaker console (the key remembered beforehand) with a new session; returns (driver, session id)."""
    import urllib.parse

    speaker = make_browser(microphone=microphone)
    speaker.get(server.base_url + "/speak")
    speaker.execute_script("localStorage.setItem('dragoman.speakerKey', arguments[0])", server.key)
    speaker.get(server.base_url + "/speak")
    wait_for(speaker, lambda d: css(d, "#title-input").is_displayed(), message="new session form")
    css(speaker, "#title-input").send_keys(title)
    if passcode:
        css(speaker, "#passcode-input").send_keys(passcode)
    css(speaker, "#speaker-name-input").clear()
    if speaker_name:
        css(speaker, "#speaker-name-input").send_keys(speaker_name)
    css(speaker, "#create-button").click()
    wait_for(speaker, lambda d: state_of(d, "#connection-pill") == "connected", message="speaker connected")
    session_id = urllib.parse.parse_qs(urllib.parse.urlparse(speaker.current_url).query)["session"][0]
    return speaker, session_id


_UNNAMED_CONTROLS = """
    const named = (e) => (e.getAttribute('aria-label') || '').trim()
        || (e.getAttribute('aria-labelledby') || '').split(' ').map((id) => document.getElementById(id)?.textContent || '').join('').trim()
        || [...(e.labels || [])].map((l) => l.textContent).join('').trim()
        || (e.type !== 'text' && e.type !== 'password' && e.textContent.trim())
        || (e.alt || '').trim();
    return [...document.querySelectorAll('button, input, select, a[href], img, [role=meter]')]
        // An image with alt="" is decoration, skipped by screen readers on purpose.
        .filter((e) => !(e.tagName === 'IMG' && e.getAttribute('alt') === ''))
        .filter((e) => e.getClientRects().length > 0 && !named(e))
        .map((e) => e.outerHTML.slice(0, 120));
"""


def unnamed_controls(driver) -> list[str]:
    """The visible controls of the page that a screen reader could not name."""
    return driver.execute_script(_UNNAMED_CONTROLS)
