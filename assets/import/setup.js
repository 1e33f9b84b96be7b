/* The setup map's drawing tools in Chinese. Leaflet.draw reads L.drawLocal when a tool starts, so its words (from
   layouts/text.py, in the data-draw-local attribute) are merged in before the first click reaches the toolbar. */
(function () {
  "use strict";
  function merge(into, from) {
    Object.keys(from).forEach(function (key) {
      if (from[key] && typeof from[key] === "object" && into[key] && typeof into[key] === "object") {
        merge(into[key], from[key]);
      } else {
        into[key] = from[key];
      }
    });
  }

  function localise(event) {
    var box = event.target && event.target.closest && event.target.closest("[data-draw-local]");
    if (!box || box.jinlinLocalised || !window.L || !L.drawLocal) { return; }
    var words = JSON.parse(box.getAttribute("data-draw-local"));
    merge(L.drawLocal, words);
    // the toolbar was drawn before the words came: its titles are set here, later ones by Leaflet.draw itself
    var titles = {
      ".leaflet-draw-draw-polygon": words.draw.toolbar.buttons.polygon,
      ".leaflet-draw-edit-edit": words.edit.toolbar.buttons.edit,
      ".leaflet-draw-edit-remove": words.edit.toolbar.buttons.remove
    };
    Object.keys(titles).forEach(function (selector) {
      box.querySelectorAll(selector).forEach(function (a) { a.title = titles[selector]; });
    });
    box.jinlinLocalised = true;
  }
  // After a save the server empties the control's geojson; the shapes drawn go from the map with it. (Leaflet.draw's
  // own "clear all" is found by its button's English text, which the words above replace.)
  window.dash_clientside = window.dash_clientside || {};
  window.dash_clientside.jinlinSetup = {
    clearDrawn: function (geojson) {
      var map = window.jinlinSetupMap;
      if (map && geojson && geojson.features && !geojson.features.length) {
        map.eachLayer(function (layer) {
          if (layer instanceof L.Path && !layer.feature) {
            Object.keys(layer._eventParents || {}).forEach(function (key) {
              var parent = layer._eventParents[key];
              if (parent.removeLayer) { parent.removeLayer(layer); }
            });
            map.removeLayer(layer);
          }
        });
      }
      return window.dash_clientside.no_update;
    }
  };
  document.addEventListener("mouseover", localise, true);
  document.addEventListener("pointerdown", localise, true);
})();
