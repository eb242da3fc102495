/* WT8: the sites map, drawn with the Leaflet copy Officium serves itself.
   No tile layer unless the operator configured a tile server: sites are drawn on a plain
   background with a scale, and the page requests nothing from another origin.
   On the site form (#site-form), clicks draw the site: for a circle the first click sets the
   centre and the second the radius; for a polygon each click adds a corner. The form is then
   saved as before, through the site service. */
(function () {
  "use strict";
  if (typeof L === "undefined") { return; }
  var element = document.getElementById("site-map");
  if (!element) { return; }
  var dataNode = document.getElementById("map-data");
  var data = dataNode ? JSON.parse(dataNode.textContent) : { sites: [], attempts: [] };
  var map = L.map(element, { attributionControl: !!data.tiles, zoomSnap: 0.25 }).setView([20, 0], 2);
  if (data.tiles) {
    L.tileLayer(data.tiles, { maxZoom: 19, attribution: data.attribution || "" }).addTo(map);
  }
  L.control.scale({ metric: true, imperial: false }).addTo(map);
  var drawn = L.featureGroup().addTo(map);
  var siteStyle = { color: "#1f5fbf", weight: 2, fillOpacity: 0.15 };

  function drawSite(site, group) {
    var layer = null;
    var style = L.extend({ className: site.id ? "site-shape site-" + site.id : "site-draft" }, siteStyle);
    if (site.shape === "circle" && site.center && site.radius_m) {
      layer = L.circle(site.center, L.extend({ radius: site.radius_m }, style));
    } else if (site.shape === "polygon" && site.polygon && site.polygon.length >= 3) {
      layer = L.polygon(site.polygon, style);
    }
    if (layer) {
      if (site.name) { layer.bindTooltip(site.name); }
      layer.addTo(group);
    }
    return layer;
  }

  (data.sites || []).forEach(function (site) { drawSite(site, drawn); });
  (data.attempts || []).forEach(function (a) {
    var ok = a.result === "accepted";
    L.circleMarker([a.latitude, a.longitude], {
      radius: 6, color: ok ? "#127a3a" : "#b42318", weight: 2, fillOpacity: 0.6, className: "attempt"
    }).bindTooltip(a.member + " · " + (a.direction === "in" ? "check-in" : "check-out") + " · " +
                   a.local_time + " · " + a.result.replace("_", " ")).addTo(drawn);
  });

  function fit() {
    var bounds = drawn.getBounds();
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [24, 24], maxZoom: 17 });
    } else {
      map.setView([20, 0], 2);
    }
  }
  fit();

  var form = document.getElementById("site-form");
  if (!form) { return; }
  element.setAttribute("data-drawing", "1");
  var editing = L.featureGroup().addTo(map);

  function shape() {
    var checked = form.querySelector("input[name=shape]:checked");
    return checked ? checked.value : "circle";
  }
  function num(name) {
    var v = parseFloat(form.elements[name].value);
    return isNaN(v) ? null : v;
  }
  function corners() {
    return form.elements.polygon.value.split("\n").map(function (line) {
      var parts = line.split(",");
      return [parseFloat(parts[0]), parseFloat(parts[1])];
    }).filter(function (p) { return !isNaN(p[0]) && !isNaN(p[1]); });
  }
  function redraw() {
    editing.clearLayers();
    var lat = num("center_latitude"), lon = num("center_longitude"), r = num("radius_m");
    var site = shape() === "circle"
      ? { shape: "circle", center: lat !== null && lon !== null ? [lat, lon] : null, radius_m: r || 1 }
      : { shape: "polygon", polygon: corners() };
    drawSite(site, editing);
    if (site.shape === "polygon") {
      site.polygon.forEach(function (p) { L.circleMarker(p, { radius: 4 }).addTo(editing); });
    } else if (site.center) {
      L.circleMarker(site.center, { radius: 4 }).addTo(editing);
    }
  }
  var awaitingRadius = false;
  map.on("click", function (event) {
    var lat = event.latlng.lat.toFixed(6), lon = event.latlng.lng.toFixed(6);
    if (shape() === "polygon") {
      var area = form.elements.polygon;
      area.value = (area.value.trim() ? area.value.trim() + "\n" : "") + lat + ", " + lon;
    } else if (awaitingRadius && num("center_latitude") !== null) {
      var centre = L.latLng(num("center_latitude"), num("center_longitude"));
      form.elements.radius_m.value = Math.max(1, Math.round(centre.distanceTo(event.latlng)));
      awaitingRadius = false;
    } else {
      form.elements.center_latitude.value = lat;
      form.elements.center_longitude.value = lon;
      awaitingRadius = true;
    }
    redraw();
  });
  form.addEventListener("input", redraw);
  form.addEventListener("change", redraw);
  var clear = document.getElementById("clear-shape");
  if (clear) {
    clear.addEventListener("click", function () {
      form.elements.polygon.value = "";
      awaitingRadius = false;
      redraw();
    });
  }
  redraw();
  if (!drawn.getBounds().isValid() && editing.getBounds().isValid()) {
    map.fitBounds(editing.getBounds(), { padding: [24, 24], maxZoom: 17 });
  }
})();
