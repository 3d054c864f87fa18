// What the listener page says is going on: one pill and one line, from the connection's and the
// broadcast's state.
import { t } from "../strings.js";

/**
 * The pill and notice for a state: `{ key, tone, pill, notice }`. `key` is the pill's
 * `data-state`, for tests and styles; the words are in the page's language.
 */
export function liveStatus({ connection, quiet, speakerAway, broadcast }) {
  const [key, tone, name] = statusOf({ connection, quiet, speakerAway, broadcast });
  const notice = key === "live" || key === "connecting" ? "" : t(`status.${name}Notice`);
  return { key, tone, pill: t(`status.${name}`), notice };
}

function statusOf({ connection, quiet, speakerAway, broadcast }) {
  if (connection === "ended") return ["ended", "bad", "ended"];
  if (connection === "reconnecting") return ["reconnecting", "bad", "reconnecting"];
  if (connection === "connecting") return ["connecting", "warn", "connecting"];
  if (quiet) return ["unstable", "bad", "noSignal"];
  if (speakerAway) return ["speaker-away", "warn", "speakerAway"];
  if (broadcast.isPaused) return ["paused", "warn", "paused"];
  if (broadcast.isMuted) return ["muted", "warn", "muted"];
  if (broadcast.isActive === false) return ["waiting", "warn", "waiting"];
  return ["live", "live", "live"];
}
