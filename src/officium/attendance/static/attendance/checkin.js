/* Check-in page: ask the browser for one high-accuracy fix, then post the form.
   Without a fix (privacy mode, permission denied, no GPS) the form is posted without one. */
(function () {
  "use strict";
  var form = document.getElementById("checkin-form");
  if (!form) { return; }
  var status = document.getElementById("checkin-status");
  var sending = false;

  function send() {
    sending = true;
    form.submit();
  }

  function clearFix() {
    form.elements.latitude.value = "";
    form.elements.longitude.value = "";
    form.elements.accuracy.value = "";
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (sending) { return; }
    var button = event.submitter || document.activeElement;
    form.elements.direction.value = (button && button.dataset.direction) || "in";
    clearFix();
    if (form.dataset.privacy === "on" || !("geolocation" in navigator)) {
      status.textContent = "Sending without location…";
      send();
      return;
    }
    status.textContent = "Finding your location…";
    navigator.geolocation.getCurrentPosition(function (position) {
      form.elements.latitude.value = position.coords.latitude;
      form.elements.longitude.value = position.coords.longitude;
      form.elements.accuracy.value = position.coords.accuracy;
      status.textContent = "Sending…";
      send();
    }, function () {
      status.textContent = "No location available: sending without it…";
      send();
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 0 });
  });
})();
