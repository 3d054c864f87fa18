// The listener's caption size (A− / A+), remembered on this device.
import { $, store } from "../common.js";

const CAPTION_SIZES = [1.1, 1.3, 1.6, 2, 2.5, 3.2];

/** Wires the two buttons. */
export function setUpCaptionSize() {
  const stored = store.get("captionSize");
  let index = stored === null ? NaN : Number(stored);
  if (!Number.isInteger(index) || index < 0 || index >= CAPTION_SIZES.length) {
    index = window.matchMedia("(min-width: 48rem)").matches ? 3 : 2;
  }
  const apply = () => {
    document.documentElement.style.setProperty("--caption-size", `${CAPTION_SIZES[index]}rem`);
    // aria-disabled rather than disabled, so a keyboard user's focus stays on the button.
    $("#font-smaller").setAttribute("aria-disabled", String(index === 0));
    $("#font-larger").setAttribute("aria-disabled", String(index === CAPTION_SIZES.length - 1));
    store.set("captionSize", String(index));
  };
  $("#font-smaller").addEventListener("click", () => {
    index = Math.max(0, index - 1);
    apply();
  });
  $("#font-larger").addEventListener("click", () => {
    index = Math.min(CAPTION_SIZES.length - 1, index + 1);
    apply();
  });
  apply();
}
