// The pages in the reader's language. Their words are data, one JSON file per language: the
// listener's and the interpreter's in strings/, the speaker console's in strings/speak/ (English is
// the reference every other file follows); the HTML names its strings with `data-i18n` (text) and
// `data-i18n-attr` (`aria-label:key title:key`).

/** The languages the listener's and the interpreter's pages are written in. */
export const PAGE_LANGUAGES = ["en", "es", "fr", "ca", "pt", "it", "de"];
/** The languages the speaker console is written in. */
export const CONSOLE_LANGUAGES = ["en", "es", "fr"];

let strings = {};
let english = {};

/**
 * The first of `tags` (BCP-47, in order of preference) the page is written in (`written`), by its
 * base language (`es-MX` → `es`); English when none is.
 */
export function pageLanguage(tags, written = PAGE_LANGUAGES) {
  for (const tag of tags) {
    const base = String(tag ?? "")
      .toLowerCase()
      .split("-")[0];
    if (written.includes(base)) return base;
  }
  return "en";
}

/** The phone's languages, most preferred first. */
export const phoneLanguages = () => navigator.languages ?? [navigator.language];

/** Loads the strings of `language` from `folder` and shows the page in it; returns the language used. */
export async function usePageLanguage(language, folder = "strings") {
  const load = async (code) => {
    const response = await fetch(`/assets/${folder}/${code}.json`);
    if (!response.ok) throw new Error(`${folder}/${code}.json: ${response.status}`);
    return response.json();
  };
  if (Object.keys(english).length === 0) english = await load("en");
  try {
    strings = language === "en" ? english : await load(language);
  } catch {
    strings = english;
    language = "en";
  }
  document.documentElement.lang = language;
  for (const element of document.querySelectorAll("[data-i18n]")) element.textContent = t(element.dataset.i18n);
  for (const element of document.querySelectorAll("[data-i18n-attr]")) {
    for (const pair of element.dataset.i18nAttr.split(/\s+/)) {
      const [attribute, key] = pair.split(":");
      element.setAttribute(attribute, t(key));
    }
  }
  return language;
}

/** The string `key` in the page's language, its `{name}`s filled from `values`; English when it has none. */
export function t(key, values = {}) {
  const text = strings[key] ?? english[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}
