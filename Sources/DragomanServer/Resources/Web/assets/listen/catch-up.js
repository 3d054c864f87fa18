// Captions said while this listener was not connected, from the stored transcript.
import { api } from "../common.js";
import { t } from "../strings.js";

/** A late joiner sees the captions of this many last seconds of the talk. */
const RECENT_SECONDS = 180;

export class CatchUp {
  /**
   * @param {object} options
   * @param {string} options.sessionId
   * @param {string} options.sourceLanguage the speaker's language
   * @param {import("../captions.js").CaptionView} options.captions
   */
  constructor({ sessionId, sourceLanguage, captions }) {
    Object.assign(this, { sessionId, sourceLanguage, captions });
    this.passcode = "";
    /** Highest segment stored before this listener joined: catch-up fills in only after it. */
    this.baseline = 0;
  }

  /** The transcript's address, in a language and format (`txt`, `json`…). */
  link(language, format) {
    const query = new URLSearchParams({ language, format });
    if (this.passcode) query.set("passcode", this.passcode);
    return `/v1/sessions/${encodeURIComponent(this.sessionId)}/transcript?${query}`;
  }

  async segments(language) {
    const data = await api(this.link(language, "json"));
    const segments = Array.isArray(data) ? data : (data?.segments ?? []);
    return segments.map((segment) => ({ id: Number(segment.segmentId ?? segment.index), text: segment.text ?? "", endTime: Number(segment.endTime) || 0 }));
  }

  /**
   * At join: the captions of the last few minutes in `language`, so a late joiner does not face a
   * blank screen; and where the stored transcript stood, so a catch-up adds only what was missed.
   */
  async showRecent(language, isCurrent) {
    let source;
    let translated;
    try {
      source = await this.segments(this.sourceLanguage);
      translated = language === this.sourceLanguage ? source : await this.segments(language);
    } catch {
      return;
    }
    this.baseline = source.reduce((highest, segment) => Math.max(highest, segment.id), 0);
    const latest = source.reduce((end, segment) => Math.max(end, segment.endTime), 0);
    if (!isCurrent()) return;
    this.captions.addEarlier(
      translated.filter((segment) => segment.endTime >= latest - RECENT_SECONDS),
      language,
      t("listen.joinedHere"),
    );
  }

  /**
   * After a reconnect: the final captions said while the connection was down, in `language`.
   * A segment nobody was listening to in this language was not translated; it is shown in the
   * speaker's language, marked as such, rather than left out. `isCurrent()`: false when the
   * language changed meanwhile.
   */
  async fill(language, isCurrent) {
    const source = this.sourceLanguage;
    let translated;
    let original = [];
    try {
      translated = await this.segments(language);
      if (language !== source) original = await this.segments(source);
    } catch {
      return;
    }
    if (!isCurrent()) return;
    const texts = new Map(translated.map((segment) => [segment.id, segment.text]));
    for (const segment of original) {
      if (!texts.has(segment.id)) texts.set(segment.id, null);
    }
    const missed = [...texts.keys()].filter((id) => id > this.baseline && !this.captions.has(id)).sort((a, b) => a - b);
    for (const id of missed) {
      const text = texts.get(id);
      if (text !== null) this.captions.addFinal(id, text, language);
      else this.captions.addFinal(id, original.find((segment) => segment.id === id).text, source, { untranslated: true });
    }
  }
}
