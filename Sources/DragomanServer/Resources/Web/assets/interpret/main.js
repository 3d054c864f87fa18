// The interpreter page, /interpret/{sessionId}#token=…: one person's booth for interpreting a
// session into one language (docs/protocol.md, "Interpreters"). It connects off the air; on the
// air, its microphone replaces the machine's voice for the listeners of that language.
import { $, api, ApiError, Connection, onBroadcastChange, normalizeSessionId, sessionWords, setPill, setUpThemeToggle, socketURL } from "../common.js";
import { CaptionView } from "../captions.js";
import { Microphone } from "../microphone.js";
import { levelMeter, listInputs, microphoneFailureText, sendFrame } from "../microphone-controls.js";
import { FloorHearing } from "./floor-hearing.js";
import { pageLanguage, phoneLanguages, t, usePageLanguage } from "../strings.js";
/** The rate of the microphone's frames (capture-worklet.js), declared at connect. */
const SAMPLE_RATE = 16000;
/**
 * A browser cannot see why an upgrade was refused: a link its live session refuses this many
 * times in a row is taken as revoked.
 */
const REFUSALS_BEFORE_GIVING_UP = 3;

const sessionId = normalizeSessionId(decodeURIComponent(location.pathname.split("/")[2] ?? ""));
// The token comes after `#`, so it never reaches a server's log; a passcode may come with it.
const fragment = new URLSearchParams(location.hash.slice(1));
const token = fragment.get("token") ?? "";
const views = ["loading-view", "error-view", "booth-view"];

const state = {
  /** The session's public facts (`GET /v1/sessions/{id}`). */
  session: null,
  /** `interpreterJoined` of the first connection: who this interpreter is. */
  me: null,
  /** Ended or revoked: nothing more to connect. */
  finished: false,
  ended: false,
  refusals: 0,
  /** Why the server refused the connect, when it said so after the upgrade. */
  refusal: null,
  /** Off the air; kept across reconnects (the connect says `muted=true`). */
  muted: true,
  /** Whose voice the language has: `{ voice, interpreter, self }`. */
  voice: { voice: "machine", interpreter: null, self: false },
  broadcast: null,
  speakerAway: false,
  framesSent: 0,
};

const microphone = new Microphone({ onFrame: sendAudio, onLevel: levelMeter($("#level-meter")), onEnded: microphoneEnded });
const floor = new FloorHearing(sessionId);
const connection = new Connection({
  url: () => socketURL({ action: "interpretSession", sessionId, token, sampleRate: SAMPLE_RATE, muted: state.muted ? "true" : undefined }),
  handlers: handlers(),
  onDrop: () => {
    captions.clearPartials();
    renderConnection();
  },
  onRefused: refused,
});
const captions = new CaptionView({
  scroller: $("#captions"),
  log: $("#caption-log"),
  provisional: $("#caption-provisional"),
  placeholder: $("#caption-placeholder"),
});

const renderTheme = setUpThemeToggle($("#theme-toggle"), (dark) => t(dark ? "theme.light" : "theme.dark"));
start();

function showView(id) {
  for (const view of views) $(`#${view}`).hidden = view !== id;
}

/** The page can do nothing more: says why, instead of the booth. */
function showError(title, text) {
  finish();
  $("#error-title").textContent = title;
  $("#error-text").textContent = text;
  showView("error-view");
}

function finish() {
  state.finished = true;
  connection.close();
  microphone.stop();
  floor.stop();
}

// ---------- start ----------

async function start() {
  // The booth speaks the interpreter's own language, as the phone or computer is set.
  await usePageLanguage(pageLanguage(phoneLanguages()));
  renderTheme();
  renderMicrophone();
  floor.render();
  if (!sessionId || !token) {
    showError(t("interpret.incomplete"), t("interpret.incompleteText"));
    return;
  }
  try {
    state.session = await api(`/v1/sessions/${encodeURIComponent(sessionId)}`);
  } catch (failure) {
    if (failure instanceof ApiError && failure.status === 404) showError(t("session.notFound"), t("session.noSuch", { code: sessionWords(sessionId) }));
    else showError(t("session.cannotLoad"), failure.message);
    return;
  }
  if (state.session.status === "ended") {
    showError(t("session.ended"), t("session.over", { title: state.session.title }));
    return;
  }
  floor.setUp(state.session, fragment.get("passcode"));
  listInputs($("#device-select"));
  connection.connect();
}

