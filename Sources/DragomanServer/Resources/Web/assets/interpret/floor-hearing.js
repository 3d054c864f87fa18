// "Hear the speaker": the speaker's own voice for an interpreter away from the room, a listener
// stream of the session's `original` language (floor audio, docs/protocol.md), played as it arrives.
import { $ } from "../common.js";
import { ListenerStream } from "../listener-stream.js";
import { t } from "../strings.js";

export class FloorHearing {
  /** @param {string} sessionId */
  constructor(sessionId) {
    this.isOn = false;
    this.failure = "";
    this.stream = new ListenerStream({
      sessionId,
      on: {
        joined: () => this.render(),
        ended: () => this.stop(),
        refused: (reason) => this.stop(reason || t("interpret.unreachable")),
        speech: () => this.render(),
      },
    });
    this.stream.player.onchange = () => this.render();
    this.render();
  }

  /** Wires the card to the session (`passcode`: one the link carried, not asked again). */
  setUp(session, passcode) {
    $("#hear-passcode-field").hidden = !session.passcodeRequired || passcode !== null;
    $("#hear-button").addEventListener("click", async () => {
      if (this.isOn) {
        this.stop();
        return;
      }
      const typed = passcode ?? $("#hear-passcode").value;
      if (session.passcodeRequired && !typed) {
        $("#hear-error").textContent = t("interpret.typePasscode");
        $("#hear-passcode").focus();
        return;
      }
      this.isOn = true;
      this.failure = "";
      this.render();
      try {
        await this.stream.start({ language: "original", passcode: typed });
      } catch (failure) {
        this.stop(t("interpret.soundFailed", { reason: failure.message }));
      }
    });
  }

  stop(failure = "") {
    this.isOn = false;
    this.failure = failure;
    this.stream.stop();
    this.render();
  }

  render() {
    const player = this.stream.player;
    const button = $("#hear-button");
    button.setAttribute("aria-pressed", String(this.isOn));
    button.classList.toggle("primary", this.isOn);
    const status = $("#hear-status");
    status.dataset.chunks = String(player.receivedChunks);
    status.dataset.scheduled = player.scheduledSeconds.toFixed(2);
    status.textContent = this.isOn ? t("interpret.hearing", { seconds: player.receivedSeconds.toFixed(0) }) : "";
    $("#hear-error").textContent = this.failure;
  }
}
