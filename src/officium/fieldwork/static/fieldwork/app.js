/* Officium field app (FW8): pair with a connection code, show my day, queue every action in
   IndexedDB with a client id, replay the queue through the batch endpoint when online.
   Photos are queued too, offline or not: the picture itself as a Blob in IndexedDB ("files"),
   sent one by one as the raw body of the upload route with its client id (a replay is stored
   once), with a progress bar; they go after the actions of the same replay.
   The server applies privacy mode and the device profile again; the phone never attaches a
   location while privacy mode is on or when the profile does not collect that kind. */
(function () {
  "use strict";
  var DB_NAME = "officium-app", db = null, state = { token: null, day: null, privacy: false };
  var $ = function (id) { return document.getElementById(id); };
  var syncing = false;

  // --- storage ---------------------------------------------------------------------------
  function openDb() {
    return new Promise(function (resolve, reject) {
      var req = indexedDB.open(DB_NAME, 2);
      req.onupgradeneeded = function (event) {
        var d = req.result;
        if (event.oldVersion < 1) {
          d.createObjectStore("kv");
          d.createObjectStore("queue", { keyPath: "id" });
        }
        if (event.oldVersion < 2) { d.createObjectStore("files", { keyPath: "id" }); }
      };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }
  function tx(store, mode, work) {
    return new Promise(function (resolve, reject) {
      var t = db.transaction(store, mode), s = t.objectStore(store), out = work(s);
      t.oncomplete = function () { resolve(out instanceof IDBRequest ? out.result : out); };
      t.onerror = function () { reject(t.error); };
    });
  }
  var kv = {
    get: function (k) { return tx("kv", "readonly", function (s) { return s.get(k); }); },
    set: function (k, v) { return tx("kv", "readwrite", function (s) { s.put(v, k); }); },
    del: function (k) { return tx("kv", "readwrite", function (s) { s.delete(k); }); }
  };
  function queued() { return tx("queue", "readonly", function (s) { return s.getAll(); }); }
  function unqueue(ids) { return tx("queue", "readwrite", function (s) { ids.forEach(function (id) { s.delete(id); }); }); }
  function files() { return tx("files", "readonly", function (s) { return s.getAll(); }); }
  function unfile(ids) { return tx("files", "readwrite", function (s) { ids.forEach(function (id) { s.delete(id); }); }); }

  // --- helpers ---------------------------------------------------------------------------
  function clientId() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var a = new Uint8Array(16); crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function say(text, error) { var m = $("message"); m.textContent = text; m.className = error ? "error" : ""; }
  function el(tag, attrs, text) {
    var n = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { n.setAttribute(k, attrs[k]); });
    if (text !== undefined) { n.textContent = text; }
    return n;
  }
  function api(method, path, body) {
    var headers = { "Content-Type": "application/json" };
    if (state.token) { headers.Authorization = "Bearer " + state.token; }
    return fetch(path, { method: method, headers: headers, body: body ? JSON.stringify(body) : undefined,
                         credentials: "omit", cache: "no-store" })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (data) {
          if (!r.ok) { var e = new Error(data.message || ("Error " + r.status)); e.status = r.status; e.data = data; throw e; }
          return data;
        });
      });
  }
  function download(a) {
    // The document needs the device token, so it is fetched and handed to the browser as a file.
    fetch(a.download_url, { headers: { Authorization: "Bearer " + state.token }, credentials: "omit", cache: "no-store" })
      .then(function (r) { if (!r.ok) { throw new Error("Error " + r.status); } return r.blob(); })
      .then(function (blob) {
        var url = URL.createObjectURL(blob), link = el("a", { href: url, download: a.name });
        document.body.appendChild(link); link.click(); link.remove();
        setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
      })
      .catch(function () { say("The document could not be opened; try again when online.", true); });
  }
  function mayLocate(kind) {
    var day = state.day;
    return !state.privacy && day && day.location_kinds.indexOf(kind) >= 0 && "geolocation" in navigator;
  }
  function locate(kind) {
    if (!mayLocate(kind)) { return Promise.resolve(null); }
    return new Promise(function (resolve) {
      navigator.geolocation.getCurrentPosition(function (p) {
        resolve({ lat: p.coords.latitude, lon: p.coords.longitude, accuracy: Math.min(p.coords.accuracy || 0, 5000) });
      }, function () { resolve(null); }, { enableHighAccuracy: true, timeout: 8000, maximumAge: 30000 });
    });
  }

  // --- the queue (exactly once: the server stores each client id once) --------------------
  function enqueue(kind, label, extra) {
    return locate(kind).then(function (fix) {
      var event = { id: clientId(), kind: kind, at: new Date().toISOString() };
      if (fix && !state.privacy) { event.lat = fix.lat; event.lon = fix.lon; event.accuracy = fix.accuracy; }
      Object.keys(extra || {}).forEach(function (k) { event[k] = extra[k]; });
      return tx("queue", "readwrite", function (s) { s.put({ id: event.id, label: label, event: event, error: "" }); });
    }).then(function () { say(label + ": saved" + (navigator.onLine ? "" : " (will be sent when you are back online)") + "."); })
      .then(renderQueue).then(sync);
  }
  function sync() {
    if (syncing || !state.token || !navigator.onLine) { return Promise.resolve(); }
    syncing = true;
    return queued().then(function (items) {
      var ready = items.filter(function (i) { return !i.error; });
      if (!ready.length) { return null; }
      return api("POST", "/api/attendance/device/events", { events: ready.map(function (i) { return i.event; }) })
        .then(function (answer) {
          var bad = {};
          (answer.rejected || []).forEach(function (r) { bad[ready[r.index].id] = r.field + ": " + r.message; });
          var done = ready.filter(function (i) { return !bad[i.id]; }).map(function (i) { return i.id; });
          return unqueue(done).then(function () {
            return tx("queue", "readwrite", function (s) {
              ready.forEach(function (i) { if (bad[i.id]) { i.error = bad[i.id]; s.put(i); } });
            });
          }).then(function () { say("Sent " + done.length + " action" + (done.length === 1 ? "" : "s") + "."); });
        });
    }).then(sendFiles).catch(function (e) {
      if (e.status === 401) { say("This phone was disconnected. Connect it again.", true); }
    }).then(function () { syncing = false; return renderQueue(); }).then(refreshDay);
  }

  // The queued photos, one request each (up to 8 MB as the raw body), bytes shown as they go.
  function upload(item, sentBefore, total) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      xhr.open("POST", "/api/fieldwork/device/tasks/" + item.task_id + "/photos/upload?client_id=" + encodeURIComponent(item.id));
      xhr.setRequestHeader("Authorization", "Bearer " + state.token);
      xhr.setRequestHeader("Content-Type", item.type || "application/octet-stream");
      xhr.upload.onprogress = function (e) { progress(sentBefore + (e.loaded || 0), total); };
      xhr.onload = function () {
        var data = {}; try { data = JSON.parse(xhr.responseText); } catch (ignore) { data = {}; }
        if (xhr.status >= 200 && xhr.status < 300) { resolve(data); return; }
        var e = new Error(data.message || ("Error " + xhr.status)); e.status = xhr.status; e.data = data; reject(e);
      };
      xhr.onerror = function () { var e = new Error("offline"); e.status = 0; reject(e); };
      xhr.send(item.blob);
    });
  }
  function progress(sent, total) {
    var bar = $("upload-progress");
    bar.hidden = !total; bar.max = total || 1; bar.value = Math.min(sent, total);
    $("upload-text").hidden = !total;
    $("upload-text").textContent = total ? "Sending photos: " + Math.round(100 * sent / total) + "% of " + megabytes(total) : "";
  }
  function megabytes(n) { return n < 1048576 ? Math.max(1, Math.round(n / 1024)) + " KB" : (n / 1048576).toFixed(1) + " MB"; }
  function sendFiles() {
    return files().then(function (items) {
      var ready = items.filter(function (i) { return !i.error; });
      var total = ready.reduce(function (n, i) { return n + i.size; }, 0), sent = 0, count = 0;
      var chain = Promise.resolve();
      ready.forEach(function (item) {
        chain = chain.then(function () {
          if (!navigator.onLine) { return null; }
          return upload(item, sent, total).then(function () {
            sent += item.size; count += 1; progress(sent, total);
            return unfile([item.id]).then(renderQueue);
          }, function (e) {
            if (e.status === 0 || e.status === 401 || e.status >= 500) { throw e; }  // try again later
            item.error = e.message;  // refused (too large, not a photo, no permission): shown, kept
            return tx("files", "readwrite", function (s) { s.put(item); }).then(renderQueue);
          });
        });
      });
      return chain.then(function () {
        progress(0, 0);
        if (count) { say("Sent " + count + " photo" + (count === 1 ? "" : "s") + "."); }
      }, function (e) { progress(0, 0); throw e; });
    });
  }

  // --- rendering ---------------------------------------------------------------------------
  function renderQueue() {
    return Promise.all([queued(), files()]).then(function (r) {
      var list = $("queue"); list.textContent = "";
      r[1].forEach(function (f) { f.isFile = true; });
      var items = r[0].concat(r[1]);
      items.forEach(function (i) {
        var text = i.label + (i.isFile ? " (" + megabytes(i.size) + ")" : "");
        var li = el("li", { "class": i.error ? "error" : "pending" }, text + (i.error ? " — refused: " + i.error : " — pending"));
        if (i.error) {
          var drop = el("button", { type: "button", "class": "link" }, "Remove");
          drop.addEventListener("click", function () { (i.isFile ? unfile : unqueue)([i.id]).then(renderQueue); });
          li.appendChild(drop);
        }
        list.appendChild(li);
      });
      if (!items.length) { list.appendChild(el("li", { "class": "muted" }, "Nothing waiting.")); }
      var pending = items.filter(function (i) { return !i.error; }).length;
      $("pending").hidden = !pending;
      $("pending").textContent = pending + " pending";
    });
  }
  var NEXT = { "new": ["en_route", "on_site"], assigned: ["en_route", "on_site"], en_route: ["on_site"],
               on_site: ["done", "not_completed"] };
  var LABEL = { en_route: "On my way", on_site: "On site", done: "Done", not_completed: "Not completed" };
  function renderDay() {
    var day = state.day;
    if (!day) { return; }
    $("who").textContent = day.member + " · " + day.organization;
    $("zone").textContent = "Times in " + day.time_zone;
    $("privacy").checked = state.privacy;
    $("privacy-text").textContent = state.privacy ? "No location is sent or kept." : "Location goes with your reports as your profile allows.";
    var tasks = $("tasks"); tasks.textContent = "";
    day.tasks.forEach(function (t) {
      var li = el("li", { "class": t.late ? "late" : "", "data-task": t.id });
      li.appendChild(el("strong", {}, t.title));
      li.appendChild(el("span", { "class": "badge" }, " " + t.status.replace("_", " ")));
      if (t.window_local) { li.appendChild(el("div", { "class": "muted" }, t.window_local)); }
      if (t.address) { li.appendChild(el("div", { "class": "muted" }, t.address)); }
      var note = el("textarea", { rows: "2", placeholder: "Note", "aria-label": "Note for " + t.title, "class": "note" });
      li.appendChild(note);
      (NEXT[t.status] || []).forEach(function (s) {
        var b = el("button", { type: "button", "data-status": s }, LABEL[s]);
        b.addEventListener("click", function () { report(t, s, note); });
        li.appendChild(b);
      });
      var save = el("button", { type: "button", "class": "secondary", "data-note": "1" }, "Save note");
      save.addEventListener("click", function () { report(t, "", note); });
      li.appendChild(save);
      if (t.form_id) {
        var f = el("button", { type: "button", "class": "secondary" }, "Fill in form");
        f.addEventListener("click", function () { openForm(t.form_id, t); });
        li.appendChild(f);
      }
      (day.attachments || []).filter(function (a) { return a.task_id === t.id; }).forEach(function (a) {
        var d = el("button", { type: "button", "class": "secondary", "data-attachment": a.id },
                   a.name + " (" + Math.max(1, Math.round(a.size / 1024)) + " KB)");
        d.addEventListener("click", function () { download(a); });
        li.appendChild(d);
      });
      if (day.photo_permission) {
        var cam = el("label", { "class": "muted" }, "Photo ");
        var input = el("input", { type: "file", accept: "image/*", capture: "environment" });
        input.addEventListener("change", function () { if (input.files[0]) { photo(t, input.files[0], input); } });
        cam.appendChild(input); li.appendChild(cam);
      } else {
        li.appendChild(el("div", { "class": "muted" }, "Photos: turn on \"Photo uploads\" in your privacy preferences first."));
      }
      tasks.appendChild(li);
    });
    if (!day.tasks.length) { tasks.appendChild(el("li", { "class": "muted" }, "No open tasks for you.")); }
    var offers = $("offers"); offers.textContent = "";
    day.offers.filter(function (o) { return !o.answered; }).forEach(function (o) {
      var li = el("li", {}); li.appendChild(el("strong", {}, o.task));
      var eta = el("input", { inputmode: "numeric", placeholder: "Minutes to arrive", "aria-label": "Minutes to arrive" });
      var yes = el("button", { type: "button" }, "Accept"), no = el("button", { type: "button", "class": "secondary" }, "Decline");
      yes.addEventListener("click", function () {
        var minutes = parseInt(eta.value, 10);
        if (!(minutes > 0)) { say("Give your arrival estimate in minutes.", true); return; }
        answer(o, "accepted", minutes, li);
      });
      no.addEventListener("click", function () { answer(o, "declined", null, li); });
      li.appendChild(eta); li.appendChild(yes); li.appendChild(no); offers.appendChild(li);
    });
    if (!offers.children.length) { offers.appendChild(el("li", { "class": "muted" }, "No open job offers.")); }
    var forms = $("forms"); forms.textContent = "";
    day.forms.forEach(function (f) {
      var li = el("li", {}), b = el("button", { type: "button", "class": "secondary", "data-form": f.id }, f.name);
      b.addEventListener("click", function () { openForm(f.id, null); });
      li.appendChild(b); forms.appendChild(li);
    });
    if (!day.forms.length) { forms.appendChild(el("li", { "class": "muted" }, "No forms.")); }
  }

  // --- actions -----------------------------------------------------------------------------
  function report(task, status, note) {
    var text = note.value.trim();
    if (!status && !text) { say("Write a note or choose a status.", true); return; }
    enqueue("task_entry", "Report on " + task.title + (status ? " (" + LABEL[status] + ")" : ""),
            { data: { task_id: task.id, status: status, note: text } }).then(function () {
      note.value = "";
      if (status) { task.status = status; kv.set("day", state.day); renderDay(); }
    });
  }
  function answer(offer, choice, minutes, li) {
    var data = { offer_id: offer.id, answer: choice };
    if (minutes) { data.eta_minutes = minutes; }
    enqueue("bid", (choice === "accepted" ? "Accept " : "Decline ") + offer.task, { data: data }).then(function () {
      offer.answered = true; kv.set("day", state.day); li.remove();
    });
  }
  function checkIn(direction) {
    enqueue("attendance", direction === "in" ? "Check-in" : "Check-out", { direction: direction });
  }
  var MAX_PHOTO = 8 * 1048576;
  function photo(task, file, input) {
    if (file.size > MAX_PHOTO) {
      say("The photo is " + megabytes(file.size) + "; the limit is 8.0 MB. Take it at a lower resolution.", true);
      return;
    }
    var item = { id: clientId(), task_id: task.id, blob: file, type: file.type, size: file.size,
                 label: "Photo for " + task.title, error: "" };
    tx("files", "readwrite", function (s) { s.put(item); }).then(function () {
      if (input) { input.value = ""; }
      say(item.label + ": saved" + (navigator.onLine ? "" : " (will be sent when you are back online)") + ".");
    }).then(renderQueue).then(sync).catch(function (e) { say("The photo could not be kept on this phone: " + e.message, true); });
  }
  function openForm(formId, task) {
    var form = state.day.forms.filter(function (f) { return f.id === formId; })[0];
    if (!form) { say("This form is not on this phone yet; refresh while online.", true); return; }
    $("home").hidden = true; $("fill").hidden = false;
    $("fill-title").textContent = form.name + (task ? " · " + task.title : "");
    var f = $("fill-form"); f.textContent = "";
    form.definition.fields.forEach(function (field) {
      var id = "q-" + field.id, input;
      f.appendChild(el("label", { "for": id }, field.label + (field.required ? " *" : "")));
      if (field.type === "choice") {
        input = el("select", { id: id, name: field.id }); input.appendChild(el("option", { value: "" }, "—"));
        field.choices.forEach(function (c) { input.appendChild(el("option", { value: c }, c)); });
      } else if (field.type === "multiple_choice") {
        input = el("select", { id: id, name: field.id, multiple: "multiple" });
        field.choices.forEach(function (c) { input.appendChild(el("option", { value: c }, c)); });
      } else if (field.type === "checkbox") {
        input = el("input", { id: id, name: field.id, type: "checkbox" });
      } else {
        var type = { number: "number", date: "date", time: "time" }[field.type] || "text";
        input = el("input", { id: id, name: field.id, type: type, step: "any" });
        if (field.type === "location") { input.placeholder = "latitude, longitude"; }
      }
      f.appendChild(input);
    });
    var send = el("button", { type: "submit" }, "Submit"), back = el("button", { type: "button", "class": "secondary" }, "Back");
    back.addEventListener("click", showHome);
    f.appendChild(send); f.appendChild(back);
    f.onsubmit = function (event) {
      event.preventDefault();
      var answers = {};
      form.definition.fields.forEach(function (field) {
        var input = f.elements[field.id], v;
        if (field.type === "checkbox") { v = input.checked; }
        else if (field.type === "multiple_choice") { v = Array.prototype.filter.call(input.options, function (o) { return o.selected; }).map(function (o) { return o.value; }); }
        else if (field.type === "number") { v = input.value === "" ? null : Number(input.value); }
        else if (field.type === "location") {
          var parts = input.value.split(",");
          v = input.value.trim() ? { lat: Number(parts[0]), lon: Number(parts[1]) } : null;
        } else { v = input.value.trim() || null; }
        if (v !== null && !(Array.isArray(v) && !v.length)) { answers[field.id] = v; }
      });
      var missing = form.definition.fields.filter(function (field) { return field.required && field.type !== "location" && answers[field.id] === undefined; });
      if (missing.length) { say(missing[0].label + ": this field is required.", true); return; }
      var data = { form_id: form.id, version: form.version, answers: answers };
      if (task) { data.task_id = task.id; }
      enqueue("form", form.name + (task ? " · " + task.title : ""), { data: data }).then(showHome);
    };
  }
  function showHome() { $("fill").hidden = true; $("home").hidden = false; $("pair").hidden = true; renderDay(); }

  function refreshDay() {
    if (!state.token || !navigator.onLine) { return Promise.resolve(); }
    return api("GET", "/api/fieldwork/device/day").then(function (day) {
      state.day = day; state.privacy = day.privacy_mode;
      return kv.set("day", day).then(function () { if ($("fill").hidden) { renderDay(); } });
    }).catch(function (e) { if (e.status === 401) { say("This phone was disconnected. Connect it again.", true); } });
  }
  function setPrivacy(on) {
    state.privacy = on;
    if (state.day) { state.day.privacy_mode = on; kv.set("day", state.day); }
    renderDay();
    if (!navigator.onLine) { kv.set("privacy-pending", on); say("Privacy mode " + (on ? "on" : "off") + " on this phone; the server is told when you are online."); return Promise.resolve(); }
    return api("PUT", "/api/attendance/device/privacy-mode", { enabled: on })
      .then(function () { kv.del("privacy-pending"); say("Privacy mode " + (on ? "on: no location is sent or kept." : "off.")); })
      .catch(function (e) { say(e.message, true); });
  }
  function online() {
    var on = navigator.onLine;
    $("net").textContent = on ? "Online" : "Offline";
    $("net").className = "pill" + (on ? "" : " off");
    if (!on) { return; }
    kv.get("privacy-pending").then(function (p) {
      return (p === true || p === false) ? setPrivacy(p) : null;
    }).then(sync);
  }

  function pair(event) {
    event.preventDefault();
    var form = event.target;
    api("POST", "/api/attendance/device/connect", { code: form.code.value.trim(), name: form.name.value.trim(),
                                                    platform: navigator.platform || "" })
      .then(function (answer) {
        state.token = answer.token;
        return kv.set("token", answer.token);
      }).then(refreshDay).then(function () { showHome(); say("This phone is connected."); renderQueue(); })
      .catch(function (e) { say(e.message, true); });
  }

  function start() {
    openDb().then(function (d) { db = d; return Promise.all([kv.get("token"), kv.get("day")]); }).then(function (r) {
      state.token = r[0] || null; state.day = r[1] || null;
      state.privacy = !!(state.day && state.day.privacy_mode);
      online();
      if (!state.token) { $("pair").hidden = false; return; }
      showHome(); renderQueue(); return refreshDay();
    });
    $("pair-form").addEventListener("submit", pair);
    $("check-in").addEventListener("click", function () { checkIn("in"); });
    $("check-out").addEventListener("click", function () { checkIn("out"); });
    $("privacy").addEventListener("change", function () { setPrivacy($("privacy").checked); });
    $("sync").addEventListener("click", sync);
    $("unpair").addEventListener("click", function () {
      kv.del("token").then(function () { state.token = null; $("home").hidden = true; $("pair").hidden = false; });
    });
    window.addEventListener("online", online);
    window.addEventListener("offline", online);
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register(document.body.getAttribute("data-sw"), { scope: "/app/" }).catch(function () {});
    }
  }
  start();
})();
