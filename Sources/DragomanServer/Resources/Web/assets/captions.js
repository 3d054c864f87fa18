// Live captions as running text that rolls up: final captions in order in an aria-live log, and
// after them, on the same line, the caption still being revised (hidden from screen readers until
// it is final). Committed text never moves: a revision changes only the provisional tail, whose
// words are marked as such; the words it kept from the revision before stay as they were. The text
// never gets shorter while it is read either (a revision that drops words leaves its line empty
// rather than pulling what is above it back down), so the view only ever rolls up.
import { el } from "./common.js";

/** A scroll within this long after the reader's own wheel, touch or key is theirs, not a reflow's. */
const INTENT_MS = 1000;

export class CaptionView {
  /**
   * @param {HTMLElement} scroller the scrolling element that holds `log` and `provisional`
   * @param {HTMLElement} log the aria-live region the final captions are appended to
   * @param {HTMLElement} provisional where partial captions are shown (aria-hidden), after the log
   * @param {HTMLElement|null} jumpButton shown when new captions arrive while scrolled up
   */
  constructor({ scroller, log, provisional, jumpButton = null, placeholder = null }) {
    this.scroller = scroller;
    this.log = log;
    this.provisional = provisional;
    this.jumpButton = jumpButton;
    this.placeholder = placeholder;
    this.flow = log.parentElement;
    /** The tallest the text has been at this size and width: it is kept at least that tall. */
    this.tallest = 0;
    /** segmentId → final caption element */
    this.finals = new Map();
    /** segmentId → { element, sequence, words } */
    this.partials = new Map();
    /**
     * Whether the view keeps the newest caption in sight. Only the reader scrolling up turns it
     * off: a reflow (larger text, rotation, theme) that leaves the view short of the end does not.
     */
    this.following = true;
    this.intentAt = -Infinity;
    const intent = () => (this.intentAt = performance.now());
    for (const type of ["wheel", "touchmove", "keydown", "pointerdown"]) scroller.addEventListener(type, intent, { passive: true });
    scroller.addEventListener("scroll", () => {
      if (this.isAtBottom()) {
        this.following = true;
        this.jumpButton?.setAttribute("hidden", "");
      } else if (performance.now() - this.intentAt < INTENT_MS) {
        this.following = false;
      }
    });
    jumpButton?.addEventListener("click", () => this.scrollToEnd());
    // Whatever changes the text's size keeps a following view at the end. A new size or width
    // (A+, rotation) lays the lines out anew: the height held for the old layout goes.
    const resized = new ResizeObserver((entries) => {
      if (entries.some((entry) => entry.target === scroller)) {
        this.tallest = 0;
        this.holdHeight();
      }
      if (this.following) this.scrollToEnd();
    });
    resized.observe(scroller);
    resized.observe(this.flow);
  }

  isAtBottom() {
    const s = this.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight < 48;
  }

  /** Keeps the text as tall as it has been, so what is above a shorter revision stays put. */
  holdHeight() {
    this.flow.style.minHeight = "";
    this.tallest = Math.max(this.tallest, this.flow.offsetHeight);
    this.flow.style.minHeight = `${this.tallest}px`;
  }

  /** Back to the newest caption, and following again. */
  scrollToEnd() {
    this.following = true;
    this.scroller.scrollTo({ top: this.scroller.scrollHeight, behavior: "instant" });
    this.jumpButton?.setAttribute("hidden", "");
  }

  /** Runs a change and keeps the view on the newest caption while it follows. */
  change(update) {
    update();
    this.holdHeight();
    this.placeholder?.toggleAttribute("hidden", this.finals.size + this.partials.size > 0 || this.log.querySelector(".divider") !== null);
    if (this.following) this.scrollToEnd();
    else this.jumpButton?.removeAttribute("hidden");
  }

  /** Shows a `transcript` message: `isFinal: false` is provisional, `isFinal: true` commits it. */
  show(message) {
    const id = Number(message.segmentId);
    const text = String(message.text ?? "").trim();
    if (message.isFinal) {
      this.addFinal(id, text, message.targetLanguage);
      return;
    }
    if (this.finals.has(id) || !text) return;
    const existing = this.partials.get(id);
    const sequence = Number(message.sequence);
    if (existing && sequence < existing.sequence) return;
    this.change(() => {
      const words = text.split(/\s+/);
      if (existing) {
        renderPartial(existing.element, existing.words, words);
        Object.assign(existing, { sequence, words });
        return;
      }
      const element = el("span", { class: "caption partial", "data-segment": id, "data-provisional": "" });
      renderPartial(element, [], words);
      this.partials.set(id, { element, sequence, words });
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
      this.insertOrdered(this.log, this.finalElement(id, text, language, untranslated), id);
    });
    return Boolean(text);
  }

  /** Captions said before this reader came (`{ id, text }`), above everything else, with a line under them. */
  addEarlier(segments, language, label) {
    this.change(() => {
      const elements = segments.filter((segment) => segment.text && !this.finals.has(segment.id)).map((segment) => this.finalElement(segment.id, segment.text, language));
      if (elements.length > 0) this.log.prepend(...elements, el("p", { class: "divider", role: "note", text: label }));
    });
  }

  finalElement(id, text, language, untranslated = false) {
    const element = el("span", { class: untranslated ? "caption final untranslated" : "caption final", "data-segment": id, text });
    if (language) element.lang = language;
    this.finals.set(id, element);
    return element;
  }

  /** Segment ids that have a final caption. */
  has(id) {
    return this.finals.has(Number(id));
  }

  /** A line between captions (language changed, reconnected, earlier captions). */
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

/**
 * A partial caption: the words it shares with the revision before it, as they were, then the
 * words that changed, marked as provisional.
 */
function renderPartial(element, before, words) {
  let kept = 0;
  while (kept < before.length && kept < words.length && before[kept] === words[kept]) kept += 1;
  // The last word may still be growing ("muse" → "museum"): it stays in the tail.
  kept = Math.min(kept, words.length - 1);
  element.replaceChildren(
    kept > 0 ? el("span", { class: "settled", text: words.slice(0, kept).join(" ") + " " }) : "",
    el("span", { class: "tail", text: words.slice(kept).join(" ") }),
  );
}
