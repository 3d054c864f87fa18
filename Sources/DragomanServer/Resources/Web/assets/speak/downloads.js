// The console's transcript downloads: a language and a format (TXT, VTT, SRT).
import { $, ApiError, el, languageLabel, saveBlob } from "../common.js";
import { t } from "../strings.js";

/** The languages a session's transcripts can be downloaded in, its own first. */
export function renderDownloads(session) {
  const languages = [...(session.languages ?? [])].sort((a, b) =>
    a.code === session.sourceLanguage ? -1 : b.code === session.sourceLanguage ? 1 : a.code.localeCompare(b.code),
  );
  $("#download-language").replaceChildren(
    ...languages.map((language) => el("option", { value: language.code, lang: language.code, text: languageLabel(language) })),
  );
}

/** Wires the format buttons; `current()` is `{ session, key }` of the console's session. */
export function setUpDownloads(current) {
  for (const button of document.querySelectorAll(".downloads button[data-format]")) {
    button.addEventListener("click", () => download(current(), $("#download-language").value, button.dataset.format));
  }
}

async function download({ session, key }, language, format) {
  const error = $("#download-error");
  error.textContent = "";
  const query = new URLSearchParams({ language, format });
  try {
    const response = await fetch(`/v1/sessions/${encodeURIComponent(session.sessionId)}/transcript?${query}`, {
      headers: { Authorization: `Bearer ${key}` },
      cache: "no-store",
    });
    if (!response.ok) throw new ApiError(response.status, t("downloads.failed", { status: response.status }));
    saveBlob(await response.blob(), `${session.sessionId}-${language}.${format}`);
  } catch (failure) {
    error.textContent = failure.message;
  }
}
