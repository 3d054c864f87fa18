// The speaker console, /speak: key, session, microphone, broadcast controls, join link, status.
import { $, api, Connection, onBroadcastChange, el, formatDuration, languageLabel, sessionWords, setPill, setUpThemeToggle, socketURL, store } from "../common.js";
import { CaptionView } from "../captions.js";
import { Microphone } from "../microphone.js";
import { levelMeter, listInputs, microphoneFailureText, sendFrame } from "../microphone-controls.js";
import { InterpretersPanel } from "./interpreters-panel.js";
import { renderJoin } from "./join-card.js";
import { renderDownloads, setUpDownloads } from "./downloads.js";
import { CaptionPreview } from "./caption-preview.js";
import { readableError } from "./messages.js";
import { CONSOLE_LANGUAGES, pageLanguage, phoneLanguages, t, usePageLanguage } from "../strings.js";

const views = ["loading-view", "key-view", "setup-view", "console-view"];
/** The parts of the console that only a live session has. */
const LIVE_ONLY = ["#end-button", "#mic-card", "#join-card", "#broadcast-pill", "#mic-pill", "#audience", "#language-stats", "#preview-card", "#interpreters-card"];
const STATUS_POLL_SECONDS = 10;
/** A broadcast change the server has not confirmed after this long is given up. */
const PENDING_SECONDS = 5;

const state = {
  key: store.get("speakerKey"),
  sources: [],
  session: null, // { sessionId, title, sourceLanguage, joinUrl, languages }
  /** The speaker's connection to the open session. */
  connection: null,
  connected: false,
  ended: false,
  pollTimer: null,
  broadcast: null,
  status: null,
  statusReceivedAt: 0,
  framesSent: 0,
  framesDropped: 0,
  volumeDragging: false,
  volumeTimer: null,
  /** A pause, resume, mute or unmute sent and not yet confirmed: `{ action, timer }`. */
  pending: null,
  lastVolumeSent: 0,
};

const microphone = new Microphone({ onFrame: sendAudio, onLevel: levelMeter($("#level-meter")), onEnded: microphoneEnded });
let captions = null;
const interpreters = new InterpretersPanel(() => state.key);
const preview = new CaptionPreview(() => ({ session: state.session, key: state.key }));

const renderTheme = setUpThemeToggle($("#theme-toggle"), (dark) => t(dark ? "theme.light" : "theme.dark"));
setUpDownloads(() => ({ session: state.session, key: state.key }));
start();

function showView(id) {
  for (const view of views) $(`#${view}`).hidden = view !== id;
  $("#forget-key").hidden = !state.key || id === "key-view";
}

// ---------- key ----------

async function start() {
  // The console speaks the browser's language, where it is written in it.
  await usePageLanguage(pageLanguage(phoneLanguages(), CONSOLE_LANGUAGES), "strings/speak");
  renderTheme();
  document.title = t("console.documentTitle");
  if (!state.key) {
    showView("key-view");
    $("#key-input").focus();
    return;
  }
  await showSetup();
  const wanted = new URLSearchParams(location.search).get("session");
  if (wanted) {
    const own = (await ownSessions().catch(() => [])).find((session) => session.sessionId === wanted);
    if (own) openConsole(own);
    else history.replaceState(null, "", "/speak");
  }
}

$("#key-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const key = $("#key-input").value.trim();
  const error = $("#key-error");
  error.textContent = "";
  if (!key) {
    error.textContent = t("key.enterFirst");
    return;
  }
  try {
    await api("/v1/sessions", { key });
  } catch (failure) {
    error.textContent = failure.status === 401 ? t("key.invalid") : failure.message;
    $("#key-input").setAttribute("aria-invalid", "true");
    return;
  }
  state.key = key;
  store.set("speakerKey", key);
  $("#key-input").value = "";
  showSetup();
});

$("#forget-key").addEventListener("click", () => {
  if (state.session && !state.ended && !confirm(t("key.forgetConfirm"))) return;
  leaveConsole();
  state.key = null;
  store.set("speakerKey", null);
  showView("key-view");
  $("#key-input").focus();
});

// ---------- setup: create or reopen ----------

