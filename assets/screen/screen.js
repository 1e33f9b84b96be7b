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

  // Switched off: once its token is revoked the server answers the screen's callbacks "off" (api/auth.py
  // screen_off; 401 once a person's session ended). Instead of frozen numbers beside a ticking clock, the page
  // reloads, and the server answers the reload with the switched-off page (or, for a person, the login).
  var serverFetch = window.fetch;
  window.fetch = function (resource) {
    var url = typeof resource === "string" ? resource : (resource && resource.url) || "";
    return serverFetch.apply(this, arguments).then(function (response) {
      var off = response.headers.get("X-Jinlin-Screen") === "off" || response.status === 401;
      if (off && url.indexOf("_dash-update-component") !== -1) {
        window.location.reload();
        return new Promise(function () {});  // never settles: the page is going, nothing is left to report
      }
      return response;
    });
  };

  // the street's clock (<html data-time-zone>, settings.py), whatever zone the display's computer is set to
  var PARTS = new Intl.DateTimeFormat("en-CA", {
    timeZone: document.documentElement.getAttribute("data-time-zone") || "Asia/Shanghai", hourCycle: "h23",
    year: "numeric", month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" });
  // clientside callbacks are looked up under window.dash_clientside
  window.dash_clientside = Object.assign({}, window.dash_clientside, { jinlinScreen: {
    // the date in the layout's words (layouts/text.py SCREEN_CLOCK), the time as hh:mm:ss
    clock: function (_n, words) {
      var p = {};
      PARTS.formatToParts(new Date()).forEach(function (part) { p[part.type] = part.value; });
      var w = words || {};
      // the weekday of that calendar date (0: Sunday), wherever the browser is
      var day = new Date(Date.UTC(+p.year, +p.month - 1, +p.day)).getUTCDay();
      var values = { y: +p.year, m: +p.month, d: +p.day, weekday: (w.weekdays || [])[day],
                     time: p.hour + ":" + p.minute + ":" + p.second };
      return String(w.format || "").replace(/\{(\w+)\}/g, function (whole, key) { return values[key]; });
    }
  } });
})();
