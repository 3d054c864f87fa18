// The listener page, /s/{sessionId}: pick a language, tap once, read captions and hear speech.
import { $, api, ApiError, el, Heartbeat, normalizeSessionId, sessionWords, parseMessage, sendJSON, setPill, setUpThemeToggle, socketURL, store, discardSocket } from "./common.js";
import { CaptionView } from "./captions.js";
import { PcmPlayer } from "./player.js";
import { OpusSpeech, opusDecodingSupported } from "./opus.js";

const CAPTION_SIZES = [1.1, 1.3, 1.6, 2, 2.5, 3.2];
const RECONNECT_DELAYS = [0.5, 1, 2, 4, 8, 15];

const sessionId = normalizeSessionId(decodeURIComponent(location.pathname.split("/")[2] ?? ""));
const views = ["loading-view", "error-view", "join-view", "live-view"];

const state = {
  session: null,
  languages: [],
  language: null,
  passcode: "",
  captionsOnly: false,
  socket: null,
  joined: false,
  ended: false,
  attempt: 0,
  reconnectTimer: null,
  /** Why the server refused the join, when it said so after the upgrade. */
  refusal: null,
  broadcast: { isActive: true, isPaused: false, isMuted: false },
  speakerAway: false,
  connection: "connecting",
  playbackPaused: false,
  /** Highest segment stored before this listener joined: catch-up fills in only after it. */
  baseline: 0,
  /** "opus" where the browser decodes it (WebCodecs), else "pcm". */
  audioFormat: "pcm",
  opus: null,
  /** The language stream's epoch and the last sequence received, to resume after a drop. */
  stream: { epoch: null, sequence: 0 },
  /** Whose voice the language has now, `{ voice, interpreter }`; null until the server says. */
  voice: null,
  /** Speech chunks received, by whose voice they were (`machine`, `interpreter`, `floor`). */
  chunksByVoice: new Map(),
};
const opusSupport = opusDecodingSupported();

const player = new PcmPlayer();
const heartbeat = new Heartbeat({
  send,
  onSilence: () => {
    discardSocket(state);
    scheduleReconnect();
  },
});
const captions = new CaptionView({
  scroller: $("#captions"),
  log: $("#caption-log"),
  provisional: $("#caption-provisional"),
  jumpButton: $("#jump-latest"),
  placeholder: $("#caption-placeholder"),
});

setUpThemeToggle($("#theme-toggle"));
setUpCaptionSize();
player.onchange = renderAudioStats;
renderAudioStats();
load();

// ---------- views ----------

function showView(id) {
  for (const view of views) $(`#${view}`).hidden = view !== id;
}

function showError(title, text) {
  $("#error-title").textContent = title;
  $("#error-text").textContent = text;
  showView("error-view");
}

// ---------- joining ----------

async function load() {
  if (!sessionId) {
    showError("No session code", "This link has no session code in it.");
    return;
  }
  let session;
  try {
    session = await api(`/v1/sessions/${encodeURIComponent(sessionId)}`);
  } catch (failure) {
    if (failure instanceof ApiError && failure.status === 404) {
      showError("Session not found", `There is no session “${sessionWords(sessionId)}”. Check the code you were given.`);
    } else {
      showError("Cannot load the session", failure.message);
    }
    return;
  }
  state.session = session;
  state.languages = session.languages ?? [];
  document.title = `${session.title} — Dragoman`;
  $("#top-title").textContent = session.title;
  $("#session-title").textContent = session.title;
  $("#session-words").textContent = sessionWords(session.sessionId);
  if (session.status === "ended") {
    showError("This session has ended", `“${session.title}” is over.`);
    const link = transcriptLink(preferredLanguage(), "txt");
    $("#error-text").append(" ", el("a", { href: link, text: "Download its transcript" }), ".");
    return;
  }
  renderLanguageChoices();
  $("#passcode-field").hidden = !session.passcodeRequired;
  showView("join-view");
  $("#join-form").addEventListener("submit", startListening);
}

function preferredLanguage() {
  const codes = state.languages.map((language) => language.code);
  const fromURL = new URLSearchParams(location.search).get("lang");
  const candidates = [fromURL, store.get("language"), ...(navigator.languages ?? [navigator.language])]
    .filter(Boolean)
    .map((tag) => tag.toLowerCase());
  for (const tag of candidates) {
    if (codes.includes(tag)) return tag;
    const base = tag.split("-")[0];
    if (codes.includes(base)) return base;
  }
  return state.session?.sourceLanguage ?? codes[0];
}

