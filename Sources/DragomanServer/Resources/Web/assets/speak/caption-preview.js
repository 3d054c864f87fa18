// "What listeners read": the final captions of one language, as its listeners see them, read
// from the stored transcript with the speaker's key (so a passcode session needs no passcode
// here, and the preview is not counted as a listener).
import { $, api, el } from "../common.js";
import { t } from "../strings.js";

const POLL_SECONDS = 2;
const SHOWN = 4;

export class CaptionPreview {
  /** @param {() => { session: object, key: string }} current the console's session and key */
  constructor(current) {
    this.current = current;
    this.timer = null;
    $("#preview-language").addEventListener("change", () => this.show($("#preview-language").value));
  }

  /** The languages of the open session to choose from. */
  setLanguages(languages, sourceLanguage) {
    const choices = languages.filter((language) => language.code !== sourceLanguage);
    $("#preview-language").replaceChildren(
      el("option", { value: "", text: t("preview.choose") }),
      ...choices.map((language) => el("option", { value: language.code, lang: language.code, text: language.nativeName || language.name })),
    );
    this.show("");
  }

  show(language) {
    clearInterval(this.timer);
    const box = $("#preview-captions");
    box.dataset.language = language;
    box.lang = language;
    box.replaceChildren();
    if (!language) return;
    const poll = () => this.poll(language);
    poll();
    this.timer = setInterval(poll, POLL_SECONDS * 1000);
  }

  async poll(language) {
    const { session, key } = this.current();
    if (!session) return this.stop();
    let data;
    try {
      data = await api(`/v1/sessions/${encodeURIComponent(session.sessionId)}/transcript?${new URLSearchParams({ language, format: "json" })}`, { key });
    } catch {
      return;
    }
    if ($("#preview-captions").dataset.language !== language) return;
    const segments = (data?.segments ?? []).slice(-SHOWN);
    $("#preview-captions").replaceChildren(
      ...(segments.length > 0
        ? segments.map((segment) => el("p", { class: "caption final", "data-segment": segment.segmentId, text: segment.text }))
        : [el("p", { class: "muted", text: t("preview.nothingYet") })]),
    );
  }

  stop() {
    clearInterval(this.timer);
    this.timer = null;
  }
}
