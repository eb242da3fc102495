// UX3: the menu button on phones, and one open section at a time on wide screens.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("menu-button");
    var nav = document.getElementById("site-nav");
    if (!button || !nav) { return; }
    var sections = nav.querySelectorAll("details.nav-section");
    var wide = window.matchMedia("(min-width: 60rem)");
    button.addEventListener("click", function () {
      var open = nav.classList.toggle("open");
      button.setAttribute("aria-expanded", open ? "true" : "false");
      if (open && !wide.matches) {
        sections.forEach(function (d) { if (d.classList.contains("current")) { d.open = true; } });
      }
    });
    sections.forEach(function (details) {
      details.addEventListener("toggle", function () {
        if (details.open && wide.matches) {
          sections.forEach(function (other) { if (other !== details) { other.open = false; } });
        }
      });
    });
    document.addEventListener("click", function (event) {
      if (wide.matches && !nav.contains(event.target)) {
        sections.forEach(function (d) { d.open = false; });
      }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        sections.forEach(function (d) { d.open = false; });
        if (nav.classList.contains("open")) { nav.classList.remove("open"); button.setAttribute("aria-expanded", "false"); button.focus(); }
      }
    });
  });
})();
