// Live captions: finals in order in an aria-live log, partials (still being revised) after them,
// shown as provisional and hidden from screen readers until they are final.
import { el } from "./common.js";

export class CaptionView {
  /**
   * @param {HTMLElement} scroller the scrolling element that holds `log` and `provisional`
   * @param {HTMLElement} log the aria-live region the final captions are appended to
   * @param {HTMLElement} provisional where partial captions are shown (aria-hidden)
   * @param {HTMLElement|null} jumpButton shown when new captions arrive while scrolled up
   */
  constructor({ scroller, log, provisional, jumpButton = null, placeholder = null }) {
    this.scroller = scroller;
    this.log = log;
    this.provisional = provisional;
    this.jumpButton = jumpButton;
    this.placeholder = placeholder;
    /** segmentId → final caption element */
    this.finals = new Map();
    /** segmentId → { element, sequence } */
    this.partials = new Map();
    this.finalCount = 0;
    this.lastFinalLanguage = null;
    scroller.addEventListener("scroll", () => {
      if (this.isAtBottom()) this.jumpButton?.setAttribute("hidden", "");
    });
    jumpButton?.addEventListener("click", () => this.scrollToEnd());
  }

  isAtBottom() {
    const s = this.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight < 48;
  }

  /** After a reflow (caption size, rotation, theme): back to the newest caption unless scrolled up on purpose. */
  follow() {
    if (this.jumpButton?.hidden !== false) this.scrollToEnd();
  }

  scrollToEnd() {
    this.scroller.scrollTop = this.scroller.scrollHeight;
    this.jumpButton?.setAttribute("hidden", "");
  }

  /** Runs a change and keeps the view pinned to the newest caption if it was there. */
  change(update) {
    const follow = this.isAtBottom();
    update();
    this.placeholder?.toggleAttribute("hidden", this.finals.size + this.partials.size > 0 || this.log.querySelector(".divider") !== null);
    if (follow) this.scrollToEnd();
    else this.jumpButton?.removeAttribute("hidden");
  }

  /** Shows a `transcript` message. */
  show(message) {
    const id = Number(message.segmentId);
    const text = String(message.text ?? "").trim();
    if (message.isFinal) {
      this.addFinal(id, text, message.targetLanguage);
      return;
    }
    if (this.finals.has(id) || !text) return;
    const existing = this.partials.get(id);
    if (existing && Number(message.sequence) < existing.sequence) return;
    this.change(() => {
      if (existing) {
        existing.element.textContent = text;
        existing.sequence = Number(message.sequence);
        return;
      }
      const element = el("p", { class: "caption partial", "data-segment": id, text });
      this.partials.set(id, { element, sequence: Number(message.sequence) });
      this.insertOrdered(this.provisional, element, id);
    });
  }

  /**
   * Adds a final caption unless it is there already; returns whether it was added.
   * `untranslated`: shown in the speaker's language because it was not translated.
   */
  addFinal(id, text, language = null, { untranslated = false } = {}) {
    if (this.finals.has(id)) return false;
    const partial = this.partials.get(id);
    this.change(() => {
      partial?.element.remove();
      this.partials.delete(id);
      // A partial of an earlier segment that never became final is dropped with it.
      for (const [other, entry] of this.partials) {
        if (other < id) {
          entry.element.remove();
          this.partials.delete(other);
        }
      }
      if (!text) return;
      const element = el("p", { class: untranslated ? "caption final untranslated" : "caption final", "data-segment": id, text });
      if (language) element.lang = language;
      this.finals.set(id, element);
      this.finalCount += 1;
      this.insertOrdered(this.log, element, id);
    });
    return Boolean(text);
  }

  /** Segment ids that have a final caption. */
  has(id) {
    return this.finals.has(Number(id));
  }

  /** A line between captions (language changed, reconnected). */
  divider(text) {
    this.change(() => {
      this.log.append(el("p", { class: "divider", role: "note", text }));
    });
  }

  /** Drops every partial (the broadcast paused, the connection dropped). */
  clearPartials() {
    this.change(() => {
      for (const entry of this.partials.values()) entry.element.remove();
      this.partials.clear();
    });
  }

  /** Inserts `element` among the children of `parent` by segment id (they almost always come in order). */
  insertOrdered(parent, element, id) {
    let before = null;
    for (let node = parent.lastElementChild; node; node = node.previousElementSibling) {
      const other = node.dataset.segment === undefined ? null : Number(node.dataset.segment);
      if (other === null || other < id) break;
      before = node;
    }
    parent.insertBefore(element, before);
  }
}