async function showSetup() {
  showView("setup-view");
  $("#speaker-name-input").value ||= store.get("speakerName") ?? "";
  if (state.sources.length === 0) {
    try {
      const languages = await api("/v1/languages");
      state.sources = languages.sources ?? [];
    } catch (failure) {
      $("#create-error").textContent = failure.message;
    }
    const select = $("#source-select");
    select.replaceChildren(...state.sources.map((language) => el("option", { value: language.code, text: languageLabel(language) })));
    const preferred = store.get("sourceLanguage");
    if (preferred && state.sources.some((language) => language.code === preferred)) select.value = preferred;
  }
  refreshSessions();
}

async function ownSessions() {
  const data = await api("/v1/sessions", { key: state.key });
  return data?.sessions ?? [];
}

async function refreshSessions() {
  const list = $("#session-list");
  const error = $("#sessions-error");
  error.textContent = "";
  let sessions;
  try {
    sessions = await ownSessions();
  } catch (failure) {
    if (failure.status === 401) {
      state.key = null;
      store.set("speakerKey", null);
      showView("key-view");
      $("#key-error").textContent = t("key.noLongerRemembered");
      return;
    }
    error.textContent = failure.message;
    return;
  }
  list.replaceChildren(
    ...sessions.map((session) =>
      el(
        "li",
        {},
        el(
          "div",
          { class: "info" },
          el("div", { class: "title", text: session.title }),
          el("div", { class: "muted mono", text: `${sessionWords(session.sessionId)} · ${t(`status.${session.status}`)}` }),
        ),
        el("button", {
          type: "button",
          class: "small",
          "data-action": "reopen",
          text: t("setup.reopen"),
          "aria-label": t("setup.reopenLabel", { title: session.title, code: sessionWords(session.sessionId) }),
          onclick: () => openConsole(session),
        }),
        el("button", {
          type: "button",
          class: "small danger",
          "data-action": "end",
          text: t("setup.end"),
          "aria-label": t("setup.endLabel", { title: session.title, code: sessionWords(session.sessionId) }),
          onclick: () => askToEnd(session),
        }),
      ),
    ),
  );
  $("#no-sessions").hidden = sessions.length > 0;
}

$("#refresh-sessions").addEventListener("click", refreshSessions);

$("#create-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const error = $("#create-error");
  const button = $("#create-button");
  error.textContent = "";
  const sourceLanguage = $("#source-select").value;
  const speakerName = $("#speaker-name-input").value.trim();
  const body = { title: $("#title-input").value.trim() || undefined, speakerName: speakerName || undefined, sourceLanguage };
  const passcode = $("#passcode-input").value;
  if (passcode) body.passcode = passcode;
  button.disabled = true;
  try {
    const session = await api("/v1/sessions", { method: "POST", key: state.key, body });
    store.set("sourceLanguage", sourceLanguage);
    // The same speaker gives the next talk: the name is offered again.
    store.set("speakerName", speakerName);
    $("#title-input").value = "";
    $("#passcode-input").value = "";
    openConsole(session);
  } catch (failure) {
    error.textContent = failure.message;
  } finally {
    button.disabled = false;
  }
});

// ---------- console ----------

async function openConsole(session) {
  state.session = { ...session };
  state.ended = false;
  state.connected = false;
  state.broadcast = null;
  state.status = null;
  history.replaceState(null, "", `/speak?session=${encodeURIComponent(session.sessionId)}`);
  document.title = t("console.sessionTitle", { title: session.title });

  $("#console-title").textContent = session.title;
  $("#ended-banner").hidden = true;
  for (const id of LIVE_ONLY) $(id).hidden = false;
  $("#leave-button").textContent = t("console.leave");
  $("#console-notice").textContent = "";
  $("#mic-error").textContent = "";
  captions = new CaptionView({
    scroller: $("#captions"),
    log: $("#caption-log"),
    provisional: $("#caption-provisional"),
    placeholder: $("#caption-placeholder"),
  });
  $("#caption-log").replaceChildren();
  $("#caption-provisional").replaceChildren();
  $("#caption-log").lang = session.sourceLanguage;
  renderJoin(state.session);
  renderStatus();
  renderConnection();
  renderBroadcast();
  renderMicrophone();
  showView("console-view");
  refreshDevices();
  interpreters.open(state.session);
  connect();

  // The public view of the session names its languages.
  try {
    const details = await api(`/v1/sessions/${encodeURIComponent(session.sessionId)}`);
    state.session.languages = details.languages ?? [];
    interpreters.setLanguages(state.session.languages);
    preview.setLanguages(state.session.languages, state.session.sourceLanguage);
    renderDownloads(state.session);
    renderStatus();
  } catch {
    /* downloads stay empty */
  }
}

