/* The map of hubs and producers (templates/hubs/map.html), drawn with Leaflet from
 * static/vendor/leaflet. The places are the page's list (<li data-place data-lat data-lon
 * data-kind data-name data-url>): without JavaScript, or without tiles, the list is there.
 * Hubs are pins, producers green dots; each opens a popup linking to its page. */
(function () {
  "use strict";
  var element = document.querySelector("[data-map]");
  if (!element || typeof window.L === "undefined") { return; }
  var L = window.L;
  var list = document.querySelector(element.dataset.places || "#map-places");
  var places = list ? list.querySelectorAll("[data-place][data-lat][data-lon]") : [];
  element.hidden = false;
  var legend = document.querySelector("[data-map-legend]");
  if (legend) { legend.hidden = false; }
  var map = L.map(element, { scrollWheelZoom: false });
  L.tileLayer(element.dataset.tiles, {
    maxZoom: 18,
    attribution: element.dataset.attribution || ""
  }).addTo(map);

  function popup(place) {
    var box = document.createElement("div");
    var kind = document.createElement("p");
    kind.className = "pub-popup-kind";
    kind.textContent = place.dataset.kind === "hub" ? element.dataset.hubLabel : element.dataset.producerLabel;
    var link = document.createElement("a");
    link.href = place.dataset.url;
    link.textContent = place.dataset.name;
    box.appendChild(kind);
    box.appendChild(link);
    return box;
  }

  var bounds = [];
  Array.prototype.forEach.call(places, function (place) {
    var lat = parseFloat(place.dataset.lat), lon = parseFloat(place.dataset.lon);
    if (isNaN(lat) || isNaN(lon)) { return; }
    var marker = place.dataset.kind === "hub"
      ? L.marker([lat, lon], { title: place.dataset.name, alt: place.dataset.name })
      : L.circleMarker([lat, lon], { radius: 8, color: "#1b5e20", weight: 2, fillColor: "#43a047", fillOpacity: 0.9, className: "pub-producer-marker" });
    marker.bindPopup(popup(place));
    marker.addTo(map);
    bounds.push([lat, lon]);
  });
  if (bounds.length > 1) {
    map.fitBounds(bounds, { padding: [30, 30], maxZoom: 12 });
  } else if (bounds.length === 1) {
    map.setView(bounds[0], 11);
  } else {
    map.setView([46.6, 2.4], 5); // France
  }
})();
