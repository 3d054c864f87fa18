// What the console says when the server reports a problem: a sentence a speaker can act on, not
// the server's code or its message for developers.

const READABLE = {
  RATE_LIMIT_EXCEEDED: "The microphone sends more than the server takes: some of your speech was dropped. Stop and start the microphone.",
  INVALID_AUDIO_FORMAT: "The server could not read the microphone's sound. Choose another input device.",
  PAYLOAD_TOO_LARGE: "The microphone sends sound in pieces too large for the server. Choose another input device.",
  ENGINE_FAILURE: "A sentence could not be recognized or translated; the next ones go on.",
  STORAGE_UNAVAILABLE: "The transcript cannot be saved just now (the database is unavailable). Captions go on and are saved when it is back.",
  UNSUPPORTED_LANGUAGE: "That language is not available on this server.",
  UNAUTHORIZED: "The speaker key is no longer valid. Use “Forget key” and enter a valid one.",
  SESSION_ENDED: "This session has ended.",
  SESSION_NOT_FOUND: "This session no longer exists.",
  INTERNAL: "The server could not do that just now. Try again in a moment.",
};

/** The sentence to show for a server `error` message. */
export function readableError(message) {
  return READABLE[message.code] ?? "Something went wrong on the server. Try again in a moment.";
}
