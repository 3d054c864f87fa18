// AudioWorklet: turns microphone audio at the context's rate into 16 kHz PCM s16le mono frames of
// 100 ms for the speaker's WebSocket, and reports the input level.
//
// Resampling: a windowed-sinc low-pass (cut below the new Nyquist frequency) on every input
// sample, then linear interpolation at the output instants. Runs on the audio thread.

const FRAME_SECONDS = 0.1;
const LEVEL_SECONDS = 0.05;

/** Blackman-windowed sinc low-pass; `cutoff` in cycles per input sample. */
function lowPass(cutoff, length) {
  const taps = new Float32Array(length);
  const middle = (length - 1) / 2;
  let sum = 0;
  for (let i = 0; i < length; i++) {
    const x = i - middle;
    const sinc = x === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * x) / (Math.PI * x);
    const window = 0.42 - 0.5 * Math.cos((2 * Math.PI * i) / (length - 1)) + 0.08 * Math.cos((4 * Math.PI * i) / (length - 1));
    taps[i] = sinc * window;
    sum += taps[i];
  }
  for (let i = 0; i < length; i++) taps[i] /= sum;
  return taps;
}

class PcmCaptureProcessor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const targetRate = options?.processorOptions?.targetRate ?? 16000;
    // `sampleRate` is the context's rate, a global of the worklet scope.
    this.step = sampleRate / targetRate;
    this.taps = this.step > 1 ? lowPass((0.45 * targetRate) / sampleRate, 63) : new Float32Array([1]);
    this.history = new Float32Array(this.taps.length);
    this.historyIndex = 0;
    this.filtered = new Float32Array(128);
    this.previous = 0;
    this.position = 0;
    this.frameSize = Math.round(targetRate * FRAME_SECONDS);
    this.frame = new Int16Array(this.frameSize);
    this.frameLength = 0;
    this.levelWindow = Math.round(sampleRate * LEVEL_SECONDS);
    this.levelCount = 0;
    this.levelSquares = 0;
    this.levelPeak = 0;
  }

  process(inputs) {
    const channels = inputs[0];
    if (!channels || channels.length === 0 || !channels[0]) return true;
    const count = channels[0].length;
    if (this.filtered.length < count) this.filtered = new Float32Array(count);
    const taps = this.taps;
    const history = this.history;
    const length = taps.length;
    for (let i = 0; i < count; i++) {
      let sample = 0;
      for (let c = 0; c < channels.length; c++) sample += channels[c][i];
      sample /= channels.length;
      this.measure(sample);
      history[this.historyIndex] = sample;
      let acc = 0;
      let h = this.historyIndex;
      for (let t = 0; t < length; t++) {
        acc += taps[t] * history[h];
        h = h === 0 ? length - 1 : h - 1;
      }
      this.historyIndex = this.historyIndex + 1 === length ? 0 : this.historyIndex + 1;
      this.filtered[i] = acc;
    }
    // Output instants between filtered samples i and i+1 (i = -1 is the last of the block before).
    while (this.position < count - 1) {
      const i = Math.floor(this.position);
      const fraction = this.position - i;
      const a = i < 0 ? this.previous : this.filtered[i];
      const b = this.filtered[i + 1];
      this.emit(a + (b - a) * fraction);
      this.position += this.step;
    }
    this.position -= count;
    this.previous = this.filtered[count - 1];
    return true;
  }

  emit(value) {
    const clamped = Math.max(-1, Math.min(1, value));
    this.frame[this.frameLength++] = clamped < 0 ? clamped * 0x8000 : clamped * 0x7fff;
    if (this.frameLength === this.frameSize) {
      // The buffer is handed over (transferred), so each frame gets a new one.
      const buffer = this.frame.buffer;
      this.port.postMessage({ type: "pcm", buffer }, [buffer]);
      this.frame = new Int16Array(this.frameSize);
      this.frameLength = 0;
    }
  }

  measure(sample) {
    this.levelSquares += sample * sample;
    const magnitude = Math.abs(sample);
    if (magnitude > this.levelPeak) this.levelPeak = magnitude;
    if (++this.levelCount >= this.levelWindow) {
      this.port.postMessage({ type: "level", rms: Math.sqrt(this.levelSquares / this.levelCount), peak: this.levelPeak });
      this.levelCount = 0;
      this.levelSquares = 0;
      this.levelPeak = 0;
    }
  }
}

registerProcessor("pcm-capture", PcmCaptureProcessor);
