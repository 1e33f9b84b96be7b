/* Big screen: fit the 1920×1080 design to any display, and the clock. */
(function () {
  "use strict";
  function fit() {
    var s = Math.min(window.innerWidth / 1920, window.innerHeight / 1080);
    document.documentElement.style.setProperty("--screen-scale", String(s));
    document.documentElement.style.setProperty("--screen-left", ((window.innerWidth - 1920 * s) / 2) + "px");
    document.documentElement.style.setProperty("--screen-top", ((window.innerHeight - 1080 * s) / 2) + "px");
  }
  window.addEventListener("resize", fit);
  fit();

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  // clientside callbacks are looked up under window.dash_clientside
  window.dash_clientside = Object.assign({}, window.dash_clientside, { jinlinScreen: {
    // the date in the layout's words (layouts/text.py SCREEN_CLOCK), the time as hh:mm:ss
    clock: function (_n, words) {
      var d = new Date();
      var w = words || {};
      var values = { y: d.getFullYear(), m: d.getMonth() + 1, d: d.getDate(), weekday: (w.weekdays || [])[d.getDay()],
                     time: pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds()) };
      return String(w.format || "").replace(/\{(\w+)\}/g, function (whole, key) { return values[key]; });
    }
  } });
})();
