/* Officium field app service worker ({{ version }}): the shell opens offline; the API is
   never cached (the app keeps its own data in IndexedDB). */
"use strict";
var CACHE = "officium-app-{{ version }}";
var SHELL = {{ shell|safe }};

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(SHELL); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n !== CACHE; }).map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin || url.pathname.indexOf("/api/") === 0) {
    return;
  }
  var key = url.pathname === "/app/" ? "/app/" : event.request;
  event.respondWith(fetch(event.request).then(function (response) {
    if (response.ok && SHELL.indexOf(url.pathname) >= 0) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(key, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(key).then(function (hit) { return hit || new Response("Offline", { status: 503 }); });
  }));
});
