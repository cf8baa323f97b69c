/* The kiosk (html.kiosk): idle clearing, the card-reading poll, the numeric pads, printing.
   After 45 s without a touch, click or key a warning offers 继续使用; at 60 s the session is
   ended on the server (POST /kiosk/end/), every browser store is cleared and the start
   screen replaces the page. Nothing here needs a keyboard or hover. */
(function () {
  "use strict";
  var chrome = document.getElementById("kiosk-chrome");
  if (!chrome) return;
  var WARN_MS = 45000, END_MS = 60000;
  var warning = document.getElementById("kiosk-warning");
  var warnTimer = null, endTimer = null, ending = false;

  function clearStores() {
    var done = [];
    try { window.localStorage.clear(); } catch (e) { /* storage blocked */ }
    try { window.sessionStorage.clear(); } catch (e) { /* storage blocked */ }
    if (window.caches && caches.keys) {
      done.push(caches.keys().then(function (keys) {
        return Promise.all(keys.map(function (key) { return caches.delete(key); }));
      }).catch(function () {}));
    }
    return Promise.all(done);
  }

  function endSession(reason) {
    if (ending) return;
    ending = true;
    var body = new URLSearchParams({ reason: reason || "idle" });
    var ended = fetch(chrome.dataset.end, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": chrome.dataset.csrf, "Accept": "application/json" },
      body: body,
    }).catch(function () {});
    // Nothing personal stays on screen while the requests finish.
    var main = document.getElementById("main");
    if (main) main.innerHTML = "";
    if (warning) warning.hidden = true;
    Promise.all([ended, clearStores()]).then(function () {
      window.location.replace(chrome.dataset.start);
    });
  }

  function restart() {
    if (ending) return;
    window.clearTimeout(warnTimer);
    window.clearTimeout(endTimer);
    if (warning && !warning.hidden) warning.hidden = true;
    warnTimer = window.setTimeout(function () {
      if (warning) {
        warning.hidden = false;
        document.getElementById("kiosk-continue").focus();
      }
    }, WARN_MS);
    endTimer = window.setTimeout(function () { endSession("idle"); }, END_MS);
  }

  if (chrome.dataset.idle !== "0") {
    ["touchstart", "pointerdown", "click", "keydown"].forEach(function (name) {
      document.addEventListener(name, restart, { capture: true, passive: true });
    });
    restart();
  } else {
    clearStores(); // the welcome screen: whatever a previous visit left is gone
  }

  // --- the reading screen polls for a card ------------------------------------------------
  var reader = document.getElementById("kiosk-reader");
  if (reader) {
    var status = document.getElementById("kiosk-reader-status");
    var poll = function () {
      fetch(reader.dataset.poll, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (answer) {
          if (answer.status === "signed_in") {
            window.location.replace(answer.next);
            return;
          }
          if (answer.message && status.textContent !== answer.message) status.textContent = answer.message;
          window.setTimeout(poll, 1000);
        })
        .catch(function () { window.setTimeout(poll, 2000); });
    };
    poll();
  }

  // --- numeric pads -----------------------------------------------------------------------
  function shownDate(digits) {
    if (digits.length <= 4) return digits;
    if (digits.length <= 6) return digits.slice(0, 4) + "-" + digits.slice(4);
    return digits.slice(0, 4) + "-" + digits.slice(4, 6) + "-" + digits.slice(6, 8);
  }
  var limits = { phone: 11, date: 8, number: 12, text: 20 };
  document.addEventListener("click", function (event) {
    var key = event.target.closest("[data-key]");
    if (key) {
      var pad = key.closest("[data-pad-for]");
      var input = document.getElementById(pad.dataset.padFor);
      var kind = pad.dataset.kind;
      var raw = kind === "date" ? input.value.replace(/-/g, "") : input.value;
      var k = key.dataset.key;
      if (k === "clear") raw = "";
      else if (k === "back") raw = raw.slice(0, -1);
      else if (raw.length < (limits[kind] || 20)) raw += k;
      input.value = kind === "date" ? shownDate(raw) : raw;
      pad.querySelector(".kiosk-pad-value").textContent = input.value;
      return;
    }
    if (event.target.closest("[data-kiosk-print]")) window.print();
  });
})();