function enterBooth() {
  const session = state.session;
  const language = languageName(state.me.targetLanguage);
  document.title = `${state.me.name} · ${session.title} — Dragoman interpreter`;
  $("#top-title").textContent = session.title;
  $("#booth-title").textContent = session.title;
  $("#booth-subtitle").textContent = t("interpret.subtitle", { name: state.me.name, from: languageName(session.sourceLanguage), into: language });
  $("#caption-log").lang = session.sourceLanguage;
  showView("booth-view");
}

function languageName(code) {
  const language = state.session.languages?.find((entry) => entry.code === code);
  return language?.nativeName || language?.name || code;
}

// ---------- connection ----------

/** The connect was refused (or the network failed): the HTTP API says whether the session is there. */
async function refused() {
  const refusal = state.refusal;
  state.refusal = null;
  let session;
  try {
    session = await api(`/v1/sessions/${encodeURIComponent(sessionId)}`);
  } catch (failure) {
    if (failure instanceof ApiError && failure.status === 404) showError(t("session.notFound"), t("interpret.noSuchAnyMore", { code: sessionWords(sessionId) }));
    else connection.retry();
    return;
  }
  if (session.status === "ended") {
    sessionEnded();
    return;
  }
  state.refusals += 1;
  if (refusal || !state.me || state.refusals >= REFUSALS_BEFORE_GIVING_UP) {
    showError(
      t("interpret.linkBroken"),
      refusal ?? t("interpret.refused"),
    );
    return;
  }
  captions.clearPartials();
  renderConnection();
  connection.retry();
}

function send(message) {
  return connection.send(message);
}

function handlers() {
  const broadcast = (message) => updateBroadcast(message.broadcastState);
  const speaker = (message) => {
    state.speakerAway = message.type === "speakerDisconnected";
    updateBroadcast(message.broadcastState);
  };
  const muted = (message) => {
    state.muted = message.muted === true;
    renderAir();
  };
  return {
    interpreterJoined(message) {
      const first = !state.me;
      state.me = message;
      connection.joined();
      state.refusals = 0;
      state.speakerAway = false;
      state.muted = message.muted === true;
      // Unmuted at connect is the last to take the air: a person on the air is this one.
      showVoice(message, message.onAir ?? (message.voice === "interpreter" && !state.muted));
      updateBroadcast(message.broadcastState);
      if (first) enterBooth();
      renderConnection();
    },
    interpreterMuted: muted,
    interpreterUnmuted: muted,
    voiceChanged(message) {
      if (message.targetLanguage === state.me?.targetLanguage) showVoice(message, message.interpreterId === state.me.interpreterId);
    },
    transcript: (message) => captions.show(message),
    ...onBroadcastChange(broadcast),
    speakerDisconnected: speaker,
    speakerReconnected: speaker,
    sessionEnded,
    error(message) {
      if (message.code === "UNAUTHORIZED") {
        showError(
          t("interpret.revoked"),
          t("interpret.revokedText"),
        );
      } else if (!connection.isJoined) {
        state.refusal = message.message ?? message.code;
      } else {
        showNotice(message.message ?? message.code);
      }
    },
  };
}

function sessionEnded() {
  if (!state.me) {
    showError(t("session.ended"), t("session.over", { title: state.session.title }));
    return;
  }
  finish();
  state.ended = true;
  captions.clearPartials();
  $("#ended-banner").hidden = false;
  for (const id of ["#mic-card", "#hear-card", "#broadcast-pill"]) $(id).hidden = true;
  renderConnection();
}

/** A passing problem: shown for a while, then cleared. */
function showNotice(text) {
  const notice = $("#booth-notice");
  notice.textContent = text;
  setTimeout(() => {
    if (notice.textContent === text) renderBroadcast();
  }, 15_000);
}

// ---------- state shown ----------

function renderConnection() {
  let [text, tone, key] = ["interpret.connected", "live", "connected"];
  if (state.ended) [text, tone, key] = ["interpret.sessionEnded", "bad", "ended"];
  else if (!connection.isJoined) [text, tone, key] = ["interpret.reconnecting", "bad", "reconnecting"];
  setPill($("#connection-pill"), t(text), tone, key);
  renderAir();
}

function updateBroadcast(broadcastState) {
  if (broadcastState) state.broadcast = { ...(state.broadcast ?? {}), ...broadcastState };
  if (state.broadcast?.isPaused || state.broadcast?.isMuted) captions.clearPartials();
  renderBroadcast();
}

