// The replaced design's JavaScript example listener, replayed frame by frame in a real browser
// (issue 16; docs/protocol.md, "Clients of the replaced design"). Its source: github.com/
// thunder45/low-latency-translate at commit f267b0f961698957fa01423db5ccde8680a0b8f6,
// session-management/examples/javascript-client/listener-client.js. That repository has no
// licence, so nothing of it is copied here: this script does what that class does, in its order,
// with the browser's own WebSocket, atob and AudioContext, and keeps what it saw in
// `window.exampleListener` for the test to read. Comments name the methods.
//
// Called with (apiEndpoint, sessionId, targetLanguage), as the example's config names them.
(apiEndpoint, sessionId, targetLanguage) => {
  const seen = { types: [], units: [], failures: [], heartbeatAcks: 0, closeCode: null, errors: [] };
  window.exampleListener = seen;
  let audioContext = null;
  let heartbeat = null;

  // connect: joinSession and its two parameters in a template string, not encoded.
  const ws = new WebSocket(`${apiEndpoint}?action=joinSession&sessionId=${sessionId}&targetLanguage=${targetLanguage}`);

  // startHeartbeat: `{"action":"heartbeat"}` every 30 s while the socket is open. The first one
  // also goes at once here, so that the test sees its answer without waiting half a minute.
  const beat = () => {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ action: "heartbeat" }));
  };
  ws.onopen = () => {
    beat();
    heartbeat = setInterval(beat, 30000);
  };

  // handleMessage: the types it has a case for; anything else it only logs.
  ws.onmessage = (event) => {
    const message = JSON.parse(event.data);
    seen.types.push(message.type);
    switch (message.type) {
      case "audioData":
        // handleAudioData passes `message.audioData` alone to playAudio.
        playAudio(message.audioData, message.segmentId);
        break;
      case "heartbeatAck":
        seen.heartbeatAcks += 1;
        break;
      case "sessionEnded":
        // disconnect: the heartbeat stops and the socket closes normally.
        clearInterval(heartbeat);
        ws.close(1000, "Listener disconnected");
        break;
      case "error":
        seen.errors.push(message.message);
        break;
      default:
        // sessionJoined, sessionPaused, sessionResumed, connectionWarning, … are only told.
        break;
    }
  };

  ws.onclose = (event) => {
    clearInterval(heartbeat);
    seen.closeCode = event.code;
  };

  // playAudio: base64 to bytes with atob, `decodeAudioData` of their ArrayBuffer, and a buffer
  // source started at once. What it decoded (its length in seconds, and whether it is more than
  // silence) is kept with the `segmentId` of the message, which the example does not read.
  async function playAudio(base64Audio, segmentId) {
    try {
      if (!audioContext) audioContext = new (window.AudioContext || window.webkitAudioContext)();
      const binaryString = atob(base64Audio);
      const bytes = new Uint8Array(binaryString.length);
      for (let i = 0; i < binaryString.length; i++) bytes[i] = binaryString.charCodeAt(i);
      const audioBuffer = await audioContext.decodeAudioData(bytes.buffer);
      const source = audioContext.createBufferSource();
      source.buffer = audioBuffer;
      source.connect(audioContext.destination);
      source.start(0);
      const samples = audioBuffer.getChannelData(0);
      let peak = 0;
      for (const sample of samples) peak = Math.max(peak, Math.abs(sample));
      seen.units.push({ segmentId, duration: audioBuffer.duration, peak });
    } catch (error) {
      seen.failures.push(`${error.name}: ${error.message}`);
    }
  }
}
