/* The space page: several files and whole folders at once (drop them, or choose them), each
   uploaded resumably (tus-style PATCH at the confirmed offset, its address kept in
   localStorage so dropping the same file again continues it), with one progress view; and
   moving a file or folder by dragging it onto a folder row. */
(function () {
  "use strict";
  var S = window.OfficiumStream;
  var root = document.getElementById("dropzone");
  if (!root) return;
  var csrf = S.csrfToken(root);
  var queueList = document.getElementById("queue"), overall = document.getElementById("overall");
  var bar = document.getElementById("overall-progress"), status = document.getElementById("overall-status");
  var pending = [], running = false, totalBytes = 0, doneBytes = 0, finished = 0, failed = 0, count = 0;

  function chunkSize(size) { return Math.max(256 * 1024, Math.min(8 * 1024 * 1024, Math.ceil(size / 8))); }
  function memoryKey(item) {
    return "officium.upload:" + root.dataset.createUrl + ":" + (root.dataset.folder || "") + ":" +
      item.path.join("/") + ":" + item.file.name + ":" + item.file.size + ":" + item.file.lastModified;
  }
  function describe(data) {
    if (!data || !data.message) return "The upload was refused.";
    return data.field ? data.field + ": " + data.message : data.message;
  }
  function refresh() {
    overall.hidden = false;
    bar.value = totalBytes ? Math.floor(doneBytes * 100 / totalBytes) : 100;
    status.textContent = finished + " of " + count +
      " files uploaded" + (failed ? ", " + failed + " failed" : "") + " (" + doneBytes + " of " + totalBytes + " bytes).";
  }

  function add(file, path) {
    if (file.size > parseInt(root.dataset.limit, 10)) {
      var row = document.createElement("li");
      row.textContent = file.name + ": larger than this plan allows.";
      queueList.appendChild(row); failed += 1; count += 1; refresh(); return;
    }
    var li = document.createElement("li");
    var name = document.createElement("span"); name.textContent = path.concat([file.name]).join("/");
    var state = document.createElement("span"); state.className = "state"; state.textContent = "waiting";
    li.appendChild(name); li.appendChild(state); queueList.appendChild(li);
    pending.push({file: file, path: path, state: state, row: li});
    count += 1;
    totalBytes += file.size;
  }

  async function create(item) {
    item.state.textContent = "checking (SHA-256)…";
    var sha = await S.sha256OfBlob(item.file);
    var body = {name: item.file.name, size: item.file.size, sha256: sha};
    if (root.dataset.folder) body.folder_id = parseInt(root.dataset.folder, 10);
    if (item.path.length) body.folder_path = item.path;
    var answer = await fetch(root.dataset.createUrl, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf}, body: JSON.stringify(body)});
    var data = await answer.json();
    if (!answer.ok) throw new Error(describe(data));
    localStorage.setItem(memoryKey(item), data.location);
    return data.location;
  }

  async function confirmedOffset(location) {
    var answer = await fetch(location, {method: "HEAD", credentials: "same-origin"});
    if (!answer.ok) return null;
    return parseInt(answer.headers.get("Upload-Offset"), 10);
  }

  async function send(item, location, offset) {
    var file = item.file, step = chunkSize(file.size), counted = offset;
    doneBytes += offset;
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
      doneBytes += data.offset - counted; counted = data.offset; offset = data.offset;
      item.state.textContent = Math.floor(offset * 100 / Math.max(file.size, 1)) + "%";
      refresh();
      if (data.complete) return data;
      if (end >= file.size && offset >= file.size) return data;
    }
  }

  async function run() {
    if (running) return;
    running = true;
    while (pending.length) {
      var item = pending.shift();
      try {
        var location = localStorage.getItem(memoryKey(item)), offset = null;
        if (location) offset = await confirmedOffset(location);
        if (offset === null) { location = await create(item); offset = 0; }
        var done = await send(item, location, offset);
        localStorage.removeItem(memoryKey(item));
        item.state.textContent = "done";
        var link = document.createElement("a"); link.href = done.url; link.textContent = "open";
        item.row.appendChild(link);
        finished += 1;
      } catch (error) {
        failed += 1;
        item.state.textContent = error instanceof TypeError
          ? "connection dropped: drop the same files again to continue"
          : error.message;
        item.row.classList.add("errors");
      }
      refresh();
    }
    running = false;
    root.dataset.done = "true";
    if (!failed) {
      status.textContent += " Reloading the list…";
      setTimeout(function () { location.reload(); }, 800);
    }
  }

  function readAll(reader) {
    return new Promise(function (resolve, reject) {
      var all = [];
      (function next() {
        reader.readEntries(function (batch) {
          if (!batch.length) { resolve(all); return; }
          all = all.concat(Array.prototype.slice.call(batch)); next();
        }, reject);
      })();
    });
  }

  async function walk(entry, path) {
    if (entry.isFile) {
      var file = await new Promise(function (resolve, reject) { entry.file(resolve, reject); });
      add(file, path);
    } else if (entry.isDirectory) {
      var children = await readAll(entry.createReader());
      for (var i = 0; i < children.length; i++) await walk(children[i], path.concat([entry.name]));
    }
  }

  root.addEventListener("dragover", function (event) {
    if (!event.dataTransfer.types || Array.prototype.indexOf.call(event.dataTransfer.types, "Files") < 0) return;
    event.preventDefault(); root.classList.add("over");
  });
  root.addEventListener("dragleave", function () { root.classList.remove("over"); });
  root.addEventListener("drop", async function (event) {
    event.preventDefault(); root.classList.remove("over");
    var items = event.dataTransfer.items, entries = [];
    if (items && items.length && items[0].webkitGetAsEntry) {
      for (var i = 0; i < items.length; i++) { var e = items[i].webkitGetAsEntry(); if (e) entries.push(e); }
      for (var j = 0; j < entries.length; j++) await walk(entries[j], []);
    }
    if (!entries.length) {  // no file-system entries (older browsers, files handed over by a page)
      Array.prototype.forEach.call(event.dataTransfer.files, function (f) { add(f, []); });
    }
    refresh(); run();
  });
  document.getElementById("files-input").addEventListener("change", function (event) {
    Array.prototype.forEach.call(event.target.files, function (f) { add(f, []); });
    event.target.value = ""; refresh(); run();
  });
  document.getElementById("folder-input").addEventListener("change", function (event) {
    Array.prototype.forEach.call(event.target.files, function (f) {
      var parts = (f.webkitRelativePath || f.name).split("/");
      add(f, parts.slice(0, -1));
    });
    event.target.value = ""; refresh(); run();
  });

  // Drag a row onto a folder row to move it there.
  var MOVE = "application/x-officium-move";
  Array.prototype.forEach.call(document.querySelectorAll("#files tr[draggable]"), function (row) {
    row.addEventListener("dragstart", function (event) {
      event.dataTransfer.setData(MOVE, row.dataset.moveUrl + "|" + (row.dataset.folderId || ""));
      event.dataTransfer.effectAllowed = "move";
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll("#files tr.folder-row"), function (row) {
    row.addEventListener("dragover", function (event) {
      if (Array.prototype.indexOf.call(event.dataTransfer.types, MOVE) < 0) return;
      event.preventDefault(); row.classList.add("over");
    });
    row.addEventListener("dragleave", function () { row.classList.remove("over"); });
    row.addEventListener("drop", async function (event) {
      var data = event.dataTransfer.getData(MOVE);
      if (!data) return;
      event.preventDefault(); row.classList.remove("over");
      var parts = data.split("|");
      if (parts[1] && parts[1] === row.dataset.folderId) return;
      var form = new FormData();
      form.append("csrfmiddlewaretoken", csrf); form.append("folder", row.dataset.folderId);
      form.append("next", location.pathname + location.search);
      await fetch(parts[0], {method: "POST", credentials: "same-origin", body: form});
      location.reload();
    });
  });
})();
