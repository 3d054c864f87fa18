// The listener page, /s/{sessionId}: pick a language, tap once, read captions and hear speech.
import { $, api, ApiError, el, normalizeSessionId, sessionWords, setPill, setUpThemeToggle, store } from "../common.js";
import { CaptionView } from "../captions.js";
import { ListenerStream } from "../listener-stream.js";
import { BehindMeter } from "./behind.js";
import { CatchUp } from "./catch-up.js";
import { setUpCaptionSize } from "./caption-size.js";
import { announceMedia, KeepAwake, showMediaPaused } from "./keep-awake.js";
import { shareLink } from "./share.js";
import { liveStatus } from "./status.js";
import { pageLanguage, phoneLanguages, t, usePageLanguage } from "../strings.js";

const sessionId = normalizeSessionId(decodeURIComponent(location.pathname.split("/")[2] ?? ""));
const views = ["loading-view", "error-view", "join-view", "live-view"];

/** What the page shows about the connection; the stream holds the rest. */
const shown = {
  session: null,
  languages: [],
  connection: "connecting",
  quiet: false,
  speakerAway: false,
  broadcast: { isActive: true, isPaused: false, isMuted: false },
  playbackPaused: false,
};

const captions = new CaptionView({
  scroller: $("#captions"),
  log: $("#caption-log"),
  provisional: $("#caption-provisional"),
  jumpButton: $("#jump-latest"),
  placeholder: $("#caption-placeholder"),
});
let catchUp = null;

const stream = new ListenerStream({
  sessionId,
  on: {
    joined(message, rejoined) {
      shown.connection = "open";
      shown.speakerAway = false;
      updateBroadcast(message.broadcastState);
      if (!rejoined) enterLiveView();
      if (shown.playbackPaused) stream.send({ action: "pausePlayback" });
      renderStatus();
      // The server replays what was missed when it still holds it; else the transcript fills the gap.
      const language = stream.language;
      const isCurrent = () => language === stream.language;
      if (rejoined && message.recovered !== true) catchUp.fill(language, isCurrent);
      else if (!rejoined) catchUp.showRecent(language, isCurrent);
    },
    transcript: (message) => captions.show(message),
    broadcast(message) {
      if (message.type === "speakerDisconnected") shown.speakerAway = true;
      if (message.type === "speakerReconnected") shown.speakerAway = false;
      updateBroadcast(message.broadcastState);
      if (shown.speakerAway || shown.broadcast.isPaused || shown.broadcast.isMuted) captions.clearPartials();
      renderStatus();
    },
    voice: renderVoice,
    languageChanged: (message) => showLanguage(message.targetLanguage ?? stream.language),
    playback: (paused) => {
      shown.playbackPaused = paused;
      showMediaPaused(paused);
      renderPlaybackButton();
    },
    ended: sessionEnded,
    refused: joinFailed,
    dropped() {
      shown.connection = "reconnecting";
      captions.clearPartials();
      renderStatus();
    },
    quiet(quiet) {
      shown.quiet = quiet;
      renderStatus();
    },
    error(message) {
      if (message.code === "UNSUPPORTED_LANGUAGE" && message.action === "changeLanguage") {
        $("#language-select").value = stream.language;
        $("#live-notice").textContent = t("listen.unsupportedLanguage");
      }
    },
    speech: renderAudioStats,
    published: (at) => behind.arrived(at),
  },
});
stream.player.onchange = renderAudioStats;
const behind = new BehindMeter(stream.player);
const keepAwake = new KeepAwake();

const renderTheme = setUpThemeToggle($("#theme-toggle"), (dark) => t(dark ? "theme.light" : "theme.dark"));
setUpCaptionSize();
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

/**
 * Shows the page in the listener's language: the one picked to listen in, else the phone's, when
 * the page is written in it.
 */
async function showPageIn(picked) {
  await usePageLanguage(pageLanguage([picked, ...phoneLanguages()]));
  renderTheme();
  renderStatus();
  renderPlaybackButton();
  renderVoice();
  renderBehind();
  if (!$("#start-button").disabled) $("#start-button").textContent = t("listen.start");
}

