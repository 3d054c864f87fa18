// Plays the synthesized speech a listener receives (`audioData`: base64 PCM s16le mono, or Opus
// decoded by opus.js) through
// Web Audio, each chunk scheduled to start exactly where the one before it ends, so a segment
// plays without gaps however its chunks arrive. What Web Audio makes is played by an <audio>
// element: a phone keeps a media element playing with the screen off or the page in the
// background (iOS Safari and Android Chrome silence a bare AudioContext there), and its lock
// screen and headset controls act on it.

/** Seconds of headroom given to the first chunk after silence, to absorb network jitter. */
const START_LEAD = 0.25;

/**
 * When speech piles up (a translation that runs longer than what was said), it is played a
 * little faster until it catches up, rather than falling ever further behind the speaker.
 */
function catchUpRate(backlogSeconds) {
  if (backlogSeconds > 8) return 1.25;
  if (backlogSeconds > 4) return 1.12;
  return 1;
}

export class PcmPlayer {
  constructor() {
    this.context = null;
    this.output = null;
    /** The <audio> element the speech plays through; null where the browser cannot route it. */
    this.element = null;
    this.nextStart = 0;
    this.sources = new Set();
    this.receivedChunks = 0;
    this.receivedSeconds = 0;
    this.scheduledChunks = 0;
    this.scheduledSeconds = 0;
    this.muted = false;
    /** The listener's own volume, 0…1, on top of the speaker's. */
    this.volume = 1;
    this.onchange = null;
  }

  /** Creates the audio context; call it from a tap or click (mobile browsers need the gesture). */
  async start() {
    if (!this.context) {
      const Context = window.AudioContext || window.webkitAudioContext;
      this.context = new Context({ latencyHint: "playback" });
      this.output = this.context.createGain();
      this.output.gain.value = this.volume;
      this.element = mediaElementOutput(this.context, this.output);
      // iOS unlocks audio only for a sound started inside the gesture: one silent sample.
      const silence = this.context.createBufferSource();
      silence.buffer = this.context.createBuffer(1, 1, 22050);
      silence.connect(this.output);
      silence.start();
      document.addEventListener("visibilitychange", () => {
        if (document.visibilityState === "visible") this.resumeContext();
      });
    }
    this.playElement();
    await this.resumeContext();
  }

  /** Starts the <audio> element (inside a tap the first time, as mobile browsers require). */
  playElement() {
    this.element?.play().catch(() => {
      /* retried on the next tap */
    });
  }

  async resumeContext() {
    if (this.context && this.context.state !== "running") {
      try {
        await this.context.resume();
      } catch {
        /* retried on the next gesture */
      }
    }
  }

  get isRunning() {
    return this.context?.state === "running";
  }

  /** Seconds of speech scheduled but not yet played. */
  get bufferedSeconds() {
    return this.context ? Math.max(0, this.nextStart - this.context.currentTime) : 0;
  }

  /** Schedules one `audioData` message. */
  enqueue(message) {
    this.enqueueSamples(decodePcm16(message.audioData), Number(message.sampleRate) || 22050);
  }

  /** Schedules decoded speech: mono samples in [-1, 1] at `rate`. */
  enqueueSamples(samples, rate) {
    this.receivedChunks += 1;
    this.receivedSeconds += samples.length / rate;
    if (this.context && !this.muted && samples.length > 0) {
      const buffer = this.context.createBuffer(1, samples.length, rate);
      buffer.copyToChannel(samples, 0);
      const source = this.context.createBufferSource();
      source.buffer = buffer;
      source.connect(this.output);
      const now = this.context.currentTime;
      if (this.nextStart < now + 0.02) this.nextStart = now + START_LEAD;
      const speed = catchUpRate(this.nextStart - now);
      source.playbackRate.value = speed;
      source.start(this.nextStart);
      this.nextStart += buffer.duration / speed;
      this.sources.add(source);
      source.onended = () => this.sources.delete(source);
      this.scheduledChunks += 1;
      this.scheduledSeconds += buffer.duration;
    }
    this.onchange?.();
  }

  /** Stops what is playing and drops what is scheduled. */
  stop() {
    for (const source of this.sources) {
      try {
        source.stop();
      } catch {
        /* already ended */
      }
    }
    this.sources.clear();
    this.nextStart = 0;
    this.onchange?.();
  }

  /** The listener's volume, 0…1: applies at once, to what is already scheduled too. */
  setVolume(volume) {
    this.volume = Math.min(1, Math.max(0, volume));
    if (this.output) this.output.gain.value = this.volume;
  }

  /** Muted: chunks are counted but not played (playback paused by the listener). */
  setMuted(muted) {
    this.muted = muted;
    // The element pauses too, so the phone's media controls show speech paused, not playing.
    if (muted) {
      this.stop();
      this.element?.pause();
    } else {
      this.playElement();
    }
  }
}

/**
 * Sends `node` to the speakers through a hidden <audio> element playing a MediaStream of it, and
 * returns the element; where the browser has no MediaStream destination, straight to the
 * context's destination (null).
 */
function mediaElementOutput(context, node) {
  if (typeof context.createMediaStreamDestination !== "function") {
    node.connect(context.destination);
    return null;
  }
  const sink = context.createMediaStreamDestination();
  node.connect(sink);
  const element = document.createElement("audio");
  element.id = "speech-output";
  element.hidden = true;
  element.srcObject = sink.stream;
  document.body.append(element);
  return element;
}

/** Base64 PCM s16le → samples in [-1, 1]. */
export function decodePcm16(base64) {
  const binary = atob(base64 || "");
  const count = binary.length >> 1;
  const samples = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    let value = binary.charCodeAt(2 * i) | (binary.charCodeAt(2 * i + 1) << 8);
    if (value >= 0x8000) value -= 0x10000;
    samples[i] = value / 32768;
  }
  return samples;
}
