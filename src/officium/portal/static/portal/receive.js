/* The recipient page: fetch the ciphertext, decrypt it record by record with the key from
   the link's fragment, and offer the plaintext as a download. Nothing is sent back. */
(function () {
  "use strict";
  var S = window.OfficiumStream;
  var root = document.getElementById("receiver");
  if (!root) return;
  var button = document.getElementById("receive"), bar = document.getElementById("receive-progress");
  var status = document.getElementById("receive-status"), save = document.getElementById("save");

  function say(text) { status.textContent = text; }

  async function receive() {
    button.disabled = true;
    try {
      var fragment = location.hash.replace(/^#/, "");
      if (!fragment) throw new Error("This link has no key: copy the whole link, including the part after #.");
      var key = S.fromB64url(fragment), size = parseInt(root.dataset.size, 10);
      // same-origin: a password link is unlocked in this browser's session
      var response = await fetch(root.dataset.dataUrl, {credentials: "same-origin", cache: "no-store"});
      if (!response.ok) throw new Error("This link has expired, was revoked or was used up.");
      var reader = response.body.getReader(), pending = new Uint8Array(0), dec = null, index = 0;
      var parts = [], done = 0, full = 0;
      var aad = S.packParts("officium/portal/share", root.dataset.share);
      while (true) {
        var step = await reader.read();
        if (!step.done) pending = S.concat([pending, step.value]);
        if (dec === null && pending.length >= S.HEADER_SIZE) {
          dec = await S.openDecryptor(key, aad, pending.slice(0, S.HEADER_SIZE));
          pending = pending.slice(S.HEADER_SIZE); full = dec.recordSize + S.TAG;
        }
        while (dec !== null && pending.length >= full) {  // a full record is never the final one
          var plain = await dec.open(index++, pending.slice(0, full), false);
          parts.push(plain); done += plain.length; pending = pending.slice(full);
        }
        bar.value = size ? Math.floor(done * 100 / size) : 100;
        if (step.done) break;
      }
      if (dec === null) throw new Error("The encrypted file is incomplete.");
      var last = await dec.open(index, pending, true);
      parts.push(last); done += last.length;
      if (done !== size) throw new Error("The decrypted file has the wrong size.");
      var types = {image: root.dataset.mime || "application/octet-stream", pdf: "application/pdf",
                   text: "text/plain"};
      var kind = root.dataset.preview;
      var blob = new Blob(parts, {type: kind ? types[kind] : "application/octet-stream"});
      var url = URL.createObjectURL(blob);
      save.href = url;
      save.download = root.dataset.name; save.hidden = false; root.dataset.done = "true";
      showPreview(kind, blob, url);
      bar.value = 100;
      say("Decrypted in your browser and checked: every record is authenticated.");
    } catch (error) {
      say(error.name === "OperationError" ? "The file failed its integrity check: wrong key or altered data." : error.message);
    } finally {
      button.disabled = false;
    }
  }

  function showPreview(kind, blob, url) {
    // Decrypted in this page only: the preview is made from the same blob as the download.
    var box = document.getElementById("share-preview");
    if (!box || !kind) return;
    box.textContent = "";
    if (kind === "image") {
      var img = document.createElement("img"); img.src = url; img.alt = root.dataset.name; box.appendChild(img);
    } else if (kind === "pdf") {
      var frame = document.createElement("iframe"); frame.src = url; frame.title = root.dataset.name; box.appendChild(frame);
    } else {
      blob.slice(0, 256 * 1024).text().then(function (text) {
        var pre = document.createElement("pre"); pre.textContent = text; box.appendChild(pre);
      });
    }
    box.hidden = false;
  }

  button.addEventListener("click", receive);
})();