async function load() {
  await showPageIn(null);
  if (!sessionId) {
    showError(t("session.noCode"), t("session.noCodeText"));
    return;
  }
  let session;
  try {
    session = await api(`/v1/sessions/${encodeURIComponent(sessionId)}`);
  } catch (failure) {
    if (failure instanceof ApiError && failure.status === 404) {
      showError(t("session.notFound"), t("session.noSuch", { code: sessionWords(sessionId) }));
    } else {
      showError(t("session.cannotLoad"), failure.message);
    }
    return;
  }
  shown.session = session;
  shown.languages = session.languages ?? [];
  catchUp = new CatchUp({ sessionId, sourceLanguage: session.sourceLanguage, captions });
  document.title = `${session.title} — Dragoman`;
  $("#top-title").textContent = session.title;
  $("#session-title").textContent = session.title;
  $("#live-title").textContent = session.title;
  $("#live-code").textContent = sessionWords(session.sessionId);
  // Who speaks, when the speaker gave a name (older servers send none).
  for (const id of ["#session-speaker", "#live-speaker"]) {
    $(id).textContent = session.speakerName ?? "";
    $(id).hidden = !session.speakerName;
  }
  $("#session-words").textContent = sessionWords(session.sessionId);
  await showPageIn(preferredLanguage());
  if (session.status === "ended") {
    showError(t("session.ended"), t("session.over", { title: session.title }));
    const link = catchUp.link(preferredLanguage(), "txt");
    $("#error-text").append(" ", el("a", { href: link, text: t("listen.downloadItsTranscript") }), ".");
    return;
  }
  renderLanguageChoices();
  $("#passcode-field").hidden = !session.passcodeRequired;
  showView("join-view");
  $("#join-form").addEventListener("submit", startListening);
}

function preferredLanguage() {
  const codes = shown.languages.map((language) => language.code);
  const fromURL = new URLSearchParams(location.search).get("lang");
  const candidates = [fromURL, store.get("language"), ...(navigator.languages ?? [navigator.language])]
    .filter(Boolean)
    .map((tag) => tag.toLowerCase());
  for (const tag of candidates) {
    if (codes.includes(tag)) return tag;
    const base = tag.split("-")[0];
    if (codes.includes(base)) return base;
  }
  return shown.session?.sourceLanguage ?? codes[0];
}

function renderLanguageChoices() {
  const list = $("#language-list");
  const chosen = preferredLanguage();
  for (const language of shown.languages) {
    const input = el("input", { type: "radio", name: "language", value: language.code, checked: language.code === chosen });
    const option = el(
      "label",
      { class: "language-option", lang: language.code },
      input,
      el("span", { class: "native", text: language.nativeName || language.name }),
      language.code === shown.session.sourceLanguage
        ? el("span", { class: "english", "data-i18n": "listen.original", text: t("listen.original") })
        : language.name && language.name !== language.nativeName
          ? el("span", { class: "english", lang: "en", text: language.name })
          : null,
    );
    list.append(option);
  }
  const select = $("#language-select");
  for (const language of shown.languages) {
    select.append(el("option", { value: language.code, lang: language.code, text: language.nativeName || language.name }));
  }
  select.addEventListener("change", () => {
    if (!stream.changeLanguage(select.value)) showLanguage(select.value);
  });
  // The page speaks the language picked, from the first tap on it.
  list.addEventListener("change", () => showPageIn($("#join-form").elements.language.value));
}

async function startListening(event) {
  event.preventDefault();
  const language = $("#join-form").elements.language?.value || preferredLanguage();
  const error = $("#join-error");
  error.textContent = "";
  const passcode = $("#passcode").value;
  if (shown.session.passcodeRequired && !passcode) {
    error.textContent = t("listen.typePasscode");
    $("#passcode").focus();
    return;
  }
  store.set("language", language);
  catchUp.passcode = passcode;
  $("#start-button").disabled = true;
  $("#start-button").textContent = t("listen.connecting");
  const captionsOnly = !$("#want-audio").checked;
  try {
    // Inside the tap, as mobile browsers require for sound.
    await stream.start({ language, passcode, captionsOnly });
  } catch {
    await stream.start({ language, passcode, captionsOnly: true });
  }
  renderAudioStats();
}

/** The upgrade was refused, or the server refused the join after it: the HTTP API says why. */
async function joinFailed(refusal) {
  const button = $("#start-button");
  button.disabled = false;
  button.textContent = t("listen.start");
  const error = $("#join-error");
  try {
    const session = await api(`/v1/sessions/${encodeURIComponent(sessionId)}`);
    if (session.status === "ended") {
      sessionEnded();
      return;
    }
    // Refused after the upgrade (the session is full, say): the server said why.
    if (refusal) {
      error.textContent = t("listen.refused", { reason: refusal });
      return;
    }
    error.textContent = session.passcodeRequired ? t("listen.checkPasscode") : t("listen.tryAgain");
  } catch (failure) {
    error.textContent = failure instanceof ApiError && failure.status === 404 ? t("listen.gone") : failure.message;
  }
}

function updateBroadcast(broadcastState) {
  if (!broadcastState) return;
  shown.broadcast = { ...shown.broadcast, ...broadcastState };
  if (broadcastState.isActive === true) shown.speakerAway = false;
}