function renderLanguageChoices() {
  const list = $("#language-list");
  const chosen = preferredLanguage();
  for (const language of state.languages) {
    const input = el("input", { type: "radio", name: "language", value: language.code, checked: language.code === chosen });
    const option = el(
      "label",
      { class: "language-option", lang: language.code },
      input,
      el("span", { class: "native", text: language.nativeName || language.name }),
      language.code === state.session.sourceLanguage
        ? el("span", { class: "english", lang: "en", text: "original" })
        : language.name && language.name !== language.nativeName
          ? el("span", { class: "english", lang: "en", text: language.name })
          : null,
    );
    list.append(option);
  }
  const select = $("#language-select");
  for (const language of state.languages) {
    select.append(el("option", { value: language.code, lang: language.code, text: language.nativeName || language.name }));
  }
  select.addEventListener("change", () => changeLanguage(select.value));
}

async function startListening(event) {
  event.preventDefault();
  const chosen = $("#join-form").elements.language?.value || preferredLanguage();
  const error = $("#join-error");
  error.textContent = "";
  state.passcode = $("#passcode").value;
  if (state.session.passcodeRequired && !state.passcode) {
    error.textContent = "Type the passcode first.";
    $("#passcode").focus();
    return;
  }
  state.language = chosen;
  state.captionsOnly = !$("#want-audio").checked;
  state.audioFormat = (await opusSupport) ? "opus" : "pcm";
  store.set("language", chosen);
  if (!state.captionsOnly) {
    // Inside the tap, as mobile browsers require for sound.
    try {
      await player.start();
    } catch {
      state.captionsOnly = true;
    }
  }
  $("#start-button").disabled = true;
  $("#start-button").textContent = "Connecting…";
  connect(false);
}

// ---------- connection ----------

function connect(refresh) {
  clearTimeout(state.reconnectTimer);
  const parameters = {
    action: refresh ? "refreshConnection" : "joinSession",
    sessionId,
    targetLanguage: state.language,
    passcode: state.passcode || undefined,
    captionsOnly: state.captionsOnly ? "true" : undefined,
    audioFormat: state.captionsOnly ? undefined : state.audioFormat,
  };
  if (refresh) {
    parameters.role = "listener";
    if (state.stream.epoch) Object.assign(parameters, { epoch: state.stream.epoch, since: String(state.stream.sequence) });
  }
  state.opus?.close();
  state.opus = new OpusSpeech(player);
  const socket = new WebSocket(socketURL(parameters));
  socket.binaryType = "arraybuffer";
  state.socket = socket;
  socket.onmessage = (event) => {
    if (state.socket !== socket) return;
    heartbeat.heard();
    if (event.data instanceof ArrayBuffer) {
      playOpus(event.data);
      return;
    }
    const message = parseMessage(event.data);
    if (message) handle(message);
  };
  socket.onclose = () => {
    if (state.socket !== socket) return;
    state.socket = null;
    heartbeat.stop();
    if (state.ended) return;
    if (!state.joined) {
      joinFailed();
      return;
    }
    scheduleReconnect();
  };
}

async function joinFailed() {
  // The upgrade was refused; the HTTP API says why.
  const button = $("#start-button");
  button.disabled = false;
  button.textContent = "Start listening";
  const error = $("#join-error");
  const refusal = state.refusal;
  state.refusal = null;
  try {
    const session = await api(`/v1/sessions/${encodeURIComponent(sessionId)}`);
    if (session.status === "ended") {
      sessionEnded();
      return;
    }
    // Refused after the upgrade (the session is full, say): the server said why.
    if (refusal) {
      error.textContent = `Could not join: ${refusal}`;
      return;
    }
    error.textContent = session.passcodeRequired
      ? "Could not join: check the passcode and try again."
      : "Could not join the session. Try again in a moment.";
  } catch (failure) {
    error.textContent = failure instanceof ApiError && failure.status === 404 ? "This session no longer exists." : failure.message;
  }
}

