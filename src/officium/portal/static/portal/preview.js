/* The file page's preview: an image or PDF is shown from the preview address (decrypted on the
   server as a stream, nothing written to disk); text is fetched with a Range of its first
   256 KiB and shown as text, never as HTML. */
(function () {
  "use strict";
  var box = document.getElementById("preview");
  if (!box) return;
  var button = document.getElementById("preview-show");
  var LIMIT = 256 * 1024;

  async function show() {
    button.hidden = true;
    var kind = box.dataset.kind, url = box.dataset.url;
    if (kind === "image") {
      var img = document.createElement("img"); img.src = url; img.alt = box.dataset.name; img.id = "preview-image";
      box.appendChild(img);
    } else if (kind === "pdf") {
      var frame = document.createElement("iframe"); frame.src = url; frame.title = box.dataset.name; frame.id = "preview-pdf";
      box.appendChild(frame);
    } else if (kind === "text") {
      var answer = await fetch(url, {credentials: "same-origin", headers: {Range: "bytes=0-" + (LIMIT - 1)}});
      var pre = document.createElement("pre"); pre.id = "preview-text";
      pre.textContent = answer.ok ? await answer.text() : "The preview could not be loaded.";
      box.appendChild(pre);
      if (answer.status === 206) {
        var note = document.createElement("p"); note.className = "muted";
        note.textContent = "The first 256 KiB are shown; download the file for the rest.";
        box.appendChild(note);
      }
    }
  }

  button.addEventListener("click", show);
  if (box.dataset.auto === "true") show();
})();
