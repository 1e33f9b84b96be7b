/* 近邻一张图 residents' page: point styling and filtering on the client, geolocation. Text goes in as textContent. */
(function () {
  "use strict";
  var UNKNOWN_TYPE = "#455a64";  // a type the layout's table (workflow/vocab.py, via the hideout) does not know
  var found = { from: null, codes: null };  // the codes of the last search, as a set

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
        // a search is matched on the server (synonyms, pinyin: callbacks/public.py); here only its codes
        if (h.codes) {
          if (found.from !== h.codes) { found = { from: h.codes, codes: new Set(h.codes) }; }
          return found.codes.has(p.code);
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
        var words = h.labels || {};  // the layout's words (layouts/text.py PUBLIC_POPUP)
        box.appendChild(el("div", "", words.hours + (p.hours || "—")));
        if (p.address) { box.appendChild(el("div", "", words.address + p.address)); }
        if (p.phone) { box.appendChild(el("div", "", words.phone + p.phone)); }
        marker.bindPopup(box);
        return marker;
      }
    }
  });

  // 分享此处: the link still moves the address to the point (dcc.Link); here its whole URL goes to the phone's share
  // sheet, or to the clipboard, and the page says which happened (words: the layout's #public-share-status)
  function say(status, key) {
    status.textContent = status.getAttribute(key) || "";
    status.hidden = false;
    clearTimeout(say.timer);
    say.timer = setTimeout(function () { status.hidden = true; }, 4000);
  }
  function copyByHand(url) {
    var box = document.createElement("textarea");
    box.value = url;
    box.setAttribute("readonly", "");
    box.style.position = "fixed";
    box.style.opacity = "0";
    document.body.appendChild(box);
    box.select();
    var done = false;
    try { done = document.execCommand("copy"); } catch (err) { done = false; }
    document.body.removeChild(box);
    return done;
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".pub-share");
    var status = document.getElementById("public-share-status");
    if (!link || !status) { return; }
    var url = new URL(link.getAttribute("href"), window.location.href).href;
    var touch = window.matchMedia && window.matchMedia("(pointer: coarse)").matches;
    if (navigator.share && touch) {
      navigator.share({ title: link.title, url: url }).catch(function () {});
      return;
    }
    var fallback = function () { say(status, copyByHand(url) ? "data-copied" : "data-failed"); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(url).then(function () { say(status, "data-copied"); }, fallback);
    } else {
      fallback();
    }
  });

  // the type chips' fade (public.css) goes once the row is scrolled to its end
  document.addEventListener("scroll", function (event) {
    var row = event.target;
    if (row && row.classList && row.classList.contains("pub-types")) {
      row.classList.toggle("at-end", row.scrollLeft + row.clientWidth >= row.scrollWidth - 2);
    }
  }, true);

  // clientside callbacks are looked up under window.dash_clientside
  window.dash_clientside = Object.assign({}, window.dash_clientside, { jinlinPublic: {
    // Browser geolocation; a Promise so the page keeps working while the phone asks for permission.
    // `words`: what to say in each outcome, from the layout (layouts/text.py PUBLIC_LOCATE_WORDS)
    locate: function (_n, words) {
      var w = words || {};
      return new Promise(function (resolve) {
        if (!navigator.geolocation) {
          resolve([window.dash_clientside.no_update, w.unsupported]);
          return;
        }
        navigator.geolocation.getCurrentPosition(function (pos) {
          resolve([[pos.coords.latitude, pos.coords.longitude], w.sorted]);
        }, function () {
          resolve([window.dash_clientside.no_update, w.denied]);
        }, { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 });
      });
    }
  } });
})();
