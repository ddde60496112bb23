// briefbot preview: reloads the page when the briefs folder's generation moves on (a save,
// a fix, a new mistake), and remembers the theme chosen with the toggle.
(function () {
  var root = document.documentElement;
  var saved = null;
  try { saved = localStorage.getItem("briefbot-theme"); } catch (e) {}
  if (saved) root.dataset.theme = saved;
  var toggle = document.getElementById("theme");
  if (toggle) toggle.addEventListener("click", function () {
    var dark = root.dataset.theme ? root.dataset.theme === "dark"
      : window.matchMedia("(prefers-color-scheme: dark)").matches;
    root.dataset.theme = dark ? "light" : "dark";
    try { localStorage.setItem("briefbot-theme", root.dataset.theme); } catch (e) {}
  });
  var events = new EventSource("/events");
  events.onmessage = function (event) {
    if (event.data !== root.dataset.generation) location.reload();
  };
})();