function scheduleReconnect() {
  state.connection = "reconnecting";
  captions.clearPartials();
  player.stop();
  renderStatus();
  const delay = RECONNECT_DELAYS[Math.min(state.attempt, RECONNECT_DELAYS.length - 1)];
  state.attempt += 1;
  state.reconnectTimer = setTimeout(async () => {
    // Every few tries, ask whether the session is still there at all.
    if (state.attempt % 3 === 0) {
      try {
        const session = await api(`/v1/sessions/${encodeURIComponent(sessionId)}`);
        if (session.status === "ended") return sessionEnded();
      } catch (failure) {
        if (failure instanceof ApiError && failure.status === 404) return sessionEnded();
      }
    }
    connect(true);
  }, delay * 1000 * (0.8 + Math.random() * 0.4));
}

window.addEventListener("online", () => {
  if (state.joined && !state.ended && !state.socket) connect(true);
});

function send(message) {
  return sendJSON(state.socket, message);
}

// ---------- messages ----------

function handle(message) {
  switch (message.type) {
    case "sessionJoined":
    case "connectionRefreshComplete": {
      const rejoined = state.joined;
      state.joined = true;
      state.attempt = 0;
      state.connection = "open";
      state.speakerAway = false;
      if (message.targetLanguage) state.language = message.targetLanguage;
      updateBroadcast(message.broadcastState);
      showVoice(message);
      heartbeat.start();
      if (!rejoined) enterLiveView();
      if (state.playbackPaused) send({ action: "pausePlayback" });
      renderStatus();
      // The server replays what was missed when it still holds it; else the transcript fills the gap.
      if (rejoined && message.recovered !== true) catchUp();
      else if (!rejoined) recordBaseline();
      if (message.recovered !== true) state.stream.sequence = Number(message.sequence) || 0;
      state.stream.epoch = message.epoch ?? null;
      break;
    }
    case "transcript":
      if (message.targetLanguage && message.targetLanguage !== state.language) break;
      noteSequence(message.sequence);
      captions.show(message);
      break;
    case "audioData":
      if (message.targetLanguage && message.targetLanguage !== state.language) break;
      noteSequence(message.sequence);
      countChunk(message.voice ?? (message.floor ? "floor" : "machine"));
      player.enqueue(message);
      break;
    case "voiceChanged":
      if (message.targetLanguage !== state.language) break;
      // The machine's speech still scheduled would hold the interpreter's live voice back.
      if (message.voice === "interpreter" && state.voice?.voice !== "interpreter") player.stop();
      showVoice(message);
      break;
    case "broadcastPaused":
    case "broadcastResumed":
    case "broadcastMuted":
    case "broadcastUnmuted":
    case "volumeChanged":
    case "speakerStateChanged":
      updateBroadcast(message.broadcastState);
      if (state.broadcast.isPaused || state.broadcast.isMuted) captions.clearPartials();
      renderStatus();
      break;
    case "speakerDisconnected":
      state.speakerAway = true;
      updateBroadcast(message.broadcastState);
      captions.clearPartials();
      renderStatus();
      break;
    case "speakerReconnected":
      state.speakerAway = false;
      updateBroadcast(message.broadcastState);
      renderStatus();
      break;
    case "languageChanged":
      if (message.targetLanguage && message.targetLanguage !== state.language) applyLanguage(message.targetLanguage);
      state.stream = { epoch: message.epoch ?? null, sequence: Number(message.sequence) || 0 };
      showVoice(message);
      break;
    case "playbackPaused":
      setPlaybackPaused(true);
      break;
    case "playbackResumed":
      setPlaybackPaused(false);
      break;
    case "sessionEnded":
      sessionEnded();
      break;
    case "connectionRefreshRequired":
      // The server wants a fresh connection; make it now, seamlessly.
      discardSocket(state);
      connect(true);
      break;
    case "error":
      if (!state.joined) state.refusal = message.message ?? message.code;
      if (message.code === "UNSUPPORTED_LANGUAGE" && message.action === "changeLanguage") {
        $("#language-select").value = state.language;
        $("#live-notice").textContent = "That language is not available in this session.";
      }
      break;
    default:
      break;
  }
}

function updateBroadcast(broadcastState) {
  if (!broadcastState) return;
  state.broadcast = { ...state.broadcast, ...broadcastState };
  if (broadcastState.isActive === true) state.speakerAway = false;
}

function enterLiveView() {
  showView("live-view");
  $("#language-select").value = state.language;
  $("#caption-log").lang = state.language;
  renderPlaybackButton();
  $("#captions").focus({ preventScroll: true });
}

