// The speaker's microphone: getUserMedia → AudioWorklet (capture-worklet.js) → 16 kHz PCM frames.

export class Microphone {
  /**
   * @param {(buffer: ArrayBuffer) => void} onFrame 100 ms of PCM s16le mono at 16 kHz
   * @param {(level: {rms: number, peak: number}) => void} onLevel
   * @param {() => void} onEnded the device went away (unplugged, permission withdrawn)
   */
  constructor({ onFrame, onLevel, onEnded = () => {} }) {
    this.onFrame = onFrame;
    this.onLevel = onLevel;
    this.onEnded = onEnded;
    this.context = null;
    this.stream = null;
    this.source = null;
    this.node = null;
    this.deviceId = "";
  }

  get isOn() {
    return this.stream !== null;
  }

  /** The audio inputs; their names only once the page may use the microphone. */
  static async devices() {
    if (!navigator.mediaDevices?.enumerateDevices) return [];
    const all = await navigator.mediaDevices.enumerateDevices();
    return all.filter((device) => device.kind === "audioinput");
  }

  /** Opens the microphone (`deviceId` empty for the default one); call it from a click. */
  async start(deviceId = "") {
    if (!navigator.mediaDevices?.getUserMedia) {
      throw new Error("This browser cannot use a microphone here (it needs https, or localhost).");
    }
    if (!this.context) {
      this.context = new AudioContext({ latencyHint: "interactive" });
      await this.context.audioWorklet.addModule("/assets/capture-worklet.js");
    }
    await this.context.resume();
    this.stopStream();
    this.deviceId = deviceId;
    this.stream = await navigator.mediaDevices.getUserMedia({
      audio: {
        deviceId: deviceId ? { exact: deviceId } : undefined,
        channelCount: 1,
        // The speaker's own device plays nothing back; echo cancellation would only cost quality.
        echoCancellation: false,
        noiseSuppression: true,
        autoGainControl: true,
      },
    });
    this.source = this.context.createMediaStreamSource(this.stream);
    this.node = new AudioWorkletNode(this.context, "pcm-capture", {
      numberOfInputs: 1,
      numberOfOutputs: 1,
      channelCount: 1,
      channelCountMode: "explicit",
      processorOptions: { targetRate: 16000 },
    });
    this.node.port.onmessage = ({ data }) => {
      if (data.type === "pcm") this.onFrame(data.buffer);
      else if (data.type === "level") this.onLevel(data);
    };
    // Connected to the output through a silent gain so the browser keeps pulling the worklet.
    const silent = this.context.createGain();
    silent.gain.value = 0;
    this.source.connect(this.node).connect(silent).connect(this.context.destination);
    const track = this.stream.getAudioTracks()[0];
    track?.addEventListener("ended", () => {
      this.stop();
      this.onEnded();
    });
    return track?.getSettings?.().deviceId ?? deviceId;
  }

  stopStream() {
    this.node?.port.close();
    this.node?.disconnect();
    this.source?.disconnect();
    for (const track of this.stream?.getTracks() ?? []) track.stop();
    this.node = null;
    this.source = null;
    this.stream = null;
  }

  /** Closes the microphone. */
  stop() {
    this.stopStream();
    this.onLevel({ rms: 0, peak: 0 });
  }
}
