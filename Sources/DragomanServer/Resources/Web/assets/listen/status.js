// What the listener page says is going on: one pill and one line, from the connection's and the
// broadcast's state.

/**
 * The pill and notice for a state: `{ key, tone, pill, notice }`. `key` is the pill's
 * `data-state`, for tests and styles.
 */
export function liveStatus({ connection, quiet, speakerAway, broadcast }) {
  if (connection === "ended") return { key: "ended", tone: "bad", pill: "Ended", notice: "This session has ended. Thank you for listening." };
  if (connection === "reconnecting") return { key: "reconnecting", tone: "bad", pill: "Reconnecting", notice: "The connection dropped. Reconnecting…" };
  if (connection === "connecting") return { key: "connecting", tone: "warn", pill: "Connecting", notice: "" };
  if (quiet) return { key: "unstable", tone: "bad", pill: "No signal", notice: "Nothing heard from the server for a few seconds. Check your network…" };
  if (speakerAway)
    return { key: "speaker-away", tone: "warn", pill: "Speaker offline", notice: "The speaker lost their connection. Waiting for them to come back…" };
  if (broadcast.isPaused) return { key: "paused", tone: "warn", pill: "Paused", notice: "The speaker paused the broadcast." };
  if (broadcast.isMuted) return { key: "muted", tone: "warn", pill: "Muted", notice: "The speaker muted the broadcast." };
  if (broadcast.isActive === false) return { key: "waiting", tone: "warn", pill: "Waiting", notice: "Waiting for the speaker to start." };
  return { key: "live", tone: "live", pill: "Live", notice: "" };
}
