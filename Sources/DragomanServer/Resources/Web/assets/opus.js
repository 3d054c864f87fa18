// Speech as Opus (docs/protocol.md, "Opus audio"): binary frames of 20 ms Opus packets, decoded
// with WebCodecs' AudioDecoder where the browser has it. About a twentieth of the bytes of PCM,
// which matters when hundreds of phones share the venue's Wi-Fi.

const MAGIC = 0x4f;
const VERSION = 2;
const SAMPLE_RATE = 24000;
const PACKET_MICROSECONDS = 20000;

/** Whether this browser can decode the server's Opus (then the page asks for it at connect). */
export async function opusDecodingSupported() {
  if (typeof AudioDecoder === "undefined" || typeof EncodedAudioChunk === "undefined") return false;
  try {
    const support = await AudioDecoder.isConfigSupported({ codec: "opus", sampleRate: SAMPLE_RATE, numberOfChannels: 1 });
    return support.supported === true;
  } catch {
    return false;
  }
}

/** An Opus frame's header and packets; `null` for bytes that are not one this page knows. */
export function parseOpusFrame(buffer) {
  const bytes = new Uint8Array(buffer);
  const view = new DataView(buffer);
  if (bytes.length < 4 || bytes[0] !== MAGIC || bytes[1] !== VERSION) return null;
  const codeLength = bytes[3];
  let offset = 4 + codeLength;
  if (bytes.length < offset + 20) return null;
  const frame = {
    language: new TextDecoder().decode(bytes.subarray(4, offset)),
    isLastOfSegment: (bytes[2] & 1) === 1,
    segmentId: view.getUint32(offset),
    sequence: view.getUint32(offset + 4),
    sampleRate: view.getUint32(offset + 8),
    publishedAt: Number(view.getBigUint64(offset + 12)),
    packets: [],
  };
  offset += 20;
  while (offset + 2 <= bytes.length) {
    const size = view.getUint16(offset);
    offset += 2;
    if (offset + size > bytes.length) return null;
    frame.packets.push(bytes.subarray(offset, offset + size));
    offset += size;
  }
  return frame;
}

/** One AudioDecoder for one connection's stream of packets; hands on mono float samples. */
export class OpusStreamDecoder {
  constructor(onSamples) {
    this.timestamp = 0;
    this.decoder = new AudioDecoder({
      output: (audio) => {
        const samples = new Float32Array(audio.numberOfFrames);
        audio.copyTo(samples, { planeIndex: 0, format: "f32-planar" });
        onSamples(samples, audio.sampleRate);
        audio.close();
      },
      error: () => this.reset(),
    });
    this.decoder.configure({ codec: "opus", sampleRate: SAMPLE_RATE, numberOfChannels: 1 });
  }

  decode(frame) {
    if (this.decoder.state !== "configured") return;
    for (const packet of frame.packets) {
      this.decoder.decode(new EncodedAudioChunk({ type: "key", timestamp: this.timestamp, data: packet }));
      this.timestamp += PACKET_MICROSECONDS;
    }
  }

  /** After an error: a fresh decoder state, from the next packet on. */
  reset() {
    if (this.decoder.state === "closed") return;
    this.decoder.reset();
    this.decoder.configure({ codec: "opus", sampleRate: SAMPLE_RATE, numberOfChannels: 1 });
  }

  close() {
    if (this.decoder.state !== "closed") this.decoder.close();
  }
}

/**
 * A connection's Opus speech, to a player: the frames of one language, decoded in order by one
 * decoder, made at the first frame (a new connection gets a new `OpusSpeech`).
 */
export class OpusSpeech {
  constructor(player) {
    this.player = player;
    this.decoder = null;
  }

  /** Plays one binary frame; returns it parsed, or null when it is not speech of `language`. */
  play(buffer, language) {
    const frame = parseOpusFrame(buffer);
    if (!frame || frame.language !== language) return null;
    this.decoder ??= new OpusStreamDecoder((samples, rate) => this.player.enqueueSamples(samples, rate));
    this.decoder.decode(frame);
    return frame;
  }

  close() {
    this.decoder?.close();
    this.decoder = null;
  }
}
