// Helpers shared by the Dragoman pages.

/** The first element matching `selector`. */
export const $ = (selector, root = document) => root.querySelector(selector);

/** Makes an element: `el("p", { class: "x", text: "hi" }, child…)`. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "text") node.textContent = value;
    else if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** localStorage that never throws (private windows may refuse it). */
export const store = {
  get(name) {
    try {
      return localStorage.getItem(`dragoman.${name}`);
    } catch {
      return null;
    }
  },
  set(name, value) {
    try {
      if (value === null || value === undefined) localStorage.removeItem(`dragoman.${name}`);
      else localStorage.setItem(`dragoman.${name}`, value);
    } catch {
      /* not kept: fine */
    }
  },
};

/** An HTTP API failure, with the server's message. */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** Calls the HTTP API; returns the decoded JSON (or null for 204). */
export async function api(path, { method = "GET", key = null, body = undefined } = {}) {
  const headers = { Accept: "application/json" };
  if (key) headers.Authorization = `Bearer ${key}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: "no-store" });
  } catch {
    throw new ApiError(0, "The server cannot be reached. Check the network connection.");
  }
  if (response.status === 204) return null;
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    const message = data?.error?.message ?? data?.message ?? (text || response.statusText);
    throw new ApiError(response.status, message);
  }
  return data;
}

/** The connect parameters that are secrets, which proxies must not log with the URL. */
const SECRET_PARAMETERS = ["token", "passcode"];

/** UTF-8 text as unpadded base64url, which a subprotocol entry can carry. */
function base64url(text) {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");
}

/**
 * Where to open `/ws` on this server with the given parameters: `url`, with them in its query but
 * for the secrets (speaker key, interpreter token, passcode), and `protocols`, the subprotocol
 * `dragoman` and one `dragoman.NAME.BASE64URL` entry per secret, sent in `Sec-WebSocket-Protocol`
 * (docs/protocol.md, "Credentials outside the URL").
 */
export function socketURL(parameters) {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const query = new URLSearchParams();
  const protocols = ["dragoman"];
  for (const [name, value] of Object.entries(parameters)) {
    if (value === undefined || value === null || value === "") continue;
    if (SECRET_PARAMETERS.includes(name)) protocols.push(`dragoman.${name}.${base64url(String(value))}`);
    else query.set(name, String(value));
  }
  return { url: `${scheme}://${location.host}/ws?${query}`, protocols };
}

