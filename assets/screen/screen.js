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

  var WEEK = ["日", "一", "二", "三", "四", "五", "六"];
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  // clientside callbacks are looked up under window.dash_clientside
  window.dash_clientside = Object.assign({}, window.dash_clientside, { jinlinScreen: {
    clock: function () {
      var d = new Date();
      return d.getFullYear() + "年" + (d.getMonth() + 1) + "月" + d.getDate() + "日 星期" + WEEK[d.getDay()] +
        "  " + pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds());
    }
  } });
})();
