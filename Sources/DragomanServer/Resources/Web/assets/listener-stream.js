// A listener's connection to one language of a session (docs/protocol.md, "Listeners"): the
// translated speech and captions of a language, or the speaker's own voice (`original`, floor
// audio). The listener page and the interpreter's "hear the speaker" both use it.
import { api, ApiError, Connection, onBroadcastChange, socketURL } from "./common.js";
import { PcmPlayer } from "./player.js";
import { OpusSpeech, opusDecodingSupported } from "./opus.js";

const opusSupport = opusDecodingSupported();

export class ListenerStream {
  /**
   * @param {object} options
   * @param {string} options.sessionId
   * @param {object} [options.on] what the page shows, each optional: `joined(message, rejoined)`,
   *   `transcript(message)`, `broadcast(message)` (pause, mute, speaker away or back), `voice(message)`,
   *   `languageChanged(message)`, `playback(paused)`, `ended()`, `refused(reason)`, `dropped()`,
   *   `quiet(isQuiet)`, `error(message)`, `speech()` (a chunk arrived), `published(unixMs)` (when the
   *   server sent what just arrived)
   */
  constructor({ sessionId, on = {} }) {
    this.sessionId = sessionId;
    this.on = on;
    this.player = new PcmPlayer();
    this.language = null;
    this.passcode = "";
    this.captionsOnly = false;
    /** "opus" where the browser decodes it (WebCodecs), else "pcm". */
    this.format = "pcm";
    this.opus = null;
    /** The language stream's epoch and the last sequence received, to resume after a drop. */
    this.stream = { epoch: null, sequence: 0 };
    /** Whose voice the language has: the last `voice` the server announced. */
    this.voice = null;
    /** Speech chunks received, by whose voice they were (`machine`, `interpreter`, `floor`). */
    this.chunksByVoice = new Map();
    /** Why the server refused the join, when it said so after the upgrade. */
    this.refusal = null;
    this.ended = false;
    this.connection = new Connection({
      url: () => this.url(),
      handlers: this.handlers(),
      onBinary: (data) => this.playOpus(data),
      onDrop: () => this.dropped(),
      onRefused: () => {
        const reason = this.refusal;
        this.refusal = null;
        if (!this.connection.everJoined) {
          this.on.refused?.(reason);
          return;
        }
        // A reconnect the server did not take (restarting, say): tried again, as a drop is.
        this.dropped();
        this.connection.retry();
      },
      onQuiet: (quiet) => this.on.quiet?.(quiet),
      // Every few tries, ask whether the session is still there at all.
      beforeRetry: async (attempt) => (attempt % 3 === 0 ? !(await this.hasEnded()) : true),
    });
  }

  /** Starts listening; call it from a tap (browsers allow sound only after one). */
  async start({ language, passcode = "", captionsOnly = false }) {
    Object.assign(this, { language, passcode, captionsOnly, ended: false, refusal: null, stream: { epoch: null, sequence: 0 } });
    // A new start joins afresh, even after an earlier listen on this page.
    this.connection.everJoined = false;
    this.format = (await opusSupport) ? "opus" : "pcm";
    if (!captionsOnly) await this.player.start();
    this.connection.connect();
  }

  /** Stops listening for good. */
  stop() {
    this.connection.close();
    this.opus?.close();
    this.player.stop();
  }

  get isJoined() {
    return this.connection.isJoined;
  }

  send(message) {
    return this.connection.send(message);
  }

  /**
   * Asks for another language: applied when the server confirms it (`languageChanged`). Returns
   * false when not connected: the language is then taken at once, and the next connect asks for it.
   */
  changeLanguage(code) {
    if (code === this.language || this.send({ action: "changeLanguage", targetLanguage: code })) return true;
    this.language = code;
    this.player.stop();
    return false;
  }

  /** Captions only → with speech (inside a tap), or back: connects again with the new choice. */
  async setCaptionsOnly(captionsOnly) {
    if (!captionsOnly) await this.player.start();
    this.captionsOnly = captionsOnly;
    this.connection.connect();
  }

  url() {
    const refresh = this.connection.everJoined;
    const parameters = {
      action: refresh ? "refreshConnection" : "joinSession",
      sessionId: this.sessionId,
      targetLanguage: this.language,
      passcode: this.passcode || undefined,
      captionsOnly: this.captionsOnly ? "true" : undefined,
      audioFormat: this.captionsOnly ? undefined : this.format,
    };
    if (refresh) {
      parameters.role = "listener";
      if (this.stream.epoch) Object.assign(parameters, { epoch: this.stream.epoch, since: String(this.stream.sequence) });
    }
    this.opus?.close();
    this.opus = new OpusSpeech(this.player);
    return socketURL(parameters);
  }

