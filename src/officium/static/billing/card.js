/* BI2/SE2: the card goes to the payment provider's own script (Stripe.js, or the stand-in's
 * copy of its API) and never to Officium: the provider returns a payment method id, which is
 * all this form posts. The card fields are drawn by the provider and have no name. */
(function () {
  "use strict";
  var form = document.getElementById("card-form");
  if (!form || typeof window.Stripe !== "function") { return; }
  var stripe = window.Stripe(form.dataset.publishableKey);
  var card = stripe.elements().create("card");
  card.mount("#card-element");
  var errors = document.getElementById("card-errors");
  var busy = false;
  form.addEventListener("submit", function (event) {
    if (form.elements.payment_method.value) { return; }
    event.preventDefault();
    if (busy) { return; }
    busy = true;
    errors.textContent = "";
    var value = function (name) { return (form.elements[name].value || "").trim(); };
    stripe.createPaymentMethod({
      type: "card", card: card,
      billing_details: { name: value("cardholder_name"),
                         address: { line1: value("address_line"), postal_code: value("postal_code"),
                                    city: value("city"), country: value("country").toUpperCase() } }
    }).then(function (result) {
      busy = false;
      if (result.error) { errors.textContent = result.error.message; return; }
      form.elements.payment_method.value = result.paymentMethod.id;
      form.submit();
    });
  });
})();