function renderBroadcast() {
  const b = state.broadcast;
  let [text, tone, key, notice] = [t("interpret.broadcastLive"), "live", "live", ""];
  if (!b) [text, tone, key] = ["—", "", "unknown"];
  else if (state.speakerAway) [text, tone, key, notice] = [t("status.speakerAway"), "warn", "speaker-away", t("status.speakerAwayNotice")];
  else if (b.isPaused) [text, tone, key, notice] = [t("interpret.broadcastPaused"), "warn", "paused", t("interpret.pausedNotice")];
  else if (b.isMuted) [text, tone, key, notice] = [t("interpret.broadcastMuted"), "warn", "muted", t("interpret.mutedNotice")];
  else if (b.isActive === false) [text, tone, key, notice] = [t("status.waiting"), "warn", "waiting", t("status.waitingNotice")];
  setPill($("#broadcast-pill"), text, tone, key);
  $("#booth-notice").textContent = notice;
}

function showVoice(message, self) {
  state.voice = { voice: message.voice ?? "machine", interpreter: message.interpreter ?? null, self };
  renderAir();
}

/** The air switch says what this interpreter chose; the line under it, who listeners hear. */
function renderAir() {
  const voice = state.voice;
  let [key, stateText, action] = ["off", t("interpret.offTheAir"), t("interpret.goOn")];
  if (!state.muted) {
    if (voice.self) [key, stateText, action] = ["on", t("interpret.onTheAir"), t("interpret.goOff")];
    else if (voice.voice === "interpreter") [key, stateText, action] = ["overridden", t("interpret.tookOver", { name: voice.interpreter }), t("interpret.goOff")];
    else [key, stateText, action] = ["pending", t("interpret.goingOn"), t("interpret.goOff")];
  }
  const button = $("#air-button");
  button.dataset.state = key;
  button.disabled = state.finished || !state.me;
  $("#air-state").textContent = stateText;
  $("#air-action").textContent = action;

  const now = $("#on-air-now");
  if (voice.self) {
    now.dataset.voice = "self";
    now.textContent = t("interpret.youAreOn");
  } else if (voice.voice === "interpreter") {
    now.dataset.voice = "interpreter";
    now.textContent = t("interpret.otherIsOn", { name: voice.interpreter });
  } else {
    now.dataset.voice = "machine";
    now.textContent = t("interpret.machineOn");
  }
}

// ---------- on and off the air ----------

$("#air-button").addEventListener("click", async () => {
  $("#air-error").textContent = "";
  if (state.muted && !microphone.isOn && !(await startMicrophone())) return;
  setMuted(!state.muted);
});

/** Sent now when connected; otherwise the next connection carries it. */
function setMuted(muted) {
  state.muted = muted;
  send({ action: muted ? "muteInterpreter" : "unmuteInterpreter" });
  renderAir();
}

function sendAudio(buffer) {
  const b = state.broadcast;
  if (state.muted || !connection.isJoined || b?.isPaused || b?.isMuted) return;
  if (!sendFrame(connection.socket, buffer)) return;
  state.framesSent += 1;
  if (state.framesSent % 10 === 0) $("#air-button").dataset.framesSent = String(state.framesSent);
}

// ---------- microphone ----------

async function startMicrophone() {
  $("#mic-error").textContent = "";
  try {
    await microphone.start($("#device-select").value);
  } catch (failure) {
    $("#mic-error").textContent = microphoneFailureText(failure);
    $("#air-error").textContent = t("interpret.noMic");
    renderMicrophone();
    return false;
  }
  renderMicrophone();
  listInputs($("#device-select"));
  return true;
}

$("#mic-button").addEventListener("click", () => {
  if (!microphone.isOn) {
    startMicrophone();
    return;
  }
  microphone.stop();
  // A silent interpreter on the air would leave the listeners with nothing.
  if (!state.muted) setMuted(true);
  renderMicrophone();
});

$("#device-select").addEventListener("change", () => {
  if (microphone.isOn) startMicrophone();
});

navigator.mediaDevices?.addEventListener?.("devicechange", () => listInputs($("#device-select")));

function microphoneEnded() {
  $("#mic-error").textContent = t("interpret.micStopped");
  if (!state.muted) setMuted(true);
  renderMicrophone();
}

function renderMicrophone() {
  const button = $("#mic-button");
  button.textContent = t(microphone.isOn ? "interpret.stopMic" : "interpret.startMic");
  button.dataset.state = microphone.isOn ? "on" : "off";
}
