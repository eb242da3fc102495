// Cookie banner: answer with fetch when JavaScript runs; the form still works without it.
(function () {
  "use strict";
  document.querySelectorAll("form[data-consent-form]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.fetch || !window.FormData) { return; }
      event.preventDefault();
      var data = new FormData(form);
      if (event.submitter && event.submitter.name) {
        data.append(event.submitter.name, event.submitter.value);
      }
      fetch(form.action, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "Accept": "application/json" }
      }).then(function (response) {
        if (!response.ok) { throw new Error("consent not saved"); }
        var banner = form.closest("[data-consent-banner]");
        if (banner) { banner.remove(); }
        document.dispatchEvent(new CustomEvent("officium:cookie-choice"));
      }).catch(function () {
        if (event.submitter && event.submitter.name) {
          var hidden = document.createElement("input");
          hidden.type = "hidden"; hidden.name = event.submitter.name; hidden.value = event.submitter.value;
          form.appendChild(hidden);
        }
        form.submit();
      });
    });
  });
})();
