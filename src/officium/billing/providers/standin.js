/* The payment stand-in's substitute for Stripe.js (tests and demo only).
 * The same calls as Stripe.js: Stripe(key).elements().create("card").mount(el) and
 * stripe.createPaymentMethod({type: "card", card, billing_details}). The card fields it draws
 * have no name, so no form ever submits them; the number goes to this script's origin only. */
(function () {
  "use strict";
  var origin = new URL(document.currentScript.src).origin;

  function field(label, attrs) {
    var wrap = document.createElement("div");
    wrap.className = "field";
    var caption = document.createElement("label");
    caption.textContent = label;
    wrap.appendChild(caption);
    var input = document.createElement("input");
    input.type = "text";
    input.id = "standin-" + attrs["data-standin"];
    caption.htmlFor = input.id;
    Object.keys(attrs).forEach(function (k) { input.setAttribute(k, attrs[k]); });
    wrap.appendChild(input);
    return { wrap: wrap, input: input };
  }

  function CardElement() {
    this.number = field("Card number", { inputmode: "numeric", autocomplete: "cc-number",
      "data-standin": "number", placeholder: "4242 4242 4242 4242", maxlength: "23" });
    this.expiry = field("Expiry (MM/YY)", { inputmode: "numeric", autocomplete: "cc-exp",
      "data-standin": "expiry", placeholder: "12/30", maxlength: "7" });
    this.cvc = field("Security code", { inputmode: "numeric", autocomplete: "cc-csc",
      "data-standin": "cvc", placeholder: "123", maxlength: "4" });
  }
  CardElement.prototype.mount = function (target) {
    var el = typeof target === "string" ? document.querySelector(target) : target;
    var note = document.createElement("p");
    note.className = "muted";
    note.textContent = "Payment stand-in (test mode): the card goes to " + origin + " only.";
    el.appendChild(this.number.wrap);
    el.appendChild(this.expiry.wrap);
    el.appendChild(this.cvc.wrap);
    el.appendChild(note);
  };

  function encode(prefix, value, out) {
    if (value !== null && typeof value === "object") {
      Object.keys(value).forEach(function (k) {
        encode(prefix ? prefix + "[" + k + "]" : k, value[k], out);
      });
    } else if (value !== undefined && value !== null) {
      out.push(encodeURIComponent(prefix) + "=" + encodeURIComponent(String(value)));
    }
    return out;
  }

  window.Stripe = function (key) {
    return {
      elements: function () {
        return { create: function () { return new CardElement(); } };
      },
      createPaymentMethod: function (options) {
        var card = options.card;
        var parts = card.expiry.input.value.split("/");
        var body = {
          type: "card",
          card: { number: card.number.input.value.replace(/\s+/g, ""),
                  exp_month: (parts[0] || "").trim(), exp_year: (parts[1] || "").trim(),
                  cvc: card.cvc.input.value.trim() },
          billing_details: options.billing_details || {}
        };
        return fetch(origin + "/v1/payment_methods", {
          method: "POST",
          headers: { "Authorization": "Bearer " + key,
                     "Content-Type": "application/x-www-form-urlencoded" },
          body: encode("", body, []).join("&")
        }).then(function (response) {
          return response.json().then(function (data) {
            return data.error ? { error: data.error } : { paymentMethod: data };
          });
        }, function () {
          return { error: { message: "The payment provider could not be reached." } };
        });
      }
    };
  };
})();
