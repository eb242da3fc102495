/* The file page's share button: the browser encrypts a copy under a key it makes and keeps
   in the link's fragment (never sent to the server), and uploads only the ciphertext. */
(function () {
  "use strict";
  var S = window.OfficiumStream;
  var root = document.getElementById("sharer");
  if (!root) return;
  var button = document.getElementById("share-create"), bar = document.getElementById("share-progress");
  var status = document.getElementById("share-status"), out = document.getElementById("share-link");
  var csrf = S.csrfToken(root), FLUSH = 8 * 1024 * 1024;

  // A refusal names the field and marks it, so "8 to 200 characters" is not left unexplained.
  var FIELDS = {expires_in_hours: ["share-hours", "Expires after"], max_downloads: ["share-downloads", "Downloads allowed"],
                password: ["share-password", "Password"]};

  function say(text, field) {
    status.textContent = text; status.className = field === undefined ? "" : "errors";
    Object.keys(FIELDS).forEach(function (name) {
      var input = document.getElementById(FIELDS[name][0]);
      if (name === field) { input.setAttribute("aria-invalid", "true"); input.focus(); }
      else { input.removeAttribute("aria-invalid"); }
    });
  }

  async function upload(share, state, final) {
    var body = S.concat(state.pending);
    state.pending = []; state.pendingSize = 0;
    var answer = await fetch(share.data_url, {
      method: "PATCH", credentials: "same-origin",
      headers: {"Upload-Offset": String(state.sent), "Content-Type": "application/offset+octet-stream",
                "X-CSRFToken": csrf}, body: body});
    var data = await answer.json();
    if (!answer.ok) throw new Error(data.message || "The encrypted copy was refused.");
    state.sent = data.received;
    if (final && data.status !== "active") throw new Error("The link did not become active.");
  }

  async function share() {
    button.disabled = true;
    try {
      var created = await fetch(root.dataset.createUrl, {
        method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
        body: JSON.stringify({expires_in_hours: parseInt(document.getElementById("share-hours").value, 10),
                              max_downloads: parseInt(document.getElementById("share-downloads").value, 10),
                              password: document.getElementById("share-password").value})});
      var info = await created.json();
      if (!created.ok) {
        var named = FIELDS[info.field];
        say((named ? named[1] + ": " : "") + (info.message || "The link was refused."), info.field || null);
        return;
      }
      var key = crypto.getRandomValues(new Uint8Array(32));
      var enc = await S.createEncryptor(key, S.packParts("officium/portal/share", info.public_id), info.record_size);
      var state = {pending: [enc.header], pendingSize: enc.header.length, sent: 0};
      var rs = enc.recordSize, buffer = new Uint8Array(rs), filled = 0, done = 0;
      var size = parseInt(root.dataset.size, 10);
      var response = await fetch(root.dataset.downloadUrl, {credentials: "same-origin"});
      if (!response.ok) throw new Error("The file could not be read.");
      var reader = response.body.getReader();
      say("Encrypting a copy in your browser…");
      bar.value = 0; bar.hidden = false;
      while (true) {
        var step = await reader.read();
        if (step.done) break;
        var chunk = step.value, pos = 0;
        while (pos < chunk.length) {
          var take = Math.min(rs - filled, chunk.length - pos);
          buffer.set(chunk.subarray(pos, pos + take), filled);
          filled += take; pos += take;
          if (filled === rs) {
            var sealed = await enc.seal(buffer, false);
            state.pending.push(sealed); state.pendingSize += sealed.length; filled = 0;
            if (state.pendingSize >= FLUSH) await upload(info, state, false);
          }
        }
        done += chunk.length;
        bar.value = size ? Math.floor(done * 100 / size) : 100;
      }
      state.pending.push(await enc.seal(buffer.slice(0, filled), true));
      await upload(info, state, true);
      var link = location.origin + info.link_path + "#" + S.b64url(key);
      out.value = link; document.getElementById("share-out").hidden = false; root.dataset.link = link;
      document.getElementById("share-password").value = "";
      addRow(info);
      say("Link ready. Anyone with it" + (info.has_password ? " and the password" : "") +
          " can download until it expires or is used up; the key is only in the link.");
    } catch (error) {
      say(error.message, null);
    } finally {
      button.disabled = false;
    }
  }

  function addRow(info) {
    var table = document.getElementById("links-body");
    if (!table) return;
    var empty = document.getElementById("links-empty");
    if (empty) empty.remove();
    var row = document.createElement("tr");
    [info.created_label, "Active" + (info.has_password ? ", with a password" : ""), info.expires_label,
     info.downloads + " / " + info.max_downloads].forEach(function (text, i) {
      var cell = document.createElement("td"); cell.textContent = text; row.appendChild(cell);
      cell.setAttribute("data-label", ["Created", "Status", "Expires", "Downloads"][i]);
    });
    var cell = document.createElement("td");
    var form = document.createElement("form");
    form.method = "post"; form.action = info.revoke_path;
    var token = document.createElement("input");
    token.type = "hidden"; token.name = "csrfmiddlewaretoken"; token.value = csrf;
    var revoke = document.createElement("button");
    revoke.className = "danger"; revoke.textContent = "Revoke";
    form.appendChild(token); form.appendChild(revoke); cell.appendChild(form); row.appendChild(cell);
    table.insertBefore(row, table.firstChild);
  }

  var copy = document.getElementById("share-copy");
  copy.addEventListener("click", async function () {
    try {
      await navigator.clipboard.writeText(out.value);
      copy.textContent = "Copied";
    } catch (error) {
      out.select(); document.execCommand("copy"); copy.textContent = "Copied";
    }
    setTimeout(function () { copy.textContent = "Copy link"; }, 2000);
  });
  button.addEventListener("click", share);
})();
