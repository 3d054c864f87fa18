// Loaded without defer in <head>, so the page is painted in the right theme from the start:
// the one the person picked on this device, else the system's.
(function () {
  var stored = null;
  try {
    stored = localStorage.getItem("dragoman.theme");
  } catch (e) {}
  var dark = stored ? stored === "dark" : window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  document.documentElement.dataset.theme = dark ? "dark" : "light";
})();
