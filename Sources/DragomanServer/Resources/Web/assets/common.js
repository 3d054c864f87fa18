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

/** The `/ws` URL on this server with the given query parameters. */
export function socketURL(parameters) {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(parameters)) {
    if (value !== undefined && value !== null && value !== "") query.set(name, String(value));
  }
  return `${scheme}://${location.host}/ws?${query}`;
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

/** The theme switch: light or dark, remembered on this device. */
export function setUpThemeToggle(button) {
  const root = document.documentElement;
  const render = () => {
    const dark = root.dataset.theme === "dark";
    button.setAttribute("aria-pressed", String(dark));
    button.textContent = dark ? "☀" : "☾";
    button.setAttribute("aria-label", dark ? "Switch to light theme" : "Switch to dark theme");
    button.title = button.getAttribute("aria-label");
  };
  button.addEventListener("click", () => {
    root.dataset.theme = root.dataset.theme === "dark" ? "light" : "dark";
    store.set("theme", root.dataset.theme);
    render();
  });
  render();
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

/**
 * Copies the text an element shows. Without the clipboard API (it needs https) the text is
 * selected instead, so it can be copied by hand. Says how it went in `status`, for a while.
 */
export async function copyShownText(element, status) {
  const text = element.textContent;
  try {
    await navigator.clipboard.writeText(text);
    status.textContent = "Copied";
  } catch {
    const range = document.createRange();
    range.selectNodeContents(element);
    getSelection().removeAllRanges();
    getSelection().addRange(range);
    status.textContent = document.execCommand?.("copy") ? "Copied" : "Selected: press Ctrl+C";
  }
  setTimeout(() => (status.textContent = ""), 3000);
}

/**
 * Heartbeats on a connection, with a watchdog: a dead network may never deliver the close, so a
 * connection that has heard nothing (`heard()`) for `silenceLimit` seconds is given up.
 */
export class Heartbeat {
  constructor({ send, onSilence, every = 15, silenceLimit = 40 }) {
    this.send = send;
    this.onSilence = onSilence;
    this.every = every;
    this.silenceLimit = silenceLimit;
    this.timer = null;
    this.lastHeard = 0;
  }

  start() {
    this.stop();
    this.heard();
    this.timer = setInterval(() => {
      if (performance.now() - this.lastHeard > this.silenceLimit * 1000) {
        this.stop();
        this.onSilence();
        return;
      }
      this.send({ action: "heartbeat" });
    }, this.every * 1000);
  }

  heard() {
    this.lastHeard = performance.now();
  }

  stop() {
    clearInterval(this.timer);
    this.timer = null;
  }
}

/** Sends `message` as JSON if `socket` is open; whether it was sent. */
export function sendJSON(socket, message) {
  if (socket?.readyState !== WebSocket.OPEN) return false;
  socket.send(JSON.stringify(message));
  return true;
}

/** The message a text frame carries, or null when it is not JSON. */
export function parseMessage(data) {
  try {
    return JSON.parse(data);
  } catch {
    return null;
  }
}

/** Closes the page's socket without its close handler, so no reconnect follows; a new one is opened next. */
export function discardSocket(state) {
  const old = state.socket;
  if (!old) return;
  state.socket = null;
  old.onclose = null;
  old.close();
}
