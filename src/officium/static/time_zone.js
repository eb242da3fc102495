/* Signup: preselect the browser's own time zone when the select offers it (WT1). */
(function () {
  "use strict";
  var select = document.querySelector("select[data-browser-zone]");
  if (!select || select.dataset.touched) { return; }
  var zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return; }
  if (select.value === "UTC" && zone && select.querySelector('option[value="' + zone + '"]')) {
    select.value = zone;
  }
})();