/** A typed session code (`Golden Eagle 427`, `golden-eagle-427`, a pasted link) as a session id. */
export function normalizeSessionId(typed) {
  let text = String(typed ?? "").trim();
  const fromLink = text.match(/\/s\/([^/?#\s]+)/);
  if (fromLink) text = decodeURIComponent(fromLink[1]);
  return text
    .toLowerCase()
    .replace(/[\s_.]+/g, "-")
    .replace(/[^a-z0-9-]/g, "")
    .replace(/-+/g, "-")
    .replace(/^-|-$/g, "");
}

/** The words of a session id, as said aloud: `golden eagle 427`. */
export const sessionWords = (id) => String(id).replaceAll("-", " ");

/** `1:02:03` or `2:03`. */
export function formatDuration(totalSeconds) {
  const seconds = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = String(seconds % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

/**
 * The theme switch: light or dark, remembered on this device. `label(dark)` names what it does;
 * returns the function that shows it again (after the page changed language).
 */
export function setUpThemeToggle(button, label = (dark) => (dark ? "Switch to light theme" : "Switch to dark theme")) {
  const root = document.documentElement;
  const render = () => {
    const dark = root.dataset.theme === "dark";
    button.setAttribute("aria-pressed", String(dark));
    button.textContent = dark ? "☀" : "☾";
    button.setAttribute("aria-label", label(dark));
    button.title = button.getAttribute("aria-label");
  };
  button.addEventListener("click", () => {
    root.dataset.theme = root.dataset.theme === "dark" ? "light" : "dark";
    store.set("theme", root.dataset.theme);
    render();
  });
  render();
  return render;
}

/** A language's name in its own language, with its English name when that differs. */
export function languageLabel(language) {
  if (!language) return "";
  const native = language.nativeName || language.name || language.code;
  return language.name && language.name !== native ? `${native} (${language.name})` : native;
}

/** Saves a Blob as a file. */
export function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = el("a", { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Shows a state on a pill: its text, its tone (`live`, `warn`, `bad` or none) and `data-state` for tests and styles. */
export function setPill(pill, text, tone, key) {
  pill.textContent = text;
  pill.className = `pill ${tone}`;
  pill.dataset.state = key;
}

/** Seconds before each reconnect: the first tries come fast, then they back off. */
const RECONNECT_DELAYS = [0.5, 1, 2, 4, 8, 15];
/** How often a joined connection checks what it heard. */
const HEARTBEAT_CHECK_SECONDS = 1;
/** The silence after which it sends a heartbeat: at most one every two seconds, none while speech flows. */
const HEARTBEAT_AFTER_SECONDS = 2;

/**
 * The messages that report a change of the broadcast (pause, mute, volume, the speaker's state),
 * each handled by `handler`: a page's handler table spreads them in.
 */
export function onBroadcastChange(handler) {
  const types = ["broadcastPaused", "broadcastResumed", "broadcastMuted", "broadcastUnmuted", "volumeChanged", "speakerStateChanged"];
  return Object.fromEntries(types.map((type) => [type, handler]));
}

/**
 * One WebSocket to `/ws` for the life of a page's connection: connect, heartbeat, dispatch of the
 * server's messages by `type`, and reconnect with backoff and jitter. The page says when the
 * server accepted it (`joined()`); a socket that closes before that was refused (`onRefused`),
 * one that closes after it dropped (`onDrop`) and is opened again (`url` is asked again, so a
 * reconnect may resume instead of join).
 *
 * A dead network may never deliver the close. A connection that heard nothing for two seconds
 * sends a heartbeat (the server answers it), so one that heard nothing for `quietAfter` seconds has
 * lost the server: it is reported quiet (`onQuiet(true)`, the page says so at once), and after
 * `silenceLimit` seconds it is given up and opened again.
 */
export class Connection {
  /**
   * @param {object} options
   * @param {() => {url: string, protocols: string[]}} options.url where the next connect goes (`socketURL`)
   * @param {Record<string, (message: object) => void>} options.handlers the page's handler of each message type
   * @param {(data: ArrayBuffer) => void} [options.onBinary] a binary frame (Opus speech)
   * @param {() => void} [options.onDrop] a joined connection dropped; a reconnect is scheduled
   * @param {() => void} [options.onRefused] the socket closed before the page was joined
   * @param {(quiet: boolean) => void} [options.onQuiet] nothing heard for a while, or heard again
   * @param {(attempt: number) => Promise<boolean>} [options.beforeRetry] false: do not reconnect
   */
  constructor({
    url,
    handlers,
    onBinary = () => {},
    onDrop = () => {},
    onRefused = () => {},
    onQuiet = () => {},
    beforeRetry = async () => true,
    quietAfter = 4,
    silenceLimit = 20,
  }) {
    Object.assign(this, { url, handlers, onBinary, onDrop, onRefused, onQuiet, beforeRetry, quietAfter, silenceLimit });
    this.socket = null;
    this.isJoined = false;
    this.everJoined = false;
    this.isQuiet = false;
    this.isClosed = false;
    this.attempt = 0;
    this.retryTimer = null;
    this.heartbeatTimer = null;
    this.lastHeard = 0;
    this.onOnline = () => {
      if (this.everJoined && !this.isClosed && !this.socket) this.connect();
    };
  }

  /** Opens a socket now, replacing any other. */
  connect() {
    clearTimeout(this.retryTimer);
    this.discard();
    this.isClosed = false;
    // The network back: no need to wait for the next try.
    window.addEventListener("online", this.onOnline);
    const { url, protocols } = this.url();
    const socket = new WebSocket(url, protocols);
    socket.binaryType = "arraybuffer";
    this.socket = socket;
    socket.onmessage = (event) => {
      if (this.socket !== socket) return;
      this.heard();
      if (event.data instanceof ArrayBuffer) {
        this.onBinary(event.data);
        return;
      }
      const message = parseMessage(event.data);
      if (!message) return;
      if (message.type === "connectionRefreshRequired") {
        // The server wants a fresh connection: made now, seamlessly.
        this.connect();
        return;
      }
      this.handlers[message.type]?.(message);
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.lost();
    };
  }

  /** The server accepted the connection: heartbeats start and the backoff is reset. */
  joined() {
    this.isJoined = true;
    this.everJoined = true;
    this.attempt = 0;
    this.heard();
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = setInterval(() => this.beat(), HEARTBEAT_CHECK_SECONDS * 1000);
  }

  /** Sends `message` as JSON when the socket is open; whether it was sent. */
  send(message) {
    if (this.socket?.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  /** Closes for good: no reconnect follows. */
  close(code = 1000, reason = "") {
    this.isClosed = true;
    clearTimeout(this.retryTimer);
    window.removeEventListener("online", this.onOnline);
    this.discard(code, reason);
  }

  /** Opens again after the backoff's next delay, with ±20 % jitter so a crowd does not come back at once. */
  retry() {
    clearTimeout(this.retryTimer);
    const delay = RECONNECT_DELAYS[Math.min(this.attempt, RECONNECT_DELAYS.length - 1)];
    this.attempt += 1;
    const attempt = this.attempt;
    this.retryTimer = setTimeout(
      async () => {
        if (this.isClosed || !(await this.beforeRetry(attempt)) || this.isClosed) return;
        this.connect();
      },
      delay * 1000 * (0.8 + Math.random() * 0.4),
    );
  }

  heard() {
    this.lastHeard = performance.now();
    if (this.isQuiet) {
      this.isQuiet = false;
      this.onQuiet(false);
    }
  }

  beat() {
    const silent = (performance.now() - this.lastHeard) / 1000;
    if (silent > this.silenceLimit) {
      this.discard();
      this.lost(true);
      return;
    }
    if (silent > this.quietAfter && !this.isQuiet) {
      this.isQuiet = true;
      this.onQuiet(true);
    }
    // Speech and captions say the connection is alive; a heartbeat is sent only in a silence.
    if (silent >= HEARTBEAT_AFTER_SECONDS) this.send({ action: "heartbeat" });
  }

  /** The socket closed, or was given up (`joinedAnyway`: it was joined, whatever `isJoined` says now). */
  lost(joinedAnyway = false) {
    clearInterval(this.heartbeatTimer);
    const wasJoined = this.isJoined || joinedAnyway;
    this.isJoined = false;
    if (this.isQuiet) {
      this.isQuiet = false;
      this.onQuiet(false);
    }
    if (this.isClosed) return;
    if (wasJoined) {
      this.onDrop();
      this.retry();
    } else {
      this.onRefused();
    }
  }

  /** Closes the socket without its close handler. */
  discard(code = 1000, reason = "") {
    clearInterval(this.heartbeatTimer);
    const old = this.socket;
    if (!old) return;
    this.socket = null;
    this.isJoined = false;
    old.onclose = null;
    old.close(code, reason);
  }
}

/** The message a text frame carries, or null when it is not JSON. */
function parseMessage(data) {
  try {
    return JSON.parse(data);
  } catch {
    return null;
  }
}
