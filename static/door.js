// The door page's script: it reads check-in QR codes with the camera, and
// keeps check-ins made while the network is down.
//
// Without it the page still works: the form posts a typed code and the
// server answers with the page again. With it, a code (typed or scanned)
// goes into a queue in localStorage first and is posted from there, with
// the session cookie, to the same address; the answer's result and count
// replace the page's. A check-in that cannot be sent (no network) stays in
// the queue, the page says how many wait, and they are sent when the
// connection returns. Sending one twice is harmless: a check-in is
// idempotent per person and day.
(function () {
  "use strict";
  var form = document.getElementById("code-form");
  var input = document.getElementById("code");
  var waiting = document.getElementById("door-queue");
  if (!form || !input || !waiting || !window.fetch || !window.localStorage || !window.DOMParser) {
    return;
  }
  var action = form.getAttribute("action");
  var key = "attend.door.queue:" + action;
  var sending = false;

  function load() {
    try {
      var q = JSON.parse(localStorage.getItem(key) || "[]");
      return Array.isArray(q) ? q : [];
    } catch (e) {
      return [];
    }
  }
  function save(q) {
    localStorage.setItem(key, JSON.stringify(q));
    show(q.length);
  }
  function show(n) {
    waiting.hidden = n === 0;
    waiting.textContent = n === 0 ? "" : waiting.getAttribute("data-text").replace("{n}", String(n));
  }

  // answer puts the result and the count of the page the server answered
  // with into this one.
  function answer(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var fresh = doc.getElementById("result");
    var old = document.getElementById("result");
    if (fresh) {
      fresh = document.importNode(fresh, true);
      if (old) {
        old.replaceWith(fresh);
      } else {
        form.parentNode.insertBefore(fresh, form);
      }
    }
    var count = doc.getElementById("count");
    if (count) {
      document.getElementById("count").textContent = count.textContent;
    }
  }

  // flush sends the queue, oldest first, one at a time; it stops at the
  // first that cannot be sent and keeps it for the next try.
  function flush() {
    if (sending) {
      return;
    }
    var q = load();
    show(q.length);
    if (q.length === 0) {
      return;
    }
    sending = true;
    var item = q[0];
    var body = new URLSearchParams();
    body.set("code", item.code);
    body.set("day", item.day);
    fetch(action, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (res) {
        // A server error, or a sign-in page after the session ended: keep
        // the check-in and try again later.
        if (res.status >= 500 || new URL(res.url).pathname !== action) {
          throw new Error("not sent");
        }
        return res.text();
      })
      .then(function (html) {
        save(load().filter(function (x) { return x.id !== item.id; }));
        answer(html);
        sending = false;
        flush();
      }, function () {
        sending = false;
      });
  }

  function enqueue(code) {
    var q = load();
    q.push({ id: Date.now() + "-" + Math.random().toString(36).slice(2), code: code, day: form.elements.day.value });
    save(q);
    flush();
  }

  form.addEventListener("submit", function (e) {
    var code = input.value.trim();
    if (code === "") {
      return; // the server says "type a code first"
    }
    e.preventDefault();
    input.value = "";
    enqueue(code);
    input.focus();
  });
  window.addEventListener("online", flush);
  window.setInterval(flush, 5000);
  flush();

  // The camera: BarcodeDetector where the browser reads QR codes with it,
  // else jsQR, loaded from this site on first use.
  var scan = document.getElementById("scan");
  var video = document.getElementById("scanner");
  if (!scan || !video || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    return;
  }
  scan.hidden = false;
  var last = "";

  function found(text) {
    var code = (text || "").trim();
    if (code === "" || code === last) {
      return; // the same badge held in front of the camera: once is enough
    }
    last = code;
    enqueue(code);
  }

  function detector() {
    if (!("BarcodeDetector" in window) || !window.BarcodeDetector.getSupportedFormats) {
      return Promise.resolve(null);
    }
    return window.BarcodeDetector.getSupportedFormats().then(function (formats) {
      return formats.indexOf("qr_code") >= 0 ? new window.BarcodeDetector({ formats: ["qr_code"] }) : null;
    }, function () { return null; });
  }

  function loadJsQR() {
    if (window.jsQR) {
      return Promise.resolve(window.jsQR);
    }
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = scan.getAttribute("data-decoder");
      s.onload = function () { resolve(window.jsQR); };
      s.onerror = reject;
      document.body.appendChild(s);
    });
  }

  function start() {
    scan.disabled = true;
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (stream) {
        video.srcObject = stream;
        video.hidden = false;
        return video.play();
      })
      .then(detector)
      .then(function (det) {
        if (det) {
          return function () {
            return det.detect(video).then(function (codes) {
              return codes.length ? codes[0].rawValue : "";
            });
          };
        }
        return loadJsQR().then(function (jsQR) {
          var canvas = document.createElement("canvas");
          var ctx = canvas.getContext("2d", { willReadFrequently: true });
          return function () {
            var w = video.videoWidth;
            var h = video.videoHeight;
            if (!w || !h) {
              return Promise.resolve("");
            }
            canvas.width = w;
            canvas.height = h;
            ctx.drawImage(video, 0, 0, w, h);
            var qr = jsQR(ctx.getImageData(0, 0, w, h).data, w, h, { inversionAttempts: "dontInvert" });
            return Promise.resolve(qr ? qr.data : "");
          };
        });
      })
      .then(function (read) {
        function tick() {
          read().then(found, function () {}).then(function () { window.setTimeout(tick, 250); });
        }
        tick();
      })
      .catch(function () {
        scan.disabled = false;
        video.hidden = true;
      });
  }
  scan.addEventListener("click", start);
})();
