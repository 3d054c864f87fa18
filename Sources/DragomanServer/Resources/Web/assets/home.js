// The landing page: type a session code, go to its listener page.
import { $, api, ApiError, normalizeSessionId, setUpThemeToggle } from "./common.js";

setUpThemeToggle($("#theme-toggle"));

const input = $("#session-code");
const error = $("#code-error");

$("#join-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  error.textContent = "";
  const id = normalizeSessionId(input.value);
  if (!id) {
    error.textContent = "Type the session code first.";
    input.focus();
    return;
  }
  try {
    await api(`/v1/sessions/${encodeURIComponent(id)}`);
    location.assign(`/s/${encodeURIComponent(id)}`);
  } catch (failure) {
    error.textContent =
      failure instanceof ApiError && failure.status === 404
        ? `There is no session “${id}”. Check the code and try again.`
        : failure.message;
    input.setAttribute("aria-invalid", "true");
    input.focus();
  }
});

input.addEventListener("input", () => input.removeAttribute("aria-invalid"));
