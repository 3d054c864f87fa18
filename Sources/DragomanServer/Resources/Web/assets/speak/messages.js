// What the console says when the server reports a problem: a sentence a speaker can act on, not
// the server's code or its message for developers (the sentences are strings/speak's `error.CODE`).
import { t } from "../strings.js";

/** The codes that have a sentence of their own; any other gets `error.other`. */
const READABLE = new Set([
  "RATE_LIMIT_EXCEEDED",
  "INVALID_AUDIO_FORMAT",
  "PAYLOAD_TOO_LARGE",
  "ENGINE_FAILURE",
  "STORAGE_UNAVAILABLE",
  "UNSUPPORTED_LANGUAGE",
  "UNAUTHORIZED",
  "SESSION_ENDED",
  "SESSION_NOT_FOUND",
  "INTERNAL",
]);

/** The sentence to show for a server `error` message. */
export function readableError(message) {
  return t(READABLE.has(message.code) ? `error.${message.code}` : "error.other");
}
