/* FW6: the team's last known positions on the vendored Leaflet map (no tiles unless the
   operator configured a tile server: nothing is requested from another origin). */
(function () {
  "use strict";
  var element = document.getElementById("dispatch-map");
  var node = document.getElementById("dispatch-data");
  if (!element || !node || typeof L === "undefined") { return; }
  var data = JSON.parse(node.textContent);
  var map = L.map(element, { attributionControl: !!data.tiles }).setView([20, 0], 2);
  if (data.tiles) { L.tileLayer(data.tiles, { maxZoom: 19 }).addTo(map); }
  L.control.scale({ metric: true, imperial: false }).addTo(map);
  var group = L.featureGroup().addTo(map);
  (data.positions || []).forEach(function (p) {
    L.circleMarker([p.latitude, p.longitude], { radius: 7, color: "#1f4e79", className: "position" })
      .bindTooltip(p.member + " · " + p.at).addTo(group);
  });
  if (group.getLayers().length) { map.fitBounds(group.getBounds().pad(0.3), { maxZoom: 15 }); }
})();
