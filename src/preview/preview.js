// briefbot preview: reloads the page when the briefs folder's generation moves on (a save,
// a fix, a new mistake), where the page is served live, and remembers the theme chosen with
// the toggle.
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
  // An embargo's moment in the editor's time zone, and how far off it is; again every 15 s.
  function moments() {
    var now = Date.now();
    var relative = window.Intl && Intl.RelativeTimeFormat
      ? new Intl.RelativeTimeFormat(undefined, { numeric: "auto" }) : null;
    var units = [["year", 31536e6], ["month", 2592e6], ["day", 864e5], ["hour", 36e5],
      ["minute", 6e4], ["second", 1e3]];
    document.querySelectorAll("time[data-moment]").forEach(function (time) {
      var at = Number(time.dataset.moment);
      var text = new Date(at).toLocaleString(undefined,
        { dateStyle: "medium", timeStyle: "short" });
      if (relative) {
        var left = at - now, unit = units[units.length - 1];
        for (var i = 0; i < units.length; i++) {
          if (Math.abs(left) >= units[i][1]) { unit = units[i]; break; }
        }
        text += " (" + relative.format(Math.round(left / unit[1]), unit[0]) + ")";
      }
      time.textContent = text;
      time.title = time.getAttribute("datetime");
    });
  }
  moments();
  setInterval(moments, 15000);
  // Only the live preview has an event stream; an exported one, opened from disk or a web
  // host, never changes once written and has nothing to listen to.
  if (root.dataset.events && window.EventSource) {
    var events = new EventSource(root.dataset.events);
    events.onmessage = function (event) {
      if (event.data !== root.dataset.generation) location.reload();
    };
  }
})();
