/* Field pages: a form marked data-locate asks the browser for one fix when it is sent (the
   server decides whether to keep it: profile and privacy mode); location answers; signature pads. */
(function () {
  "use strict";
  function fill(form, position) {
    form.elements.latitude.value = position ? position.coords.latitude : "";
    form.elements.longitude.value = position ? position.coords.longitude : "";
    form.elements.accuracy.value = position ? position.coords.accuracy : "";
  }
  document.querySelectorAll("form[data-locate]").forEach(function (form) {
    var sending = false;
    form.addEventListener("submit", function (event) {
      if (sending) { return; }
      event.preventDefault();
      var button = event.submitter;
      var status = form.querySelector("[data-locate-status]");
      function send() {
        sending = true;
        if (button && button.name) {
          var hidden = document.createElement("input");
          hidden.type = "hidden"; hidden.name = button.name; hidden.value = button.value;
          form.appendChild(hidden);
        }
        form.submit();
      }
      if (!("geolocation" in navigator)) { fill(form, null); send(); return; }
      if (status) { status.textContent = "Finding your location…"; }
      navigator.geolocation.getCurrentPosition(function (p) { fill(form, p); send(); },
        function () { fill(form, null); send(); }, { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
    });
  });
  document.querySelectorAll("[data-fill-location]").forEach(function (button) {
    button.addEventListener("click", function () {
      var name = button.getAttribute("data-fill-location");
      navigator.geolocation.getCurrentPosition(function (p) {
        document.querySelector("[name='" + name + "-lat']").value = p.coords.latitude.toFixed(6);
        document.querySelector("[name='" + name + "-lon']").value = p.coords.longitude.toFixed(6);
      });
    });
  });
  document.querySelectorAll("canvas[data-signature]").forEach(function (canvas) {
    var name = canvas.getAttribute("data-signature");
    var input = document.querySelector("input[name='" + name + "']");
    var ctx = canvas.getContext("2d");
    var drawing = false;
    function at(e) { var r = canvas.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; }
    canvas.addEventListener("pointerdown", function (e) { drawing = true; ctx.beginPath(); ctx.moveTo.apply(ctx, at(e)); });
    canvas.addEventListener("pointermove", function (e) { if (drawing) { ctx.lineTo.apply(ctx, at(e)); ctx.stroke(); } });
    window.addEventListener("pointerup", function () {
      if (drawing) { drawing = false; input.value = canvas.toDataURL("image/png"); }
    });
    var clear = document.querySelector("[data-clear-signature='" + name + "']");
    if (clear) { clear.addEventListener("click", function () { ctx.clearRect(0, 0, canvas.width, canvas.height); input.value = ""; }); }
  });
})();
