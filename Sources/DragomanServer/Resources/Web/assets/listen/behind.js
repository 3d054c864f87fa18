// How far behind live this listener is: the speech scheduled but not yet played, plus how late
// what arrives left the server. The server stamps what it sends (`publishedAt`); the phone's clock
// may be off by seconds, so the smallest delay seen is taken as on time and the rest as lateness.

/** Behind by less than this is live enough: not shown. */
const SHOWN_FROM_SECONDS = 4;

export class BehindMeter {
  /** @param {import("../player.js").PcmPlayer} player */
  constructor(player) {
    this.player = player;
    this.onTime = Infinity;
    this.lateness = 0;
  }

  /** Something the server sent at `publishedAt` (Unix ms) arrived now. */
  arrived(publishedAt) {
    const delay = (Date.now() - publishedAt) / 1000;
    this.onTime = Math.min(this.onTime, delay);
    this.lateness = delay - this.onTime;
  }

  /** Whole seconds behind live; 0 when close enough to live not to say. */
  get seconds() {
    const behind = this.player.bufferedSeconds + this.lateness;
    return behind >= SHOWN_FROM_SECONDS ? Math.round(behind) : 0;
  }

  /** Back to live: the speech still waiting is dropped. */
  jump() {
    this.player.stop();
    this.lateness = 0;
  }
}