function enterLiveView() {
  showView("live-view");
  $("#language-select").value = stream.language;
  $("#caption-log").lang = stream.language;
  renderPlaybackButton();
  $("#captions").focus({ preventScroll: true });
  keepAwake.acquire();
  const language = shown.languages.find((entry) => entry.code === stream.language);
  announceMedia({
    title: shown.session.title,
    language: language?.nativeName ?? stream.language,
    onPlay: () => stream.setPlaybackPaused(false, { tellServer: true }),
    onPause: () => stream.setPlaybackPaused(true, { tellServer: true }),
  });
  setInterval(renderBehind, 1000);
}

function sessionEnded() {
  shown.connection = "ended";
  captions.clearPartials();
  keepAwake.release();
  if (!stream.connection.everJoined) {
    showError(t("session.ended"), t("session.over", { title: shown.session?.title ?? sessionWords(sessionId) }));
    return;
  }
  renderStatus();
  $("#playback-button").disabled = true;
  $("#language-select").disabled = true;
  const link = $("#transcript-link");
  link.href = catchUp.link(stream.language, "txt");
  link.setAttribute("download", `${sessionId}-${stream.language}.txt`);
  link.hidden = false;
}

function renderStatus() {
  const status = liveStatus(shown);
  setPill($("#live-pill"), status.pill, status.tone, status.key);
  const notice = $("#live-notice");
  if (notice.textContent !== status.notice) notice.textContent = status.notice;
}

// ---------- whose voice ----------

function renderVoice() {
  const tag = $("#voice-indicator");
  const voice = stream.voice;
  tag.hidden = !voice || stream.captionsOnly;
  if (!voice) return;
  const floor = voice.voice === "floor" || stream.language === shown.session.sourceLanguage;
  tag.dataset.voice = floor ? "floor" : voice.voice;
  tag.textContent = floor ? t("voice.floor") : voice.voice === "interpreter" ? t("voice.interpreter", { name: voice.interpreter }) : t("voice.machine");
}

// ---------- language ----------

function showLanguage(code) {
  store.set("language", code);
  showPageIn(code);
  captions.clearPartials();
  const language = shown.languages.find((entry) => entry.code === code);
  captions.divider(`${language?.nativeName ?? code}`);
  $("#caption-log").lang = code;
  $("#language-select").value = code;
}

// ---------- playback ----------

$("#playback-button").addEventListener("click", async () => {
  if (stream.captionsOnly) {
    // Joined for captions only: start sound (inside this tap) and connect again with audio.
    try {
      await stream.setCaptionsOnly(false);
    } catch {
      return;
    }
    shown.playbackPaused = false;
    renderPlaybackButton();
    renderVoice();
    return;
  }
  await stream.player.resumeContext();
  // Stops at once; the server's answer confirms it.
  stream.setPlaybackPaused(!shown.playbackPaused, { tellServer: true });
});

function renderPlaybackButton() {
  const button = $("#playback-button");
  if (stream.captionsOnly) {
    button.textContent = t("listen.play");
    button.setAttribute("aria-label", t("listen.playLabel"));
    button.classList.remove("active");
    return;
  }
  button.textContent = t(shown.playbackPaused ? "listen.resume" : "listen.pause");
  button.setAttribute("aria-label", t(shown.playbackPaused ? "listen.resumeLabel" : "listen.pauseLabel"));
  button.classList.toggle("active", shown.playbackPaused);
}

// ---------- behind live ----------

function renderBehind() {
  const seconds = shown.connection === "open" ? behind.seconds : 0;
  const button = $("#behind-button");
  button.dataset.seconds = String(seconds);
  button.hidden = seconds === 0;
  if (seconds > 0) button.textContent = t("listen.behind", { seconds });
}

$("#behind-button").addEventListener("click", () => {
  behind.jump();
  captions.scrollToEnd();
  renderBehind();
});

// ---------- volume, share ----------

const volumeInput = $("#volume-input");
volumeInput.value = store.get("volume") ?? "100";
stream.player.setVolume(Number(volumeInput.value) / 100);
volumeInput.addEventListener("input", () => {
  stream.player.setVolume(Number(volumeInput.value) / 100);
  store.set("volume", volumeInput.value);
});

$("#share-button").addEventListener("click", async () => {
  const said = await shareLink({
    title: shown.session.title,
    url: `${location.origin}/s/${sessionId}`,
    copied: t("listen.copied"),
    failed: t("listen.theLink", { url: `${location.origin}/s/${sessionId}` }),
  });
  if (said) $("#live-notice").textContent = said;
});

/** What arrived, for tests and diagnosis: data attributes only, nothing a listener has to read. */
function renderAudioStats() {
  const player = stream.player;
  const stats = $("#audio-stats");
  stats.dataset.format = stream.format;
  stats.dataset.chunks = String(player.receivedChunks);
  stats.dataset.seconds = player.receivedSeconds.toFixed(2);
  stats.dataset.scheduled = player.scheduledSeconds.toFixed(2);
  for (const [voice, chunks] of stream.chunksByVoice) stats.dataset[`${voice}Chunks`] = String(chunks);
}