function leaveConsole() {
  clearInterval(state.pollTimer);
  microphone.stop();
  renderMicrophone();
  interpreters.close();
  preview.stop();
  state.connection?.close(1000, "speaker left");
  state.connection = null;
  state.session = null;
  history.replaceState(null, "", "/speak");
  document.title = t("console.documentTitle");
}

$("#leave-button").addEventListener("click", () => {
  leaveConsole();
  showSetup();
});

$("#new-session-button").addEventListener("click", () => {
  leaveConsole();
  showSetup();
  $("#title-input").focus();
});

// ---------- connection ----------

function connect() {
  state.connection?.close();
  const session = state.session;
  const connection = new Connection({
    url: () =>
      socketURL(
        connection.everJoined
          ? { action: "refreshConnection", role: "speaker", sessionId: session.sessionId, token: state.key }
          : { action: "createSession", sessionId: session.sessionId, sourceLanguage: session.sourceLanguage, token: state.key },
      ),
    handlers: handlers(),
    onDrop: lost,
    onRefused: () => {
      lost();
      if (connection.everJoined) connection.retry();
      else connectFailed(connection);
    },
  });
  state.connection = connection;
  connection.connect();
}

function lost() {
  state.connected = false;
  clearInterval(state.pollTimer);
  renderConnection();
  renderBroadcast();
}

/** The first connect was refused: the HTTP API says why (ended, bad key, not this key's). */
async function connectFailed(connection) {
  const notice = $("#console-notice");
  try {
    const session = await api(`/v1/sessions/${encodeURIComponent(state.session.sessionId)}`);
    if (session.status === "ended") return sessionEnded();
    const own = await ownSessions();
    if (!own.some((entry) => entry.sessionId === state.session.sessionId)) {
      notice.textContent = t("console.notThisKey");
      return;
    }
    notice.textContent = t("console.retrying");
  } catch (failure) {
    if (failure.status === 401) {
      notice.textContent = t("key.noLongerValid");
      return;
    }
    notice.textContent = failure.message;
  }
  connection.retry();
}

function send(message) {
  return state.connection?.send(message) ?? false;
}

function handlers() {
  const connected = (message) => {
    state.connection.joined();
    state.connected = true;
    if (message.joinUrl) state.session.joinUrl = message.joinUrl;
    $("#console-notice").textContent = "";
    updateBroadcast(message.broadcastState);
    renderConnection();
    renderJoin(state.session);
    send({ action: "getSessionStatus" });
    clearInterval(state.pollTimer);
    state.pollTimer = setInterval(() => send({ action: "getSessionStatus" }), STATUS_POLL_SECONDS * 1000);
  };
  const broadcast = (message) => updateBroadcast(message.broadcastState);
  return {
    sessionCreated: connected,
    connectionRefreshComplete: connected,
    sessionStatus(message) {
      state.status = message;
      state.statusReceivedAt = performance.now();
      updateBroadcast(message.broadcastState);
      renderStatus();
      interpreters.showVoices(message.voices);
    },
    voiceChanged: (message) => interpreters.voiceChanged(message),
    ...onBroadcastChange(broadcast),
    transcript: (message) => captions?.show(message),
    sessionEnded,
    error(message) {
      if (message.code !== "RATE_LIMIT_EXCEEDED" || message.action !== "getSessionStatus") {
        showNotice(readableError(message), 15);
      }
    },
  };
}

/** A passing problem (an engine failed for one segment): shown for a while, then cleared. */
function showNotice(text, seconds) {
  const notice = $("#console-notice");
  notice.textContent = text;
  setTimeout(() => {
    if (notice.textContent === text) notice.textContent = "";
  }, seconds * 1000);
}

function sessionEnded() {
  state.ended = true;
  state.connected = false;
  state.connection?.close();
  clearInterval(state.pollTimer);
  microphone.stop();
  captions?.clearPartials();
  $("#ended-banner").hidden = false;
  // Ended: what served the live session goes; the captions and the transcripts stay.
  for (const id of LIVE_ONLY) $(id).hidden = true;
  preview.stop();
  interpreters.close();
  $("#leave-button").textContent = t("console.back");
  renderMicrophone();
  renderConnection();
  renderBroadcast();
  history.replaceState(null, "", "/speak");
}

