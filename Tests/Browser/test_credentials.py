"""The pages keep their secrets out of the `/ws` URL, which proxies log (issue 14, item 5): the speaker
console's key, the listener's passcode and the interpreter's token go in `Sec-WebSocket-Protocol`,
and the server answers with the subprotocol `dragoman` alone."""

import json
import urllib.request

from conftest import css, open_console, retire, state_of, wait_for

# Records every WebSocket a page opens, before the page's own scripts run.
SPY = """
const Native = window.WebSocket;
window.openedSockets = [];
window.WebSocket = class extends Native {
  constructor(url, protocols) {
    super(url, protocols);
    window.openedSockets.push({ socket: this, offered: [].concat(protocols ?? []) });
  }
};
"""


def spying(make_browser):
    """`make_browser`, with every window's WebSockets recorded."""
    def make(**options):
        driver = make_browser(**options)
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": SPY})
        return driver
    return make


def sockets(driver):
    """The page's WebSockets: their URL, the subprotocols offered and the one the server chose."""
    return driver.execute_script(
        "return window.openedSockets.map(({socket, offered}) => ({url: socket.url, offered, chosen: socket.protocol}));")


def check_secret_kept_out(driver, secret):
    opened = sockets(driver)
    assert opened, "the page opened no WebSocket"
    for socket in opened:
        assert secret not in socket["url"] and "token=" not in socket["url"] and "passcode=" not in socket["url"], socket
        assert socket["offered"][0] == "dragoman" and len(socket["offered"]) == 2, socket
        assert socket["chosen"] == "dragoman", socket


def test_the_console_listener_and_interpreter_pages_send_no_secret_in_the_url(server, make_browser):
    passcode = "4821"
    speaker, session_id = open_console(spying(make_browser), server, "Private briefing", passcode=passcode)
    check_secret_kept_out(speaker, server.key)

    listener = spying(make_browser)(size=(360, 740))
    listener.get(f"{server.base_url}/s/{session_id}")
    wait_for(listener, lambda d: css(d, 'input[name="language"][value="es"]'), message="language choices").click()
    css(listener, "#passcode").send_keys(passcode)
    css(listener, "#start-button").click()
    wait_for(listener, lambda d: state_of(d, "#live-pill") in ("live", "waiting"), message="listener joined with the passcode")
    check_secret_kept_out(listener, passcode)

    request = urllib.request.Request(
        f"{server.base_url}/v1/sessions/{session_id}/interpreters", data=json.dumps({"language": "es", "name": "Maria"}).encode(),
        headers={"Authorization": f"Bearer {server.key}", "Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        invitation = json.loads(response.read())
    interpreter = spying(make_browser)()
    interpreter.get(invitation["interpretUrl"])
    wait_for(interpreter, lambda d: state_of(d, "#connection-pill") == "connected", message="interpreter connected")
    check_secret_kept_out(interpreter, invitation["token"])

    for driver in (interpreter, listener, speaker):
        retire(make_browser, driver)
    request = urllib.request.Request(f"{server.base_url}/v1/sessions/{session_id}", method="DELETE", headers={"Authorization": f"Bearer {server.key}"})
    urllib.request.urlopen(request, timeout=10).close()
