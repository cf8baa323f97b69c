/* Tongban PWA: registers the service worker (/sw.js) and fills the offline page's list of
 * guides kept for reading. On a self-service kiosk (html.kiosk) nothing is registered and
 * any earlier registration and cache is removed: kiosks keep nothing. docs/mobile.md */
"use strict";
(function () {
  var root = document.documentElement;

  function forget() {
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.getRegistrations().then(function (all) {
        all.forEach(function (registration) { registration.unregister(); });
      });
    }
    if (window.caches) {
      caches.keys().then(function (names) {
        names.filter(function (name) { return name.indexOf("tongban-") === 0; })
          .forEach(function (name) { caches.delete(name); });
      });
    }
  }

  // A kept guide is the anonymous copy: put back the elderly mode the cookie asks for.
  if (/(^|;\s*)tb_elder=1(;|$)/.test(document.cookie) && !root.classList.contains("elder")) {
    root.classList.add("elder");
  }

  function listKept() {
    var list = document.getElementById("offline-guides");
    if (!list || !window.caches) return;
    var empty = document.getElementById("offline-guides-empty");
    var guide = /^\/items\/([^/]+)\/$/;
    caches.open("tongban-pages").then(function (cache) {
      return cache.keys().then(function (requests) {
        var guides = requests.filter(function (r) { return guide.test(new URL(r.url).pathname); });
        return Promise.all(guides.map(function (request) {
          return cache.match(request).then(function (response) { return response.text(); })
            .then(function (html) {
              var page = new DOMParser().parseFromString(html, "text/html");
              var heading = page.querySelector("main h1") || page.querySelector("h1");
              var name = heading ? heading.textContent.trim() : "";
              return { url: new URL(request.url).pathname, name: name || page.title };
            });
        }));
      });
    }).then(function (found) {
      found.sort(function (a, b) { return a.name.localeCompare(b.name, "zh-CN"); });
      found.forEach(function (entry) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = entry.url;
        link.textContent = entry.name;
        item.appendChild(link);
        list.appendChild(item);
      });
      if (empty) empty.hidden = found.length > 0;
    }).catch(function () { /* no cache storage: the empty note stays */ });
  }

  if (root.classList.contains("kiosk")) {
    forget();
    return;
  }
  listKept();
  if ("serviceWorker" in navigator && window.isSecureContext) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
    });
  }
})();
