"""Browser tests of the Dragoman web pages: a real server, real headless Chromium.

The server fixture builds nothing: it runs the already built binary (`.build/debug/dragoman`, or
DRAGOMAN_BIN) on a free port with a temporary data directory and a key from `dragoman keys create`.
Chromium and its driver come from Debian (`chromium`, `chromium-driver`); the microphone is faked
from a WAV fixture.
"""

import os
import shutil
import sys
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
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
    """Starts headless Chromium windows; `make_browser(microphone=WAV, size=(w, h))`."""
    drivers = []

    def make(microphone: Path | None = None, size=(1366, 768)):
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
    """Waits until `condition(driver)` is truthy and returns it."""
    return WebDriverWait(driver, timeout, poll_frequency=0.25).until(lambda d: condition(d), message)


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


def drop_websockets(driver) -> int:
    """Closes every WebSocket of the page from the outside, as a network drop would."""
    prototype = driver.execute_cdp_cmd("Runtime.evaluate", {"expression": "WebSocket.prototype"})["result"]["objectId"]
    sockets = driver.execute_cdp_cmd("Runtime.queryObjects", {"prototypeObjectId": prototype})["objects"]["objectId"]
    result = driver.execute_cdp_cmd(
        "Runtime.callFunctionOn",
        {"objectId": sockets, "functionDeclaration": "function () { this.forEach((s) => s.close()); return this.length; }", "returnByValue": True},
    )
    return result["result"]["value"]


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