  handlers() {
    const broadcast = (message) => this.on.broadcast?.(message);
    const joined = (message) => {
      const rejoined = this.connection.everJoined;
      this.connection.joined();
      if (message.targetLanguage) this.language = message.targetLanguage;
      if (message.recovered !== true) this.stream.sequence = Number(message.sequence) || 0;
      this.stream.epoch = message.epoch ?? null;
      this.noteVoice(message);
      this.on.joined?.(message, rejoined);
    };
    return {
      sessionJoined: joined,
      connectionRefreshComplete: joined,
      transcript: (message) => {
        if (!this.isCurrent(message)) return;
        this.noteSequence(message.sequence, message.publishedAt);
        this.on.transcript?.(message);
      },
      audioData: (message) => {
        if (!this.isCurrent(message)) return;
        this.noteSequence(message.sequence, message.publishedAt);
        this.countChunk(message.voice ?? (message.floor ? "floor" : "machine"));
        this.player.enqueue(message);
      },
      voiceChanged: (message) => {
        if (message.targetLanguage !== this.language) return;
        // The machine's speech still scheduled would hold the interpreter's live voice back.
        if (message.voice === "interpreter" && this.voice?.voice !== "interpreter") this.player.stop();
        this.noteVoice(message);
      },
      ...onBroadcastChange(broadcast),
      speakerDisconnected: broadcast,
      speakerReconnected: broadcast,
      languageChanged: (message) => {
        if (message.targetLanguage && message.targetLanguage !== this.language) {
          this.language = message.targetLanguage;
          this.player.stop();
        }
        this.stream = { epoch: message.epoch ?? null, sequence: Number(message.sequence) || 0 };
        this.noteVoice(message);
        this.on.languageChanged?.(message);
      },
      playbackPaused: () => this.setPlaybackPaused(true),
      playbackResumed: () => this.setPlaybackPaused(false),
      sessionEnded: () => this.end(),
      error: (message) => {
        if (!this.isJoined) this.refusal = message.message ?? message.code;
        this.on.error?.(message);
      },
    };
  }

  /** Pauses or resumes this listener's own speech: stops at once, and tells the server. */
  setPlaybackPaused(paused, { tellServer = false } = {}) {
    this.player.setMuted(paused);
    if (tellServer) this.send({ action: paused ? "pausePlayback" : "resumePlayback" });
    this.on.playback?.(paused);
  }

  dropped() {
    this.player.stop();
    this.on.dropped?.();
  }

  end() {
    this.ended = true;
    this.stop();
    this.on.ended?.();
  }

  async hasEnded() {
    try {
      const session = await api(`/v1/sessions/${encodeURIComponent(this.sessionId)}`);
      if (session.status !== "ended") return false;
    } catch (failure) {
      if (!(failure instanceof ApiError && failure.status === 404)) return false;
    }
    this.end();
    return true;
  }

  /** A message of another language, still on its way when the language changed, is dropped. */
  isCurrent(message) {
    return !message.targetLanguage || this.language === "original" || message.targetLanguage === this.language;
  }

  noteVoice(message) {
    if (!message.voice) return;
    this.voice = { voice: message.voice, interpreter: message.interpreter ?? null };
    this.on.voice?.(this.voice);
  }

  /** A caption or chunk arrived: its sequence, to resume from, and when the server sent it (Unix ms). */
  noteSequence(sequence, publishedAt) {
    if (Number.isFinite(sequence)) this.stream.sequence = Math.max(this.stream.sequence, sequence);
    if (Number.isFinite(publishedAt)) this.on.published?.(publishedAt);
  }

  /** One binary frame of Opus speech. */
  playOpus(buffer) {
    const frame = this.opus?.play(buffer, this.language);
    if (!frame) return;
    this.noteSequence(frame.sequence, frame.publishedAt);
    // Opus frames do not say whose voice they are: the one the server last announced.
    this.countChunk(this.voice?.voice ?? "machine");
  }

  countChunk(voice) {
    this.chunksByVoice.set(voice, (this.chunksByVoice.get(voice) ?? 0) + 1);
    this.on.speech?.();
  }
}
