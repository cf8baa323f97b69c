/* Read-aloud (朗读) for guide and case-status pages: portal/_read_aloud.html's control.

   On "朗读本页" the text of the control's target (data-target, a CSS selector) is collected
   (innerText, whitespace collapsed, elements marked [data-no-read] left out) and read in
   pieces: by the browser's own Chinese voice when it has one (speechSynthesis; the voices may
   arrive late, so we wait up to a second for "voiceschanged"), otherwise by the platform
   (POST each piece to data-endpoint, play the WAV it answers). "停止" stops either.
   window.tongbanReadAloud = {mode: "voice"|"audio", audio, utterance, spoken} is what is
   playing now (the browser tests look at it). */
(function () {
  "use strict";
  if (window.tongbanReadAloud) {
    return; // the script is included once per control; one copy binds them all
  }
  var PIECE = 300; // characters per utterance or request: short pieces start sooner
  var VOICE_WAIT_MS = 1000;
  var state = (window.tongbanReadAloud = {
    mode: null,
    audio: null,
    utterance: null,
    spoken: [],
    active: null,
  });
  var run = 0; // bumped by every start and stop: callbacks of an older run do nothing

  function elder() {
    return document.documentElement.classList.contains("elder");
  }

  function collapse(text) {
    return (text || "").replace(/\s+/g, " ").trim();
  }

  /* innerText leaves out what is not rendered, so [data-no-read] parts are hidden while the
     text is read off the page, and shown again at once. */
  function textOf(target) {
    var skipped = Array.prototype.slice.call(target.querySelectorAll("[data-no-read]"));
    var saved = skipped.map(function (el) {
      var before = el.style.display;
      el.style.display = "none";
      return before;
    });
    var text = collapse(target.innerText);
    skipped.forEach(function (el, i) {
      el.style.display = saved[i];
    });
    return text;
  }

  /* Pieces of at most PIECE characters, cut after a sentence's end where possible. */
  function pieces(text) {
    var sentences = text.match(/[^。!?;!?;]+[。!?;!?;]*/g) || [text];
    var out = [];
    var current = "";
    sentences.forEach(function (sentence) {
      while (sentence.length > PIECE) {
        if (current) {
          out.push(current);
          current = "";
        }
        out.push(sentence.slice(0, PIECE));
        sentence = sentence.slice(PIECE);
      }
      if ((current + sentence).length > PIECE) {
        out.push(current);
        current = "";
      }
      current += sentence;
    });
    if (collapse(current)) {
      out.push(current);
    }
    return out
      .map(collapse)
      .filter(function (piece) {
        return piece.length > 0;
      });
  }

  function isChinese(voice) {
    return /^zh/i.test(String(voice && voice.lang).replace("_", "-"));
  }

  /* The browser's Chinese voice, or null (after waiting up to a second for the list). */
  function chineseVoice() {
    var synth = window.speechSynthesis;
    if (!synth || typeof window.SpeechSynthesisUtterance !== "function") {
      return Promise.resolve(null);
    }
    function find() {
      var voices = [];
      try {
        voices = synth.getVoices() || [];
      } catch (e) {
        voices = [];
      }
      var chinese = Array.prototype.filter.call(voices, isChinese);
      var mainland = chinese.filter(function (voice) {
        return /^zh[-_]CN/i.test(voice.lang);
      });
      return mainland[0] || chinese[0] || null;
    }
    var found = find();
    if (found || typeof synth.addEventListener !== "function") {
      return Promise.resolve(found);
    }
    return new Promise(function (resolve) {
      var done = false;
      function finish() {
        if (done) {
          return;
        }
        done = true;
        synth.removeEventListener("voiceschanged", finish);
        resolve(find());
      }
      synth.addEventListener("voiceschanged", finish);
      setTimeout(finish, VOICE_WAIT_MS);
    });
  }

  function Control(root) {
    this.root = root;
    this.button = root.querySelector(".read-aloud-button");
    this.label = root.querySelector(".read-aloud-label");
    this.status = root.querySelector(".read-aloud-status");
    this.playing = false;
    this.urls = [];
    var control = this;
    this.button.addEventListener("click", function () {
      if (control.playing) {
        control.stop(root.dataset.msgStopped);
      } else {
        control.start();
      }
    });
    root.hidden = false;
  }

  Control.prototype.say = function (message) {
    this.status.textContent = message || "";
  };

  Control.prototype.setPlaying = function (playing) {
    this.playing = playing;
    this.button.setAttribute("aria-pressed", playing ? "true" : "false");
    this.label.textContent = playing ? this.root.dataset.labelStop : this.root.dataset.labelStart;
  };

  Control.prototype.start = function () {
    if (state.active && state.active !== this) {
      state.active.stop("");
    }
    var target = document.querySelector(this.root.dataset.target) || document.getElementById("main");
    var parts = target ? pieces(textOf(target)) : [];
    if (!parts.length) {
      return;
    }
    var mine = ++run;
    state.active = this;
    state.spoken = [];
    this.setPlaying(true);
    this.say(this.root.dataset.msgLoading);
    var control = this;
    chineseVoice().then(function (voice) {
      if (mine !== run) {
        return;
      }
      if (voice) {
        control.speak(parts, voice, mine);
      } else {
        control.play(parts, mine);
      }
    });
  };

  Control.prototype.finish = function (mine, message) {
    if (mine !== run) {
      return;
    }
    run++;
    this.release();
    this.setPlaying(false);
    this.say(message);
  };

  Control.prototype.stop = function (message) {
    run++;
    if (window.speechSynthesis && state.mode === "voice") {
      try {
        window.speechSynthesis.cancel();
      } catch (e) {
        /* nothing to cancel */
      }
    }
    if (state.audio) {
      state.audio.pause();
    }
    this.release();
    this.setPlaying(false);
    this.say(message);
  };

  Control.prototype.release = function () {
    this.urls.forEach(function (url) {
      URL.revokeObjectURL(url);
    });
    this.urls = [];
  };

  /* The browser's voice: one utterance per piece, one after the other. */
  Control.prototype.speak = function (parts, voice, mine) {
    var control = this;
    state.mode = "voice";
    var index = 0;
    function next() {
      if (mine !== run) {
        return;
      }
      if (index >= parts.length) {
        control.finish(mine, control.root.dataset.msgDone);
        return;
      }
      var utterance = new window.SpeechSynthesisUtterance(parts[index]);
      index += 1;
      utterance.lang = "zh-CN";
      try {
        utterance.voice = voice;
      } catch (e) {
        /* a voice object the browser does not accept: its default zh-CN voice reads */
      }
      utterance.rate = elder() ? 0.8 : 0.95;
      utterance.onend = next;
      utterance.onerror = function (event) {
        if (event && (event.error === "interrupted" || event.error === "canceled")) {
          return;
        }
        control.finish(mine, control.root.dataset.msgUnsupported);
      };
      state.utterance = utterance;
      state.spoken.push(parts[index - 1]);
      window.speechSynthesis.speak(utterance);
    }
    this.say(this.root.dataset.msgReading);
    next();
  };

  function csrfToken(root) {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) {
      return decodeURIComponent(match[1]);
    }
    var field = root.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  /* The platform's audio: fetch each piece (the next while this one plays), play in turn. */
  Control.prototype.play = function (parts, mine) {
    var control = this;
    var root = this.root;
    state.mode = "audio";
    var audio = new Audio();
    audio.preload = "auto";
    state.audio = audio;
    function fetchPiece(text) {
      return fetch(root.dataset.endpoint, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(root) },
        body: JSON.stringify({ text: text }),
      }).then(function (response) {
        if (response.ok) {
          return response.blob();
        }
        return response
          .json()
          .catch(function () {
            return {};
          })
          .then(function (body) {
            var error = new Error(body.message || "");
            error.status = response.status;
            throw error;
          });
      });
    }
    var index = 0;
    var coming = fetchPiece(parts[0]);
    function next() {
      if (mine !== run) {
        return;
      }
      if (index >= parts.length) {
        control.finish(mine, root.dataset.msgDone);
        return;
      }
      var current = coming;
      index += 1;
      coming = index < parts.length ? fetchPiece(parts[index]) : null;
      if (coming) {
        coming.catch(function () {}); // reported when its turn comes
      }
      current
        .then(function (blob) {
          if (mine !== run) {
            return;
          }
          var url = URL.createObjectURL(blob);
          control.urls.push(url);
          audio.src = url;
          state.spoken.push(parts[index - 1]);
          control.say(root.dataset.msgReading);
          var started = audio.play();
          if (started && typeof started.catch === "function") {
            started.catch(function () {
              /* playback refused (no audio device): the audio stays loaded */
            });
          }
        })
        .catch(function (error) {
          var unsupported = !error.status || error.status === 503;
          control.finish(mine, unsupported ? root.dataset.msgUnsupported : error.message);
        });
    }
    audio.addEventListener("ended", next);
    audio.addEventListener("error", function () {
      if (audio.getAttribute("src") || audio.src) {
        control.finish(mine, root.dataset.msgUnsupported);
      }
    });
    next();
  };

  function bind() {
    var roots = document.querySelectorAll("[data-read-aloud]");
    Array.prototype.forEach.call(roots, function (root) {
      if (!root.readAloud) {
        root.readAloud = new Control(root);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", bind);
  } else {
    bind();
  }
})();
