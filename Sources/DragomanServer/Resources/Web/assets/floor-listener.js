// The speaker's own voice, for an interpreter away from the room: a listener connection to the
// session's `original` language (floor audio, docs/protocol.md), played as it arrives.
import { parseMessage, socketURL } from "./common.js";
import { PcmPlayer } from "./player.js";
import { OpusSpeech, opusDecodingSupported } from "./opus.js";

const RECONNECT_DELAYS = [0.5, 1, 2, 4, 8];

export class FloorListener {
  /** @param {() => void} onChange something to show changed: on or off, speech received, a failure */
  constructor({ sessionId, onChange }) {
    this.sessionId = sessionId;
    this.onChange = onChange;
    this.player = new PcmPlayer();
    this.player.onchange = onChange;
    this.socket = null;
    this.isOn = false;
    this.everJoined = false;
    /** Why it stopped by itself, for the interpreter to read; empty when it did not. */
    this.failure = "";
    this.passcode = "";
    this.format = "pcm";
    this.attempt = 0;
    this.retryTimer = null;
    this.opus = null;
  }

  /** Starts hearing the speaker; call it from a click (browsers allow sound only after one). */
  async start(passcode) {
    this.isOn = true;
    this.everJoined = false;
    this.failure = "";
    this.passcode = passcode;
    this.attempt = 0;
    await this.player.start();
    this.format = (await opusDecodingSupported()) ? "opus" : "pcm";
    this.connect();
    this.onChange();
  }

  stop(failure = "") {
    this.isOn = false;
    this.failure = failure;
    clearTimeout(this.retryTimer);
    const socket = this.socket;
    this.socket = null;
    socket?.close();
    this.opus?.close();
    this.player.stop();
    this.onChange();
  }

  connect() {
    const socket = new WebSocket(
      socketURL({
        action: "joinSession",
        sessionId: this.sessionId,
        targetLanguage: "original",
        passcode: this.passcode || undefined,
        audioFormat: this.format,
      }),
    );
    socket.binaryType = "arraybuffer";
    this.socket = socket;
    this.opus?.close();
    this.opus = new OpusSpeech(this.player);
    // The server names `original` by the session's own language, which Opus frames carry.
    let language = null;
    let refusal = "";
    socket.onmessage = (event) => {
      if (this.socket !== socket) return;
      if (event.data instanceof ArrayBuffer) {
        if (language) this.opus.play(event.data, language);
        return;
      }
      const message = parseMessage(event.data);
      if (!message) return;
      if (message.type === "sessionJoined") {
        language = message.targetLanguage;
        this.everJoined = true;
        this.attempt = 0;
      } else if (message.type === "audioData") {
        this.player.enqueue(message);
      } else if (message.type === "sessionEnded") {
        this.stop();
      } else if (message.type === "error" && !language) {
        refusal = message.message ?? message.code;
      }
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (!this.everJoined) {
        this.stop(refusal || "The speaker's voice could not be reached. If the session has a passcode, check it.");
        return;
      }
      this.player.stop();
      const delay = RECONNECT_DELAYS[Math.min(this.attempt, RECONNECT_DELAYS.length - 1)];
      this.attempt += 1;
      this.retryTimer = setTimeout(() => this.connect(), delay * 1000);
    };
  }
}
