// The interpreter page, /interpret/{sessionId}#token=…: one person's booth for interpreting a
// session into one language (docs/protocol.md, "Interpreters"). It connects off the air; on the
// air, its microphone replaces the machine's voice for the listeners of that language.
import { $, api, ApiError, Connection, normalizeSessionId, sessionWords, setPill, setUpThemeToggle, socketURL } from "../common.js";
import { CaptionView } from "../captions.js";
import { Microphone } from "../microphone.js";
import { levelMeter, listInputs, microphoneFailureText, sendFrame } from "../microphone-controls.js";
import { FloorHearing } from "./floor-hearing.js";
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

setUpThemeToggle($("#theme-toggle"));
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
  if (!sessionId || !token) {
    showError("This link is incomplete", "An interpreter link names a session and carries a token after “#”. Ask the organizer to send it again.");
    return;
  }
  try {
    state.session = await api(`/v1/sessions/${encodeURIComponent(sessionId)}`);
  } catch (failure) {
    if (failure instanceof ApiError && failure.status === 404) showError("Session not found", `There is no session “${sessionWords(sessionId)}”.`);
    else showError("Cannot load the session", failure.message);
    return;
  }
  if (state.session.status === "ended") {
    showError("This session has ended", `“${state.session.title}” is over.`);
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
  $("#booth-subtitle").textContent = `${state.me.name}, interpreting from ${languageName(session.sourceLanguage)} into ${language}`;
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
    if (failure instanceof ApiError && failure.status === 404) showError("Session not found", `There is no session “${sessionWords(sessionId)}” any more.`);
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
      "This interpreter link does not work",
      refusal ?? "It may have been revoked, or be the link of another session. Ask the organizer for a new one.",
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
    broadcastPaused: broadcast,
    broadcastResumed: broadcast,
    broadcastMuted: broadcast,
    broadcastUnmuted: broadcast,
    volumeChanged: broadcast,
    speakerStateChanged: broadcast,
    speakerDisconnected: speaker,
    speakerReconnected: speaker,
    sessionEnded,
    error(message) {
      if (message.code === "UNAUTHORIZED") {
        showError(
          "Your interpreter link was revoked",
          "The organizer revoked this link: you are off the air and disconnected. Ask them for a new link if this is a mistake.",
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
    showError("This session has ended", `“${state.session.title}” is over.`);
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
  let [text, tone, key] = ["Connected", "live", "connected"];
  if (state.ended) [text, tone, key] = ["Session ended", "bad", "ended"];
  else if (!connection.isJoined) [text, tone, key] = ["Reconnecting…", "bad", "reconnecting"];
  setPill($("#connection-pill"), text, tone, key);
  renderAir();
}

function updateBroadcast(broadcastState) {
  if (broadcastState) state.broadcast = { ...(state.broadcast ?? {}), ...broadcastState };
  if (state.broadcast?.isPaused || state.broadcast?.isMuted) captions.clearPartials();
  renderBroadcast();
}

function renderBroadcast() {
  const b = state.broadcast;
  let [text, tone, key, notice] = ["Broadcast live", "live", "live", ""];
  if (!b) [text, tone, key] = ["—", "", "unknown"];
  else if (state.speakerAway) [text, tone, key, notice] = ["Speaker offline", "warn", "speaker-away", "The speaker lost their connection. Waiting for them to come back…"];
  else if (b.isPaused) [text, tone, key, notice] = ["Broadcast paused", "warn", "paused", "The speaker paused the broadcast: nobody is heard, you neither."];
  else if (b.isMuted) [text, tone, key, notice] = ["Broadcast muted", "warn", "muted", "The speaker muted the broadcast: nobody is heard, you neither."];
  else if (b.isActive === false) [text, tone, key, notice] = ["Waiting", "warn", "waiting", "Waiting for the speaker to start."];
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
  let [key, stateText, action] = ["off", "Off the air", "Go on the air"];
  if (!state.muted) {
    if (voice.self) [key, stateText, action] = ["on", "On the air", "Go off the air"];
    else if (voice.voice === "interpreter") [key, stateText, action] = ["overridden", `${voice.interpreter} took over`, "Go off the air"];
    else [key, stateText, action] = ["pending", "Going on the air…", "Go off the air"];
  }
  const button = $("#air-button");
  button.dataset.state = key;
  button.disabled = state.finished || !state.me;
  $("#air-state").textContent = stateText;
  $("#air-action").textContent = action;

  const now = $("#on-air-now");
  if (voice.self) {
    now.dataset.voice = "self";
    now.textContent = "You are on the air";
  } else if (voice.voice === "interpreter") {
    now.dataset.voice = "interpreter";
    now.textContent = `${voice.interpreter} is on the air`;
  } else {
    now.dataset.voice = "machine";
    now.textContent = "Machine voice: listeners hear the machine's translation";
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
    $("#air-error").textContent = "You cannot go on the air without a microphone.";
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
  $("#mic-error").textContent = "The microphone stopped (unplugged, or its permission was withdrawn).";
  if (!state.muted) setMuted(true);
  renderMicrophone();
}

function renderMicrophone() {
  const button = $("#mic-button");
  button.textContent = microphone.isOn ? "Stop microphone" : "Start microphone";
  button.dataset.state = microphone.isOn ? "on" : "off";
}

renderMicrophone();
