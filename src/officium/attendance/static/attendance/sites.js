/* Site form: "use my location" fills the circle's centre, or adds a polygon corner. */
(function () {
  "use strict";
  var button = document.getElementById("use-my-location");
  var form = document.getElementById("site-form");
  if (!button || !form) { return; }
  var status = document.getElementById("site-location-status");

  function shape() {
    var checked = form.querySelector("input[name=shape]:checked");
    return checked ? checked.value : "circle";
  }

  button.addEventListener("click", function () {
    if (!("geolocation" in navigator)) {
      status.textContent = "This browser cannot give a location.";
      return;
    }
    status.textContent = "Finding your location…";
    navigator.geolocation.getCurrentPosition(function (position) {
      var lat = position.coords.latitude.toFixed(6);
      var lon = position.coords.longitude.toFixed(6);
      if (shape() === "polygon") {
        var area = form.elements.polygon;
        area.value = (area.value.trim() ? area.value.trim() + "\n" : "") + lat + ", " + lon;
        status.textContent = "Corner added (±" + Math.round(position.coords.accuracy) + " m).";
      } else {
        form.elements.center_latitude.value = lat;
        form.elements.center_longitude.value = lon;
        if (!form.elements.radius_m.value) {
          form.elements.radius_m.value = Math.max(50, Math.round(position.coords.accuracy * 2));
        }
        status.textContent = "Centre set (±" + Math.round(position.coords.accuracy) + " m).";
      }
    }, function (error) {
      status.textContent = "No location: " + error.message;
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 0 });
  });
})();
