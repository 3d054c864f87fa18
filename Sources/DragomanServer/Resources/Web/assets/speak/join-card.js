// The join card of the console: the link, its QR code, the session words, copy, and the present
// view for a projector.
import { $, el, sessionWords } from "../common.js";
import { t } from "../strings.js";
import { copyShownText } from "./copy.js";

/** Shows a session's join link, its QR code and its words, on the card and in the present view. */
export function renderJoin(session) {
  const link = session.joinUrl || `${location.origin}/s/${session.sessionId}`;
  const qr = `/v1/sessions/${encodeURIComponent(session.sessionId)}/qr.svg`;
  $("#qr-image").src = qr;
  $("#qr-image").alt = t("join.qr", { link });
  // The link breaks only before its path, never inside the session words.
  const path = `/s/${session.sessionId}`;
  const origin = link.endsWith(path) ? link.slice(0, -path.length) : link;
  $("#join-link").replaceChildren(
    el("span", { text: origin }),
    document.createElement("wbr"),
    link.endsWith(path) ? el("span", { class: "nowrap", text: path }) : "",
  );
  $("#join-words").textContent = sessionWords(session.sessionId);
  $("#present-qr").src = qr;
  $("#present-qr").alt = t("join.qr", { link });
  $("#present-title").textContent = session.title;
  $("#present-words").textContent = sessionWords(session.sessionId);
  $("#present-link").textContent = link;
  let host = "";
  try {
    host = new URL(link).hostname;
  } catch {
    host = "";
  }
  $("#localhost-warning").hidden = !(host === "localhost" || host.startsWith("127.") || host === "[::1]" || host === "::1");
}

$("#copy-button").addEventListener("click", () => copyShownText($("#join-link"), $("#copy-status")));

$("#present-button").addEventListener("click", () => {
  const view = $("#present-view");
  view.hidden = false;
  $("#close-present").focus();
  view.requestFullscreen?.().catch(() => {});
});

function closePresent() {
  const view = $("#present-view");
  if (view.hidden) return;
  view.hidden = true;
  if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
  $("#present-button").focus();
}

$("#close-present").addEventListener("click", closePresent);
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") closePresent();
  // Focus stays inside the present view while it is shown.
  if (event.key === "Tab" && !$("#present-view").hidden) {
    event.preventDefault();
    $("#close-present").focus();
  }
});
document.addEventListener("fullscreenchange", () => {
  if (!document.fullscreenElement && !$("#present-view").hidden) closePresent();
});
