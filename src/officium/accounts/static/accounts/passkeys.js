// Passkeys (WebAuthn): the server's options (py_webauthn JSON) go to navigator.credentials,
// the browser's answer goes back as JSON. Buttons carry their URLs and CSRF token as data-*.
(function () {
  "use strict";

  function toBuffer(value) {
    var text = value.replace(/-/g, "+").replace(/_/g, "/");
    while (text.length % 4) { text += "="; }
    var binary = atob(text);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) { bytes[i] = binary.charCodeAt(i); }
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) { binary += String.fromCharCode(bytes[i]); }
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  async function post(url, csrf, body) {
    var response = await fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"X-CSRFToken": csrf, "Content-Type": "application/json"},
      body: JSON.stringify(body || {})
    });
    var data = await response.json().catch(function () { return {}; });
    if (!response.ok) { throw new Error(data.message || "The passkey could not be used."); }
    return data;
  }

  function descriptors(list) {
    return (list || []).map(function (c) { return Object.assign({}, c, {id: toBuffer(c.id)}); });
  }

  async function register(button) {
    var options = await post(button.dataset.options, button.dataset.csrf);
    options.challenge = toBuffer(options.challenge);
    options.user.id = toBuffer(options.user.id);
    options.excludeCredentials = descriptors(options.excludeCredentials);
    var credential = await navigator.credentials.create({publicKey: options});
    var r = credential.response;
    return post(button.dataset.verify, button.dataset.csrf, {
      id: credential.id, rawId: toBase64url(credential.rawId), type: credential.type,
      response: {clientDataJSON: toBase64url(r.clientDataJSON),
                 attestationObject: toBase64url(r.attestationObject),
                 transports: r.getTransports ? r.getTransports() : []},
      clientExtensionResults: credential.getClientExtensionResults()
    });
  }

  async function authenticate(button) {
    var options = await post(button.dataset.options, button.dataset.csrf);
    options.challenge = toBuffer(options.challenge);
    options.allowCredentials = descriptors(options.allowCredentials);
    var credential = await navigator.credentials.get({publicKey: options});
    var r = credential.response;
    return post(button.dataset.verify, button.dataset.csrf, {
      id: credential.id, rawId: toBase64url(credential.rawId), type: credential.type,
      response: {clientDataJSON: toBase64url(r.clientDataJSON),
                 authenticatorData: toBase64url(r.authenticatorData),
                 signature: toBase64url(r.signature),
                 userHandle: r.userHandle ? toBase64url(r.userHandle) : null},
      clientExtensionResults: credential.getClientExtensionResults()
    });
  }

  function showCodes(id, codes) {
    var section = document.getElementById(id);
    var list = section.querySelector("ol");
    codes.forEach(function (code) {
      var item = document.createElement("li");
      var text = document.createElement("code");
      text.textContent = code;
      item.appendChild(text);
      list.appendChild(item);
    });
    section.hidden = false;
  }

  document.querySelectorAll("[data-passkey]").forEach(function (button) {
    if (!window.PublicKeyCredential || !navigator.credentials) { return; }  // stays hidden
    button.hidden = false;
    button.addEventListener("click", async function () {
      var status = document.getElementById(button.dataset.status);
      status.textContent = "";
      button.disabled = true;
      try {
        var data = button.dataset.passkey === "register" ? await register(button) : await authenticate(button);
        if (data.codes && data.codes.length && button.dataset.codes) {
          showCodes(button.dataset.codes, data.codes);
        } else {
          window.location.assign(data.redirect);
        }
      } catch (error) {
        status.textContent = error.name === "NotAllowedError" ? "The passkey was not used." : error.message;
      } finally {
        button.disabled = false;
      }
    });
  });
})();
