/* Import preview map: new features green, updated orange, rejected red. Referenced as Namespace("jinlinImport", "map"). */
(function () {
  "use strict";
  // The live Leaflet map, for browser tests that check what the preview drew.
  if (window.L && L.Map && !L.Map.__jinlinImportHooked) {
    L.Map.addInitHook(function () { window.jinlinImportMap = this; });
    L.Map.__jinlinImportHooked = true;
  }
  var COLOUR = { "new": "#1e8e3e", "updated": "#f2a600", "rejected": "#d93025" };

  function colour(feature) {
    return COLOUR[(feature.properties || {}).change] || "#5f6b7a";
  }

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
