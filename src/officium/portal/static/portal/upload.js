/* The upload page: SHA-256 in the browser, then tus-style chunks (PATCH at Upload-Offset).
   After a dropped connection, Resume asks the server for the confirmed offset (HEAD) and
   continues from there; the upload's address is kept in localStorage, so Resume also works
   after the page was closed (choose the same file again). */
(function () {
  "use strict";
  var S = window.OfficiumStream;
  var root = document.getElementById("uploader");
  if (!root) return;
  var input = document.getElementById("file-input"), start = document.getElementById("start");
  var resume = document.getElementById("resume"), bar = document.getElementById("progress");
  var status = document.getElementById("status"), csrf = S.csrfToken(root);
  var running = false;

  function say(text) { status.textContent = text; }
  function memoryKey(file) {
    return "officium.upload:" + root.dataset.createUrl + ":" + file.name + ":" + file.size + ":" + file.lastModified;
  }
  function chunkSize(size) {
    return Math.max(256 * 1024, Math.min(8 * 1024 * 1024, Math.ceil(size / 8)));
  }
  function showProgress(offset, size) {
    bar.value = size ? Math.floor(offset * 100 / size) : 100;
    bar.dataset.offset = String(offset);
  }

  async function create(file) {
    say("Computing the file's SHA-256…");
    var sha = await S.sha256OfBlob(file);
    var body = {name: file.name, size: file.size, sha256: sha};
    if (root.dataset.folder) body.folder_id = parseInt(root.dataset.folder, 10);
    var answer = await fetch(root.dataset.createUrl, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf}, body: JSON.stringify(body)});
    var data = await answer.json();
    if (!answer.ok) throw new Error(describe(data));
    localStorage.setItem(memoryKey(file), data.location);
    return data.location;
  }

  function describe(data) {
    // Officium's API error: {"code", "message", "field"}.
    if (!data || !data.message) return "The upload was refused.";
    return data.field ? data.field + ": " + data.message : data.message;
  }

  async function confirmedOffset(location) {
    var answer = await fetch(location, {method: "HEAD", credentials: "same-origin"});
    if (!answer.ok) return null;
    return parseInt(answer.headers.get("Upload-Offset"), 10);
  }

  async function send(file, location, offset) {
    var step = chunkSize(file.size);
    showProgress(offset, file.size);
    while (true) {
      var end = Math.min(offset + step, file.size);
      var answer = await fetch(location, {
        method: "PATCH", credentials: "same-origin",
        headers: {"Upload-Offset": String(offset), "Content-Type": "application/offset+octet-stream",
                  "X-CSRFToken": csrf, "Tus-Resumable": "1.0.0"},
        body: file.slice(offset, end)});
      var data = await answer.json();
      if (answer.status === 409) { offset = data.offset; continue; }
      if (!answer.ok) throw new Error(describe(data));
      offset = data.offset;
      showProgress(offset, file.size);
      say("Uploaded " + offset + " of " + file.size + " bytes.");
      if (data.complete) return data;
      if (end >= file.size && offset >= file.size) return data;
    }
  }

  async function run(resuming) {
    var file = input.files[0];
    if (!file) { say("Choose a file first."); return; }
    if (running) return;
    running = true; start.disabled = true; resume.hidden = true;
    try {
      var location = localStorage.getItem(memoryKey(file)), offset = null;
      if (location) offset = await confirmedOffset(location);
      if (offset === null) { location = await create(file); offset = 0; }
      else say((resuming ? "Resuming" : "Continuing") + " at byte " + offset + ".");
      var done = await send(file, location, offset);
      localStorage.removeItem(memoryKey(file));
      root.dataset.done = "true";
      say("Done: " + file.name + " is stored encrypted and its SHA-256 was checked.");
      var link = document.createElement("a");
      link.href = done.url; link.id = "uploaded-file"; link.textContent = "Open " + file.name;
      status.appendChild(document.createTextNode(" ")); status.appendChild(link);
    } catch (error) {
      if (error instanceof TypeError) {
        say("The connection dropped at " + (bar.dataset.offset || 0) + " bytes. Press Resume to continue.");
        resume.hidden = false;
      } else {
        say(error.message);
      }
    } finally {
      running = false; start.disabled = false;
    }
  }

  start.addEventListener("click", function () { run(false); });
  resume.addEventListener("click", function () { run(true); });
})();
