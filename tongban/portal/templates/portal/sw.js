{% autoescape off %}/* Tongban service worker (served at /sw.js by tongban.portal.pwa; docs/mobile.md).
 *
 * Keeps guides readable offline and nothing personal:
 * - precached: the offline page and the portal's CSS, JS and icons;
 * - network first, cache as fallback: guide pages (/items/<code>/ and their print pages) and
 *   the catalog's browse and search pages. The copy kept is fetched again WITHOUT cookies, so
 *   it is the page an anonymous visitor sees, never a signed-in person's;
 * - everything else (/my/, /account, /workbench, /admin, /api/, /payments/, /cases/,
 *   /kiosk/ …, and every non-GET request) goes to the network untouched; a page that cannot be
 *   fetched offline shows the offline page.
 */
"use strict";

const VERSION = "{{ version }}";
const STATIC_CACHE = "tongban-static-" + VERSION;
const PAGES_CACHE = "tongban-pages";
const OFFLINE_URL = "{{ offline_url }}";
const PRECACHE = {{ precache }};
const STATIC_PREFIX = {{ static_prefix }};

// Pages kept for reading offline: guides, their print pages, browse and search.
const KEPT = [
  /^\/items\/$/,
  /^\/items\/[^/]+\/(print\/)?$/,
  /^\/items\/[^/]+\/versions\/\d+\/(print\/)?$/,
  /^\/search$/,
];
// Never kept, whatever else matches (defence in depth).
const NEVER = /^\/(my|account|workbench|admin|api|payments|cases|kiosk|oidc|login|logout|track|notify|messages)(\/|$)|\/apply\/$/;

function kept(url) {
  return url.origin === self.location.origin && !NEVER.test(url.pathname) &&
    KEPT.some((pattern) => pattern.test(url.pathname));
}

async function anonymous(url) {
  return fetch(url, { credentials: "omit", cache: "no-store", redirect: "follow" });
}

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(STATIC_CACHE);
    await Promise.all(PRECACHE.map(async (url) => {
      const response = await anonymous(url);
      if (response.ok) await cache.put(url, response);
    }));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names
      .filter((name) => name.startsWith("tongban-static-") && name !== STATIC_CACHE)
      .map((name) => caches.delete(name)));
    await self.clients.claim();
  })());
});

async function keepAnonymousCopy(url) {
  try {
    const response = await anonymous(url);
    const type = response.headers.get("Content-Type") || "";
    if (response.ok && !response.redirected && type.startsWith("text/html")) {
      const cache = await caches.open(PAGES_CACHE);
      await cache.put(url, response);
    }
  } catch (error) {
    /* offline again: keep the copy we had */
  }
}

async function offlinePage() {
  const cache = await caches.open(STATIC_CACHE);
  return (await cache.match(OFFLINE_URL)) ||
    new Response("当前无网络,已保存的办事指南仍可查看", {
      status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" },
    });
}

async function keptPage(event, url) {
  try {
    const response = await fetch(event.request);
    if (response.ok) event.waitUntil(keepAnonymousCopy(url.href));
    return response;
  } catch (error) {
    const cache = await caches.open(PAGES_CACHE);
    return (await cache.match(url.href)) || offlinePage();
  }
}

async function otherPage(event) {
  try {
    return await fetch(event.request);
  } catch (error) {
    return offlinePage();
  }
}

async function precachedFile(event) {
  const cache = await caches.open(STATIC_CACHE);
  const found = await cache.match(event.request, { ignoreSearch: true });
  return found || fetch(event.request);
}

// Other static files (a guide page's own CSS, say): network first, a copy for offline reading.
async function staticFile(event) {
  const cache = await caches.open(STATIC_CACHE);
  try {
    const response = await fetch(event.request);
    if (response.ok) await cache.put(event.request, response.clone());
    return response;
  } catch (error) {
    const found = await cache.match(event.request, { ignoreSearch: true });
    if (found) return found;
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(kept(url) ? keptPage(event, url) : otherPage(event));
  } else if (url.pathname.startsWith(STATIC_PREFIX)) {
    event.respondWith(PRECACHE.includes(url.pathname) ? precachedFile(event) : staticFile(event));
  }
});
{% endautoescape %}