// ---------- broadcast state (as the server reports it) ----------

function updateBroadcast(broadcastState) {
  if (!broadcastState) return;
  state.broadcast = { ...(state.broadcast ?? {}), ...broadcastState };
  clearTimeout(state.pending?.timer);
  state.pending = null;
  renderBroadcast();
}

function renderConnection() {
  const pill = $("#connection-pill");
  let tone = "live";
  let key = "connected";
  if (state.ended) [tone, key] = ["bad", "ended"];
  else if (!state.connected) [tone, key] = state.connection?.everJoined ? ["bad", "reconnecting"] : ["warn", "connecting"];
  setPill(pill, t(`connection.${key}`), tone, key);
}

function renderBroadcast() {
  const b = state.broadcast;
  const pill = $("#broadcast-pill");
  const usable = Boolean(b) && state.connected && !state.ended;
  let text = "—";
  let tone = "";
  let key = "unknown";
  if (b && !state.ended) {
    if (b.isPaused) [text, tone, key] = [t("broadcast.paused"), "warn", "paused"];
    else if (b.isMuted) [text, tone, key] = [t("broadcast.muted"), "warn", "muted"];
    else if (!microphone.isOn) [text, tone, key] = [t("broadcast.micOff"), "warn", "idle"];
    else [text, tone, key] = [t("broadcast.live"), "live", "live"];
  }
  setPill(pill, text, tone, key);

  // A change asked for and not yet confirmed says so on its button, which waits for the answer.
  const pending = state.pending?.action;
  const pause = $("#pause-button");
  pause.disabled = !usable || Boolean(pending);
  pause.textContent = t({ pauseBroadcast: "broadcast.pausing", resumeBroadcast: "broadcast.resuming" }[pending] ?? (b?.isPaused ? "broadcast.resume" : "broadcast.pause"));
  pause.classList.toggle("active", Boolean(b?.isPaused));
  const mute = $("#mute-button");
  mute.disabled = !usable || Boolean(pending);
  mute.textContent = t({ muteBroadcast: "broadcast.muting", unmuteBroadcast: "broadcast.unmuting" }[pending] ?? (b?.isMuted ? "broadcast.unmute" : "broadcast.mute"));
  mute.classList.toggle("active", Boolean(b?.isMuted));
  const volume = $("#volume-input");
  volume.disabled = !usable;
  if (b && !state.volumeDragging) {
    volume.value = String(Math.round((b.volume ?? 1) * 100));
    $("#volume-value").textContent = `${volume.value} %`;
  }
}

/**
 * Asks the server to pause, resume, mute or unmute. Pausing and muting take effect here at once:
 * not one more frame of the microphone is sent, whatever the server's answer.
 */
function changeBroadcast(action) {
  if (!send({ action })) return;
  clearTimeout(state.pending?.timer);
  const timer = setTimeout(() => {
    state.pending = null;
    showNotice(t("console.notConfirmed"), 10);
    renderBroadcast();
  }, PENDING_SECONDS * 1000);
  state.pending = { action, timer };
  renderBroadcast();
}

$("#pause-button").addEventListener("click", () => changeBroadcast(state.broadcast?.isPaused ? "resumeBroadcast" : "pauseBroadcast"));
$("#mute-button").addEventListener("click", () => changeBroadcast(state.broadcast?.isMuted ? "unmuteBroadcast" : "muteBroadcast"));

const volumeInput = $("#volume-input");
volumeInput.addEventListener("input", () => {
  state.volumeDragging = true;
  $("#volume-value").textContent = `${volumeInput.value} %`;
  // At most four a second while it moves, within the control-message budget.
  if (!state.volumeTimer) {
    state.volumeTimer = setTimeout(() => {
      state.volumeTimer = null;
      send({ action: "setVolume", volumeLevel: Number(volumeInput.value) / 100 });
    }, 250);
  }
});
volumeInput.addEventListener("change", () => {
  state.volumeDragging = false;
  clearTimeout(state.volumeTimer);
  state.volumeTimer = null;
  send({ action: "setVolume", volumeLevel: Number(volumeInput.value) / 100 });
});

