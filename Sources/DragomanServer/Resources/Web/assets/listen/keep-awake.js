// A phone at arm's length: the screen kept on while captions are read (Wake Lock), and the
// speech shown to the system as media (Media Session), so lock-screen and headset controls pause
// and resume it. Both are offers: a browser without them simply does without.

export class KeepAwake {
  constructor() {
    this.lock = null;
    this.wanted = false;
    // A wake lock is released whenever the page is hidden; it is taken again when it is back.
    document.addEventListener("visibilitychange", () => {
      if (this.wanted && document.visibilityState === "visible") this.acquire();
    });
  }

  /** Keeps the screen on from now until `release()`. */
  async acquire() {
    this.wanted = true;
    if (!navigator.wakeLock || this.lock) return;
    try {
      this.lock = await navigator.wakeLock.request("screen");
      this.lock.addEventListener("release", () => (this.lock = null));
    } catch {
      /* refused (battery saver, say): the screen may dim */
    }
  }

  release() {
    this.wanted = false;
    this.lock?.release().catch(() => {});
    this.lock = null;
  }
}

/** Names the speech for the system's media controls; `onPlay`/`onPause` are their buttons. */
export function announceMedia({ title, language, onPlay, onPause }) {
  if (!("mediaSession" in navigator) || typeof MediaMetadata === "undefined") return;
  navigator.mediaSession.metadata = new MediaMetadata({ title, artist: language, album: "Dragoman" });
  navigator.mediaSession.setActionHandler("play", onPlay);
  navigator.mediaSession.setActionHandler("pause", onPause);
  navigator.mediaSession.playbackState = "playing";
}

/** Tells the system's media controls whether the speech is paused (their button shows it). */
export function showMediaPaused(paused) {
  if ("mediaSession" in navigator) navigator.mediaSession.playbackState = paused ? "paused" : "playing";
}
