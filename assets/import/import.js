/* Import preview map: new features green, updated orange, rejected red. Referenced as Namespace("jinlinImport", "map"). */
(function () {
  "use strict";
  // The live Leaflet map, for browser tests that check what the preview drew.
  if (window.L && L.Map && !L.Map.__jinlinImportHooked) {
    L.Map.addInitHook(function () {
      // the setup's drawing map (issue 12) is not the preview
      if (this.getContainer().classList.contains("setup-map")) { window.jinlinSetupMap = this; return; }
      window.jinlinImportMap = this;
    });
    L.Map.__jinlinImportHooked = true;
  }
  var COLOUR = { "new": "#1e8e3e", "updated": "#f2a600", "rejected": "#d93025" };
  // a file's shapes read two ways while its CRS is an open question (the legend: .legend-wgs84 / .legend-gcj02)
  var READING = { "wgs84": "#1a73e8", "gcj02": "#c2185b" };

  function colour(feature) {
    var p = feature.properties || {};
    return COLOUR[p.change] || READING[p.reading] || "#5f6b7a";
  }

  // A file over the page's limit never reaches a callback (dcc.Upload drops it), so say so here.
  function checkSize(files, target) {
    var box = target && target.closest && target.closest("#import-upload-box");
    if (!box || !files || !files.length || !window.dash_clientside || !window.dash_clientside.set_props) { return; }
    if (files[0].size > Number(box.getAttribute("data-limit"))) {
      window.dash_clientside.set_props("import-message", {
        children: box.getAttribute("data-message"), className: "admin-message error"
      });
      window.dash_clientside.set_props("import-file-info", { children: files[0].name });
    }
  }
  document.addEventListener("change", function (e) {
    if (e.target && e.target.type === "file") { checkSize(e.target.files, e.target); }
  }, true);
  document.addEventListener("drop", function (e) {
    checkSize(e.dataTransfer && e.dataTransfer.files, e.target);
  }, true);

  window.jinlinImport = {
    map: {
      style: function (feature) {
        var c = colour(feature);
        return { color: c, weight: 2, fillColor: c, fillOpacity: 0.25 };
      },
      context: function () {
        return { color: "#8a96a3", weight: 1, dashArray: "4 3", fill: false };
      },
      // outlines for orientation only: clicks go through to the map (dash-leaflet does not pass `interactive`)
      quiet: function (feature, layer) { layer.options.interactive = false; },
      point: function (feature, latlng) {
        var c = colour(feature);
        return L.circleMarker(latlng, { radius: 6, color: "#fff", weight: 1.5, fillColor: c, fillOpacity: 0.95 });
      }
    }
  };
})();