// ---------- microphone ----------

$("#mic-button").addEventListener("click", async () => {
  $("#mic-error").textContent = "";
  if (microphone.isOn) {
    microphone.stop();
    renderMicrophone();
    return;
  }
  // The browser may ask for permission first: the button says it is on its way meanwhile.
  const button = $("#mic-button");
  button.disabled = true;
  button.textContent = t("mic.starting");
  try {
    await microphone.start($("#device-select").value);
  } catch (failure) {
    $("#mic-error").textContent = microphoneFailureText(failure);
  } finally {
    button.disabled = false;
  }
  renderMicrophone();
  refreshDevices();
});

$("#device-select").addEventListener("change", async () => {
  if (!microphone.isOn) return;
  try {
    await microphone.start($("#device-select").value);
  } catch (failure) {
    $("#mic-error").textContent = t("mic.inputFailed", { message: failure.message });
  }
  renderMicrophone();
});

navigator.mediaDevices?.addEventListener?.("devicechange", refreshDevices);

function refreshDevices() {
  return listInputs($("#device-select"));
}

function microphoneEnded() {
  $("#mic-error").textContent = t("mic.stopped");
  renderMicrophone();
}

function renderMicrophone() {
  const on = microphone.isOn;
  const button = $("#mic-button");
  button.textContent = t(on ? "mic.stop" : "mic.start");
  button.classList.toggle("primary", !on);
  const pill = $("#mic-pill");
  setPill(pill, t(on ? "mic.on" : "mic.off"), on ? "live" : "", on ? "on" : "off");
  pill.dataset.framesSent = String(state.framesSent);
  renderBroadcast();
}

function sendAudio(buffer) {
  const b = state.broadcast;
  const silencing = state.pending?.action === "pauseBroadcast" || state.pending?.action === "muteBroadcast";
  if (!state.connected || b?.isPaused || b?.isMuted || silencing) return;
  if (!sendFrame(state.connection?.socket, buffer)) {
    state.framesDropped += 1;
    return;
  }
  state.framesSent += 1;
  if (state.framesSent % 10 === 0) $("#mic-pill").dataset.framesSent = String(state.framesSent);
}

// ---------- listeners ----------

function renderStatus() {
  const status = state.status;
  const count = status?.listenerCount ?? 0;
  $("#listener-count").textContent = String(count);
  $("#listener-word").textContent = t(count === 1 ? "console.listener" : "console.listeners");
  const names = new Map((state.session?.languages ?? []).map((language) => [language.code, language.nativeName || language.name]));
  const distribution = Object.entries(status?.languageDistribution ?? {}).sort((a, b) => b[1] - a[1]);
  $("#language-stats").replaceChildren(
    ...distribution.map(([code, listeners]) =>
      el("li", { "data-language": code }, `${names.get(code) ?? code} `, el("span", { class: "muted", text: String(listeners) })),
    ),
  );
  renderDuration();
}

function renderDuration() {
  const status = state.status;
  if (!status) {
    $("#duration").textContent = "0:00";
    return;
  }
  const running = state.connected ? (performance.now() - state.statusReceivedAt) / 1000 : 0;
  $("#duration").textContent = formatDuration((status.sessionDuration ?? 0) + running);
}

setInterval(() => {
  if (state.session && state.connected) renderDuration();
}, 1000);

// ---------- end ----------

/** The session the end dialog asks about: the open one, or one of the list. */
let ending = null;

function askToEnd(session) {
  ending = session;
  $("#end-title").textContent = t("end.title", { title: session.title });
  $("#end-dialog").showModal();
}

$("#end-button").addEventListener("click", () => askToEnd(state.session));

$("#end-dialog").addEventListener("close", async () => {
  const session = ending;
  ending = null;
  if ($("#end-dialog").returnValue !== "end" || !session) return;
  const open = state.session?.sessionId === session.sessionId;
  let ended = false;
  try {
    await api(`/v1/sessions/${encodeURIComponent(session.sessionId)}`, { method: "DELETE", key: state.key });
    ended = true;
  } catch (failure) {
    ended = failure.status === 410;
    if (!ended) (open ? $("#console-notice") : $("#sessions-error")).textContent = t("end.failed", { message: failure.message });
  }
  if (ended && open) sessionEnded();
  else if (ended) refreshSessions();
});