function sessionEnded() {
  state.ended = true;
  state.connection = "ended";
  clearTimeout(state.reconnectTimer);
  heartbeat.stop();
  captions.clearPartials();
  if (!state.joined) {
    showError("This session has ended", `“${state.session?.title ?? sessionWords(sessionId)}” is over.`);
    return;
  }
  renderStatus();
  $("#playback-button").disabled = true;
  $("#language-select").disabled = true;
  const link = $("#transcript-link");
  link.href = transcriptLink(state.language, "txt");
  link.setAttribute("download", `${sessionId}-${state.language}.txt`);
  link.hidden = false;
}

// ---------- status ----------

/** The one line that says what is going on, and its pill. */
function renderStatus() {
  let pill = "Live";
  let tone = "live";
  let notice = "";
  let key = "live";
  if (state.connection === "ended") {
    [pill, tone, key, notice] = ["Ended", "bad", "ended", "This session has ended. Thank you for listening."];
  } else if (state.connection === "reconnecting") {
    [pill, tone, key, notice] = ["Reconnecting", "bad", "reconnecting", "The connection dropped. Reconnecting…"];
  } else if (state.connection === "connecting") {
    [pill, tone, key] = ["Connecting", "warn", "connecting"];
  } else if (state.speakerAway) {
    [pill, tone, key, notice] = ["Speaker offline", "warn", "speaker-away", "The speaker lost their connection. Waiting for them to come back…"];
  } else if (state.broadcast.isPaused) {
    [pill, tone, key, notice] = ["Paused", "warn", "paused", "The speaker paused the broadcast."];
  } else if (state.broadcast.isMuted) {
    [pill, tone, key, notice] = ["Muted", "warn", "muted", "The speaker muted the broadcast."];
  } else if (state.broadcast.isActive === false) {
    [pill, tone, key, notice] = ["Waiting", "warn", "waiting", "Waiting for the speaker to start."];
  }
  setPill($("#live-pill"), pill, tone, key);
  const noticeElement = $("#live-notice");
  if (noticeElement.textContent !== notice) noticeElement.textContent = notice;
}

// ---------- whose voice ----------

/** Takes `voice` and `interpreter` from a message that has them (a server before interpreters has not). */
function showVoice(message) {
  if (!message.voice) return;
  state.voice = { voice: message.voice, interpreter: message.interpreter ?? null };
  renderVoice();
}

function renderVoice() {
  const tag = $("#voice-indicator");
  const voice = state.voice;
  tag.hidden = !voice || state.captionsOnly;
  if (!voice) return;
  const floor = voice.voice === "floor" || state.language === state.session.sourceLanguage;
  tag.dataset.voice = floor ? "floor" : voice.voice;
  tag.textContent = floor ? "Speaker's own voice" : voice.voice === "interpreter" ? `Interpreter: ${voice.interpreter}` : "Machine voice";
}

// ---------- language ----------

function changeLanguage(code) {
  if (code === state.language) return;
  if (!send({ action: "changeLanguage", targetLanguage: code })) {
    // Not connected: the next connection asks for it.
    applyLanguage(code);
  }
}

function applyLanguage(code) {
  state.language = code;
  store.set("language", code);
  player.stop();
  captions.clearPartials();
  const language = state.languages.find((entry) => entry.code === code);
  captions.divider(`${language?.nativeName ?? code}`);
  $("#caption-log").lang = code;
  $("#language-select").value = code;
}

// ---------- catching up ----------

function transcriptLink(language, format) {
  const query = new URLSearchParams({ language, format });
  if (state.passcode) query.set("passcode", state.passcode);
  return `/v1/sessions/${encodeURIComponent(sessionId)}/transcript?${query}`;
}

async function fetchTranscript(language = state.language) {
  const data = await api(transcriptLink(language, "json"));
  const segments = Array.isArray(data) ? data : (data?.segments ?? []);
  return segments.map((segment) => ({ id: Number(segment.segmentId ?? segment.index), text: segment.text ?? "" }));
}

/** Remembers where the stored transcript stood at join, so a catch-up adds only what was missed. */
async function recordBaseline() {
  try {
    const segments = await fetchTranscript(state.session.sourceLanguage);
    state.baseline = segments.reduce((highest, segment) => Math.max(highest, segment.id), 0);
  } catch {
    state.baseline = 0;
  }
}

/**
 * After a reconnect: the final captions said while the connection was down, in this language.
 * A segment nobody was listening to in this language was not translated; it is shown in the
 * speaker's language, marked as such, rather than left out.
 */
