// Copying what the console shows (the join link, an interpreter's link).
import { t } from "../strings.js";

/**
 * Copies the text an element shows. Without the clipboard API (it needs https) the text is
 * selected instead, so it can be copied by hand. Says how it went in `status`, for a while.
 */
export async function copyShownText(element, status) {
  const text = element.textContent;
  try {
    await navigator.clipboard.writeText(text);
    status.textContent = t("join.copied");
  } catch {
    const range = document.createRange();
    range.selectNodeContents(element);
    getSelection().removeAllRanges();
    getSelection().addRange(range);
    status.textContent = document.execCommand?.("copy") ? t("join.copied") : t("join.selected");
  }
  setTimeout(() => (status.textContent = ""), 3000);
}
