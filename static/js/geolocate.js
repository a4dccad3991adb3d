/* "Use my location": the browser's Geolocation API, no external service.
 * <button data-geolocate data-lat="#id" data-lon="#id">  fills two inputs;
 * <button data-geolocate data-go="/hubs">                 goes to /hubs?lat=..&lon=..
 * data-status="#id" names an element where progress and errors are announced. */
(function () {
  "use strict";
  function round(v) { return Math.round(v * 1e6) / 1e6; }
  document.querySelectorAll("[data-geolocate]").forEach(function (button) {
    if (!("geolocation" in navigator)) { button.hidden = true; return; }
    button.hidden = false;
    var status = button.dataset.status ? document.querySelector(button.dataset.status) : null;
    function say(text) { if (status) { status.textContent = text; } }
    button.addEventListener("click", function () {
      say(button.dataset.waiting || "…");
      button.disabled = true;
      navigator.geolocation.getCurrentPosition(function (pos) {
        var lat = round(pos.coords.latitude), lon = round(pos.coords.longitude);
        button.disabled = false;
        if (button.dataset.go) {
          var url = new URL(button.dataset.go, window.location.href);
          url.searchParams.set("lat", lat);
          url.searchParams.set("lon", lon);
          window.location.assign(url.toString());
          return;
        }
        document.querySelector(button.dataset.lat).value = lat;
        document.querySelector(button.dataset.lon).value = lon;
        say(button.dataset.done || "OK");
      }, function () {
        button.disabled = false;
        say(button.dataset.failed || "Location unavailable.");
      }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 600000 });
    });
  });
})();
