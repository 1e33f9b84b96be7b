/* 资源下沉规划: building colours under a plan and the site markers, referenced through Namespace("jinlinPlanning", "map").
   Names come from our own data but are still set with textContent / title, never as HTML. */
(function () {
  "use strict";

  if (window.L && L.Map && !L.Map.__jinlinHooked) {
    L.Map.addInitHook(function () { window.jinlinMap = this; });
    L.Map.__jinlinHooked = true;
  }

  function fill(minutes, limit) {
    if (minutes === null || minutes === undefined) { return "#7b241c"; }
    return minutes <= limit ? "#52be80" : minutes <= 2 * limit ? "#f5b041" : "#e74c3c";
  }

  var ROLE_CLASS = { existing: "existing", removed: "removed", candidate: "candidate", added: "added" };

  window.jinlinPlanning = Object.assign({}, window.jinlinPlanning, {
    map: {
      buildingStyle: function (feature, context) {
        var p = feature.properties;
        var after = (context.hideout && context.hideout.after) || {};
        var moved = Object.prototype.hasOwnProperty.call(after, p.code);
        var minutes = moved ? after[p.code] : p.minutes;
        return { weight: moved ? 1.4 : 0.6, color: moved ? "#1a5276" : "#7f8c8d", fillColor: fill(minutes, p.limit),
                 fillOpacity: 0.85 };
      },

      sitePoint: function (feature, latlng) {
        var p = feature.properties;
        var size = p.role === "added" ? 30 : p.role === "candidate" ? 16 : 24;
        var icon = L.divIcon({ html: "", className: "plan-pin " + ROLE_CLASS[p.role], iconSize: L.point(size, size),
                               iconAnchor: L.point(size / 2, size / 2) });
        var marker = L.marker(latlng, { icon: icon, title: p.name, riseOnHover: true,
                                        zIndexOffset: p.role === "added" ? 1000 : p.role === "candidate" ? 0 : 500 });
        marker.on("add", function () {
          var node = marker.getElement();
          if (!node) { return; }
          node.setAttribute("data-role", p.role);
          node.textContent = p.role === "added" ? String(p.n) : p.role === "candidate" ? "" : "●";
        });
        return marker;
      }
    }
  });
})();
