// The speaker console's interpreters (docs/protocol.md, "Interpreters"): a link for each person who
// interprets the session into a language, the links given out (revocable), and whose voice each
// language has now.
import { $, api, el, languageLabel } from "../common.js";
import { t } from "../strings.js";
import { copyShownText } from "./copy.js";

/** How often the links' state (connected, on the air) is read again while there are any. */
const REFRESH_SECONDS = 10;

export class InterpretersPanel {
  /** @param {() => string} key the speaker key, for the HTTP API */
  constructor(key) {
    this.key = key;
    this.session = null;
    /** The languages an interpreter may take: the session's, but its own. */
    this.languages = [];
    /** The links not revoked, as `GET …/interpreters` lists them. */
    this.interpreters = [];
    /** Language → the name of the person on the air in it; the others have the machine's voice. */
    this.voices = new Map();
    this.refreshTimer = null;
    $("#interpreter-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.create();
    });
    $("#copy-interpret-link").addEventListener("click", () => copyShownText($("#interpret-link"), $("#interpret-copy-status")));
  }

  get path() {
    return `/v1/sessions/${encodeURIComponent(this.session.sessionId)}/interpreters`;
  }

  /** The console of `session` opened. */
  open(session) {
    this.close();
    this.session = session;
    this.languages = [];
    this.interpreters = [];
    this.voices = new Map();
    $("#new-interpreter").hidden = true;
    $("#interpreters-error").textContent = "";
    this.renderLanguages();
    this.render();
    this.refresh();
    this.refreshTimer = setInterval(() => {
      if (this.interpreters.length > 0) this.refresh();
    }, REFRESH_SECONDS * 1000);
  }

  close() {
    clearInterval(this.refreshTimer);
    this.refreshTimer = null;
    this.session = null;
  }

  /** The session's languages (`GET /v1/sessions/{id}`), its own among them. */
  setLanguages(languages) {
    this.languages = languages.filter((language) => language.code !== this.session?.sourceLanguage);
    this.renderLanguages();
    this.render();
  }

  /** `sessionStatus.voices`: the languages that have a person on the air, and who. */
  showVoices(voices) {
    if (!voices) return;
    this.voices = new Map(Object.entries(voices));
    this.render();
  }

  voiceChanged(message) {
    if (message.voice === "interpreter") this.voices.set(message.targetLanguage, message.interpreter);
    else this.voices.delete(message.targetLanguage);
    this.render();
    // The list of links says who is on the air too.
    this.refresh();
  }

  async refresh() {
    const session = this.session;
    if (!session) return;
    try {
      const data = await api(this.path, { key: this.key() });
      if (session !== this.session) return;
      this.interpreters = data?.interpreters ?? [];
      this.render();
    } catch (failure) {
      if (session === this.session) this.showError(failure.message);
    }
  }

  async create() {
    const name = $("#interpreter-name").value.trim();
    this.showError("");
    if (!name) {
      this.showError(t("interpreters.nameFirst"));
      $("#interpreter-name").focus();
      return;
    }
    const button = $("#create-interpreter");
    button.disabled = true;
    try {
      const created = await api(this.path, { method: "POST", key: this.key(), body: { language: $("#interpreter-language").value, name } });
      $("#interpreter-name").value = "";
      this.showNewLink(created);
      await this.refresh();
    } catch (failure) {
      this.showError(failure.message);
    } finally {
      button.disabled = this.languages.length === 0;
    }
  }

  /** The link holds the interpreter's token, which the server gives only this once. */
  showNewLink(created) {
    $("#new-interpreter-name").textContent = `${created.name} (${this.languageName(created.language)})`;
    const link = $("#interpret-link");
    link.href = created.interpretUrl;
    link.textContent = created.interpretUrl;
    $("#new-interpreter").hidden = false;
  }

  async revoke(interpreter) {
    const language = this.languageName(interpreter.language);
    if (!confirm(t("interpreters.revokeConfirm", { name: interpreter.name, language }))) return;
    try {
      await api(`${this.path}/${encodeURIComponent(interpreter.interpreterId)}`, { method: "DELETE", key: this.key() });
    } catch (failure) {
      this.showError(failure.message);
    }
    this.refresh();
  }

  showError(text) {
    $("#interpreters-error").textContent = text;
  }

  languageName(code) {
    const language = this.languages.find((entry) => entry.code === code);
    return language?.nativeName || language?.name || code;
  }

  renderLanguages() {
    const select = $("#interpreter-language");
    const chosen = select.value;
    select.replaceChildren(
      ...this.languages.map((language) => el("option", { value: language.code, lang: language.code, text: languageLabel(language) })),
    );
    if (this.languages.some((language) => language.code === chosen)) select.value = chosen;
    $("#create-interpreter").disabled = this.languages.length === 0;
  }

  render() {
    // Whose voice: each language that has a link or a person on the air.
    const codes = [...new Set([...this.interpreters.map((interpreter) => interpreter.language), ...this.voices.keys()])].sort();
    $("#voice-list").replaceChildren(
      ...codes.map((code) => {
        const person = this.voices.get(code);
        return el(
          "li",
          { "data-language": code, "data-voice": person ? "interpreter" : "machine", class: person ? "on-air" : "" },
          el("span", { lang: code, text: this.languageName(code) }),
          ` — ${person ? t("interpreters.interpreter", { name: person }) : t("interpreters.machine")}`,
        );
      }),
    );
    $("#voice-list").hidden = codes.length === 0;
    $("#interpreter-list").replaceChildren(...this.interpreters.map((interpreter) => this.linkItem(interpreter)));
    $("#no-interpreters").hidden = this.interpreters.length > 0;
  }

  linkItem(interpreter) {
    const language = this.languageName(interpreter.language);
    const presence = t(interpreter.onAir ? "interpreters.onAir" : interpreter.connected ? "interpreters.connected" : "interpreters.notConnected");
    return el(
      "li",
      {
        "data-interpreter-id": interpreter.interpreterId,
        "data-connected": String(Boolean(interpreter.connected)),
        "data-on-air": String(Boolean(interpreter.onAir)),
      },
      el(
        "div",
        { class: "info" },
        el("div", { class: "title", text: interpreter.name }),
        el("div", { class: "muted", text: `${language} · ${presence}` }),
      ),
      el("button", {
        type: "button",
        class: "small danger",
        text: t("interpreters.revoke"),
        "aria-label": t("interpreters.revokeLabel", { name: interpreter.name, language }),
        onclick: () => this.revoke(interpreter),
      }),
    );
  }
}
