// The microphone's controls, shared by the speaker console and the interpreter page: the choice
// of input, the level meter, and what to say when the microphone cannot be opened.
import { el } from "./common.js";
import { Microphone } from "./microphone.js";
import { t } from "./strings.js";

/** Audio waiting in the socket beyond this is dropped rather than piling up on a bad network. */
const MAX_BUFFERED_BYTES = 512 * 1024;

/** Sends one frame of the microphone, unless the socket is closed or backed up; returns whether it was sent. */
export function sendFrame(socket, buffer) {
  if (socket?.readyState !== WebSocket.OPEN || socket.bufferedAmount > MAX_BUFFERED_BYTES) return false;
  socket.send(buffer);
  return true;
}

/** Fills a <select> with the audio inputs (their names once the page may use the microphone), keeping the one chosen. */
export async function listInputs(select) {
  let devices = [];
  try {
    devices = await Microphone.devices();
  } catch {
    return;
  }
  const chosen = select.value;
  const options = [el("option", { value: "", text: t("mic.default") })];
  devices
    .filter((device) => device.deviceId && device.deviceId !== "default")
    .forEach((device, index) => options.push(el("option", { value: device.deviceId, text: device.label || t("mic.numbered", { number: index + 1 }) })));
  select.replaceChildren(...options);
  if ([...select.options].some((option) => option.value === chosen)) select.value = chosen;
}

/** Why the microphone could not be started, for the person at it. */
export function microphoneFailureText(failure) {
  return failure.name === "NotAllowedError" ? t("mic.notAllowed") : t("mic.failed", { message: failure.message });
}

/**
 * Shows input levels (`Microphone`'s `onLevel`) on a `role=meter` element: a bar from -60 to 0 dB,
 * and its value for screen readers at most twice a second.
 */
export function levelMeter(meter) {
  let lastLabel = 0;
  return ({ rms }) => {
    const decibels = rms > 0 ? 20 * Math.log10(rms) : -100;
    const percent = Math.max(0, Math.min(100, ((decibels + 60) / 60) * 100));
    meter.firstElementChild.style.width = `${percent}%`;
    const now = performance.now();
    if (now - lastLabel > 500) {
      lastLabel = now;
      meter.setAttribute("aria-valuenow", String(Math.round(percent)));
      meter.setAttribute("aria-valuetext", decibels > -100 ? `${Math.round(decibels)} dB` : t("mic.silent"));
    }
  };
}
