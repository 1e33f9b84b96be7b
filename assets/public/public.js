/* 近邻一张图 residents' page: point styling and filtering on the client, geolocation. Text goes in as textContent. */
(function () {
  "use strict";
  var UNKNOWN_TYPE = "#455a64";  // a type the layout's table (workflow/vocab.py, via the hideout) does not know

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  window.jinlinPublic = Object.assign({}, window.jinlinPublic, {
    map: {
      road: function (feature) {
        var kind = feature.properties.kind;
        if (kind === "arterial") { return { color: "#ffffff", weight: 7, opacity: 1 }; }
        if (/LineString/.test(feature.geometry.type)) { return { color: "#ffffff", weight: 4, opacity: 1 }; }
        var fill = { park: "#cfe8c4", school: "#f3e3ef", market: "#f5ead2" }[kind] || "#e9ecef";
        return { color: fill, weight: 0, fillColor: fill, fillOpacity: 1 };
      },

      filter: function (feature, context) {
        var h = context.hideout || {};
        var p = feature.properties;
        if (h.types && h.types.length && h.types.indexOf(p.type) < 0) { return false; }
        if (h.q) {
          var q = h.q.toLowerCase();
          var hay = (p.name + " " + (p.address || "") + " " + p.type).toLowerCase();
          if (hay.indexOf(q) < 0) { return false; }
        }
        return true;
      },

      point: function (feature, latlng, context) {
        var p = feature.properties;
        var h = context.hideout || {};
        // a share link selects its point even when these points arrive before the page's first callback
        var shared = new URLSearchParams(window.location.search).get("point");
        var selected = (h.selected || shared) === p.code;
        var size = selected ? 34 : 28;
        var icon = L.divIcon({ html: "", className: "pub-marker" + (selected ? " selected" : ""),
                               iconSize: L.point(size, size), iconAnchor: L.point(size / 2, size / 2) });
        var marker = L.marker(latlng, { icon: icon, title: p.name, zIndexOffset: selected ? 1000 : 0 });
        marker.on("add", function () {
          var node = marker.getElement();
          if (node) {
            node.textContent = (h.glyphs && h.glyphs[p.type]) || "·";
            node.style.background = (h.colours && h.colours[p.type]) || UNKNOWN_TYPE;
          }
          if (selected) { setTimeout(function () { marker.openPopup(); }, 300); }
        });
        var box = el("div", "pub-popup");
        box.appendChild(el("b", "", p.name));
        box.appendChild(el("div", "muted", p.type));
        box.appendChild(el("div", "", "开放时间：" + (p.hours || "—")));
        if (p.address) { box.appendChild(el("div", "", "地址：" + p.address)); }
        if (p.phone) { box.appendChild(el("div", "", "电话：" + p.phone)); }
        marker.bindPopup(box);
        return marker;
      }
    }
  });

  // clientside callbacks are looked up under window.dash_clientside
  window.dash_clientside = Object.assign({}, window.dash_clientside, { jinlinPublic: {
    // Browser geolocation; a Promise so the page keeps working while the phone asks for permission.
    locate: function () {
      return new Promise(function (resolve) {
        if (!navigator.geolocation) {
          resolve([window.dash_clientside.no_update, "无法获取位置（浏览器不支持）。请在地图上点一下你所在的位置。"]);
          return;
        }
        navigator.geolocation.getCurrentPosition(function (pos) {
          resolve([[pos.coords.latitude, pos.coords.longitude], "已按离你的距离排序"]);
        }, function () {
          resolve([window.dash_clientside.no_update, "无法获取位置（可能未授权）。请在地图上点一下你所在的位置。"]);
        }, { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 });
      });
    }
  } });
})();