async function catchUp() {
  const language = state.language;
  const source = state.session.sourceLanguage;
  let translated;
  let original = [];
  try {
    translated = await fetchTranscript(language);
    if (language !== source) original = await fetchTranscript(source);
  } catch {
    return;
  }
  if (language !== state.language) return;
  const texts = new Map(translated.map((segment) => [segment.id, segment.text]));
  for (const segment of original) {
    if (!texts.has(segment.id)) texts.set(segment.id, null);
  }
  const missed = [...texts.keys()].filter((id) => id > state.baseline && !captions.has(id)).sort((a, b) => a - b);
  for (const id of missed) {
    const text = texts.get(id);
    if (text !== null) captions.addFinal(id, text, language);
    else captions.addFinal(id, original.find((segment) => segment.id === id).text, source, { untranslated: true });
  }
}

// ---------- playback ----------

$("#playback-button").addEventListener("click", async () => {
  if (state.captionsOnly) {
    // Joined for captions only: start sound (inside this tap) and connect again with audio.
    try {
      await player.start();
    } catch {
      return;
    }
    state.captionsOnly = false;
    state.playbackPaused = false;
    renderPlaybackButton();
    discardSocket(state);
    connect(true);
    return;
  }
  await player.resumeContext();
  const pausing = !state.playbackPaused;
  // Stop at once; the server's answer confirms it.
  setPlaybackPaused(pausing);
  send({ action: pausing ? "pausePlayback" : "resumePlayback" });
});

function setPlaybackPaused(paused) {
  state.playbackPaused = paused;
  player.setMuted(paused);
  renderPlaybackButton();
}

function renderPlaybackButton() {
  const button = $("#playback-button");
  if (state.captionsOnly) {
    button.textContent = "▶ Play speech";
    button.setAttribute("aria-label", "Play speech");
    button.classList.remove("active");
    return;
  }
  button.textContent = state.playbackPaused ? "▶ Resume" : "❚❚ Pause";
  button.setAttribute("aria-label", state.playbackPaused ? "Resume audio" : "Pause audio");
  button.classList.toggle("active", state.playbackPaused);
}

function noteSequence(sequence) {
  if (Number.isFinite(sequence)) state.stream.sequence = Math.max(state.stream.sequence, sequence);
}

/** One binary frame of Opus speech. */
function playOpus(buffer) {
  const frame = state.opus.play(buffer, state.language);
  if (!frame) return;
  noteSequence(frame.sequence);
  // Opus frames do not say whose voice they are: the one the server last announced.
  countChunk(state.voice?.voice ?? "machine");
}

function countChunk(voice) {
  state.chunksByVoice.set(voice, (state.chunksByVoice.get(voice) ?? 0) + 1);
}

function renderAudioStats() {
  const stats = $("#audio-stats");
  stats.dataset.format = state.audioFormat;
  stats.dataset.chunks = String(player.receivedChunks);
  stats.dataset.seconds = player.receivedSeconds.toFixed(2);
  stats.dataset.scheduled = player.scheduledSeconds.toFixed(2);
  for (const [voice, chunks] of state.chunksByVoice) stats.dataset[`${voice}Chunks`] = String(chunks);
  stats.textContent = state.captionsOnly
    ? "Captions only"
    : `Speech received: ${player.receivedSeconds.toFixed(1)} s in ${player.receivedChunks} chunks`;
}

// ---------- caption size ----------

function setUpCaptionSize() {
  const stored = store.get("captionSize");
  let index = stored === null ? NaN : Number(stored);
  if (!Number.isInteger(index) || index < 0 || index >= CAPTION_SIZES.length) {
    index = window.matchMedia("(min-width: 48rem)").matches ? 3 : 2;
  }
  const apply = () => {
    document.documentElement.style.setProperty("--caption-size", `${CAPTION_SIZES[index]}rem`);
    // aria-disabled rather than disabled, so a keyboard user's focus stays on the button.
    $("#font-smaller").setAttribute("aria-disabled", String(index === 0));
    $("#font-larger").setAttribute("aria-disabled", String(index === CAPTION_SIZES.length - 1));
    store.set("captionSize", String(index));
  };
  $("#font-smaller").addEventListener("click", () => {
    index = Math.max(0, index - 1);
    apply();
  });
  $("#font-larger").addEventListener("click", () => {
    index = Math.min(CAPTION_SIZES.length - 1, index + 1);
    apply();
  });
  apply();
}
