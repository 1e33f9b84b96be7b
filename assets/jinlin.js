/* 近邻一张图: Leaflet style and point functions, referenced from Python through dash_extensions Namespace("jinlin", "map").
   Everything a user typed is put into the page with textContent, never as HTML. Every word shown comes from the
   layout (layouts/text.py MAP_LABELS) in the hideout's `labels`: this file keeps no words of its own. */
(function () {
  "use strict";

  // The live Leaflet map, for the benchmark and browser tests that click by pixel.
  if (window.L && L.Map && !L.Map.__jinlinHooked) {
    L.Map.addInitHook(function () { window.jinlinMap = this; });
    L.Map.__jinlinHooked = true;
  }

  var COMMUNITY_FILL = ["#dbe9f6", "#e4f1e1", "#fbe9d7", "#efe3f3", "#fdf3c9", "#dff2f1", "#f7dfe3", "#e8eaf0"];
  var ERA_FILL = { old: "#f3d9b1", mid: "#f6e7c8", new: "#cfe3f3", mixed: "#e6dcc6" };
  var LIGHT_COLOUR = { red: "#d93025", yellow: "#f2a600", green: "#1e8e3e" };
  var UNKNOWN_TYPE = "#455a64";  // a type the layout's table (workflow/vocab.py, via the hideout) does not know

  function hash(text) {
    var h = 0;
    for (var i = 0; i < text.length; i++) { h = (h * 31 + text.charCodeAt(i)) | 0; }
    return Math.abs(h);
  }

  // 红黄绿 as workflow/lifecycle.py's light(); the yellow window comes from the hideout (the admin's setting)
  function light(deadline, hideout) {
    var now = Date.now();
    var soon = now + hideout.yellowHours * 3600 * 1000;
    return deadline < now ? "red" : deadline < soon ? "yellow" : "green";
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function labelsOf(context) {
    return (context && context.hideout && context.hideout.labels) || {};
  }

  // "{n} 米" with {n: 300}: a template of the layout filled in
  function fill(template, values) {
    return String(template === undefined ? "" : template).replace(/\{(\w+)\}/g, function (whole, key) {
      return values[key] === undefined || values[key] === null ? "" : String(values[key]);
    });
  }

  // popup rows from [field, value] pairs, each field named by the layout's words for that popup
  function rowsOf(names, pairs) {
    return pairs.map(function (pair) { return [(names || {})[pair[0]], pair[1]]; });
  }

  function popup(title, rows) {
    var box = el("div", "popup");
    box.appendChild(el("div", "popup-title", title));
    rows.forEach(function (row) {
      if (row[1] === undefined || row[1] === null || row[1] === "") { return; }
      var line = el("div", "popup-row");
      line.appendChild(el("span", "popup-key", row[0]));
      line.appendChild(el("span", "popup-val", row[1]));
      box.appendChild(line);
    });
    return box;
  }

  // an instant as yyyy-mm-dd hh:mm on the street's clock (<html data-time-zone>, settings.py), not the browser's
  var TIME_PARTS = new Intl.DateTimeFormat("en-CA", {
    timeZone: document.documentElement.getAttribute("data-time-zone") || "Asia/Shanghai", hourCycle: "h23",
    year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" });
  function fmtTime(ms) {
    var p = {};
    TIME_PARTS.formatToParts(new Date(ms)).forEach(function (part) { p[part.type] = part.value; });
    return p.year + "-" + p.month + "-" + p.day + " " + p.hour + ":" + p.minute;
  }

  // how long a case has been overdue in all (layouts/text.py overdue_words says it the same way); null: not overdue
  function overdueWords(p, words) {
    var start = p.overdueSince || (p.deadline < Date.now() ? p.deadline : null);
    if (!start || !words) { return null; }
    var hours = Math.floor((Date.now() - start) / 3600000);
    if (hours < 1) { return words.less; }
    if (hours < 24) { return fill(words.hours, { h: hours }); }
    return fill(words.days, { d: Math.floor(hours / 24), h: hours % 24 });
  }

  window.jinlin = Object.assign({}, window.jinlin, {
    map: {
      basemapStyle: function (feature, context) {
        var kind = feature.properties.kind;
        // any line is a road (imported files bring their own kinds); walkways inside compounds are "path"
        var line = /LineString/.test(feature.geometry.type);
        if (context && context.hideout && context.hideout.dark) {
          if (line) {
            return { color: "#2f6db5", weight: kind === "arterial" ? 5 : (kind === "path" ? 1 : 2.5),
                     opacity: kind === "path" ? 0.5 : 0.9 };
          }
          return { color: "#173a63", weight: 0, fillColor: "#173a63", fillOpacity: 0.9 };
        }
        if (kind === "arterial") { return { color: "#ffffff", weight: 9, opacity: 1, className: "road-arterial" }; }
        if (kind === "path") { return { color: "#ffffff", weight: 2, opacity: 0.85, className: "road-path" }; }
        if (line) { return { color: "#ffffff", weight: 5, opacity: 1, className: "road-branch" }; }
        var fill = { park: "#cfe8c4", school: "#f3e3ef", market: "#f5ead2" }[kind] || "#e9ecef";
        return { color: fill, weight: 0, fillColor: fill, fillOpacity: 1 };
      },

      drillStyle: function (feature, context) {
        var p = feature.properties;
        var hideout = context.hideout || {};
        var selected = hideout.selected && hideout.selected === p.code;
        var base = { weight: 1.5, color: "#5f6b7a", fillOpacity: 0.85, className: "area area-" + p.level };
        if (hideout.dark) {
          // the big screen: deep blue areas, the toured one lit up
          return { weight: selected ? 4 : 2, color: selected ? "#ffd54f" : "#4fc3f7",
                   fillColor: selected ? "#1f4f8f" : "#10294f", fillOpacity: 0.9 };
        }
        if (p.level === "street" || p.level === "community") {
          base.fillColor = COMMUNITY_FILL[hash(p.code) % COMMUNITY_FILL.length];
          base.color = "#7b8794";
          base.weight = 2;
        } else if (p.level === "compound") {
          base.fillColor = ERA_FILL[p.era] || "#eee";
          base.color = "#b08a57";
        } else {
          base.fillColor = selected ? "#ff7a00" : "#9fb3c8";
          base.color = selected ? "#b34700" : "#61768c";
          base.weight = selected ? 3 : 1;
          base.fillOpacity = selected ? 0.95 : 0.8;
        }
        return base;
      },

      drillTooltip: function (feature, layer, context) {
        var p = feature.properties;
        var words = labelsOf(context);
        var label = fill(words.areaTip, { level: (words.level || {})[p.level] || "", name: p.name });
        if (p.households) { label += fill(words.households, { n: p.households }); }
        layer.bindTooltip(el("span", "", label), { sticky: true, direction: "top", className: "area-tip" });
      },

      contextStyle: function (feature) {
        var p = feature.properties;
        if (p.level === "building") {
          return { weight: 0.6, color: "#7d8a99", fillColor: "#aebdcc", fillOpacity: 0.75 };
        }
        if (p.current) {
          return { weight: 3, color: "#b06d1f", fillOpacity: 0 };
        }
        return { weight: 1, color: "#a0855b", fillOpacity: 0 };
      },

      gridStyle: function () {
        return { weight: 2, color: "#2f6fbf", dashArray: "6 5", fillOpacity: 0, opacity: 0.85 };
      },

      // dash-leaflet does not hand `interactive` down to each path; on a shared canvas an outline that is
      // "interactive" would swallow the clicks meant for the area below it.
      passive: function (feature, layer) {
        layer.options.interactive = false;
      },

      basemapLabel: function (feature, layer) {
        layer.options.interactive = false;
        var p = feature.properties;
        if (p.name && !/LineString/.test(feature.geometry.type)) {
          layer.bindTooltip(el("span", "", p.name), { permanent: true, direction: "center", offset: [0, 22], className: "place-label" });
        }
      },

      gridLabel: function (feature, layer, context) {
        layer.options.interactive = false;
        var p = feature.properties;
        if (!p.label) { return; }
        var label = p.name + (p.leader ? fill(labelsOf(context).gridLeader, { name: p.leader }) : "");
        layer.bindTooltip(el("span", "", label), { permanent: true, direction: "center", className: "grid-label" });
      },

      gapStyle: function (feature) {
        // walking minutes against the standard: within it green, up to twice it amber, beyond red
        var p = feature.properties;
        var fill = p.minutes === null ? "#7b241c" : p.minutes <= p.limit ? "#52be80"
          : p.minutes <= 2 * p.limit ? "#f5b041" : "#e74c3c";
        return { weight: 1, color: p.gap ? "#922b21" : "#1e8449", fillColor: fill, fillOpacity: 0.85 };
      },

      gapPopup: function (feature, layer, context) {
        var p = feature.properties;
        var words = labelsOf(context).gap || {};
        layer.bindPopup(popup(fill(p.gap ? words.titleGap : words.titleCovered, { name: p.name }), rowsOf(words.rows, [
          ["distance", p.distance === null ? words.unreachable : fill(words.metres, { n: p.distance })],
          ["minutes", p.minutes === null ? "—" : fill(words.minutes, { n: p.minutes, elderly: p.elderly_minutes })],
          ["standard", fill(words.standard, { radius: p.radius, limit: p.limit })], ["households", p.households],
          ["elderly", p.elderly]
        ])));
      },

      casePoint: function (feature, latlng, context) {
        var p = feature.properties;
        var lt = light(p.deadline, context.hideout);
        var marker = L.circleMarker(latlng, {
          // 超期升级 (escalated after a missed deadline) keeps a red ring whatever its present light
          radius: 8, weight: p.overdueSince ? 3 : 2, color: p.overdueSince ? LIGHT_COLOUR.red : "#fff",
          fillColor: LIGHT_COLOUR[lt], fillOpacity: 1, className: "case case-" + lt + (p.overdueSince ? " case-escalated" : "")
        });
        var labels = labelsOf(context);
        var title = p.category + " · " + p.status + (p.overdueSince ? " · " + labels.escalated : "");
        marker.bindPopup(popup(title, rowsOf(labels.caseRows, [
          ["code", p.code], ["description", p.description], ["level", p.level], ["deadline", fmtTime(p.deadline)],
          ["overdue", overdueWords(p, labels.overdueSpan)], ["assignee", p.assignee], ["reporter", p.reporter]
        ])));
        return marker;
      },

      caseCluster: function (feature, latlng, index, context) {
        var leaves = index.getLeaves(feature.properties.cluster_id, Infinity);
        var counts = { red: 0, yellow: 0, green: 0 };
        var escalated = 0;
        leaves.forEach(function (leaf) {
          counts[light(leaf.properties.deadline, context.hideout)] += 1;
          if (leaf.properties.overdueSince) { escalated += 1; }
        });
        var worst = counts.red ? "red" : counts.yellow ? "yellow" : "green";
        var n = feature.properties.point_count;
        var size = n < 10 ? 34 : n < 50 ? 40 : 48;
        var icon = L.divIcon({
          html: "<div><span>" + Number(n) + "</span></div>",
          className: "case-cluster case-cluster-" + worst, iconSize: L.point(size, size)
        });
        return L.marker(latlng, { icon: icon, title: fill(labelsOf(context).cluster, { n: n, red: counts.red, escalated: escalated }) });
      },

      servicePoint: function (feature, latlng, context) {
        var p = feature.properties;
        var glyphs = (context.hideout && context.hideout.glyphs) || {};
        var colours = (context.hideout && context.hideout.colours) || {};
        var icon = L.divIcon({
          html: "", className: "svc-icon", iconSize: L.point(26, 26), iconAnchor: L.point(13, 13)
        });
        var marker = L.marker(latlng, { icon: icon, title: p.name, riseOnHover: true });
        marker.on("add", function () {
          var node = marker.getElement();
          if (node) {
            node.textContent = glyphs[p.type] || "·";
            node.style.background = colours[p.type] || UNKNOWN_TYPE;
            node.setAttribute("data-type", p.type);
          }
        });
        var words = labelsOf(context);
        marker.bindPopup(popup(p.name, rowsOf(words.serviceRows, [
          ["type", p.type], ["hours", p.hours], ["capacity", p.capacity ? fill(words.people, { n: p.capacity }) : null],
          ["address", p.address], ["phone", p.phone]
        ])));
        return marker;
      },

      wishPoint: function (feature, latlng, context) {
        var p = feature.properties;
        var words = labelsOf(context).wish || {};
        var claimed = p.claimed;
        var icon = L.divIcon({ html: "", className: "wish-icon " + (claimed ? "wish-claimed" : "wish-open"),
                               iconSize: L.point(22, 22), iconAnchor: L.point(11, 11) });
        var marker = L.marker(latlng, { icon: icon, title: p.title });
        marker.on("add", function () { var node = marker.getElement(); if (node) { node.textContent = words.glyph; } });
        marker.bindPopup(popup(fill(words.title, { status: p.status }), rowsOf(words.rows, [
          ["code", p.code], ["title", p.title], ["published", p.published], ["claimant", p.claimant]
        ])));
        return marker;
      },

      postPoint: function (feature, latlng, context) {
        var p = feature.properties;
        var words = labelsOf(context).post || {};
        var marker = L.circleMarker(latlng, {
          radius: 6, weight: 2, color: p.staffed ? "#1e8e3e" : "#e8710a", fillColor: "#fff", fillOpacity: 1,
          className: p.staffed ? "post post-ok" : "post post-short"
        });
        marker.bindPopup(popup(p.name, rowsOf(words.rows, [
          ["type", p.type], ["filled", fill(words.filled, { filled: p.filled, slots: p.slots })],
          ["schedule", p.schedule], ["state", p.staffed ? words.staffed : fill(words.short, { n: p.slots - p.filled })]
        ])));
        return marker;
      }
    }
  });

  // clientside callbacks are looked up under window.dash_clientside
  window.dash_clientside = window.dash_clientside || {};
  window.dash_clientside.jinlinMap = {
    // a click on a polygon of the next level down: its code becomes ?area= (not while picking a spot for intake)
    drill: function (feature, search, picking) {
      var code = feature && feature.properties && feature.properties.code;
      var current = new URLSearchParams(search || "").get("area");
      if (picking || !code || current === String(code)) { return window.dash_clientside.no_update; }
      return "?area=" + encodeURIComponent(code);
    },
    // the panel's details load once the map holds the same area as the panel head (whichever came first)
    panelReady: function (mapArea, panelArea) {
      if (!panelArea || mapArea !== panelArea) { return window.dash_clientside.no_update; }
      return panelArea;
    },
    // a period chosen on the panel's switch (its re-render with the current value is not a choice)
    ratesPeriod: function (days, current) {
      if (!days || days === current) { return window.dash_clientside.no_update; }  // the server checks the value
      return days;
    },
    // what the gap layer should show: null while its overlay is off (then the server is asked once, to clear it)
    gapsWanted: function (search, overlays, type, label, current) {
      var wanted = (overlays || []).indexOf(label) >= 0 ? { search: search || "", type: type } : null;
      if (wanted === null && !current) { return window.dash_clientside.no_update; }
      return wanted;
    },
    // a new ?area= forgets the spot picked for intake (re-clearing nothing would re-render the panel for nothing)
    forgetSpot: function (search, point) {
      return point ? null : window.dash_clientside.no_update;
    },
    // a click on the map reaches the server only while 选点 is on (every other click, drills included, stays here);
    // the click count makes a second click on the very same spot count too
    pickClick: function (n, click, picking) {
      var latlng = click && click.latlng;
      if (!picking || !latlng) { return window.dash_clientside.no_update; }
      return { lat: latlng.lat, lng: latlng.lng, n: n };
    }
  };
})();
