/* The live room's lean pages (phone and stage): Server-Sent Events in, answers out as POSTs.
   Served from our own origin under the CSP (no inline script). Works without it too: the forms post
   and the server answers with the page. */
(function () {
  "use strict";
  var d = document.body.dataset;
  var live = document.getElementById("live");
  if (!live) { return; }
  var ack = document.getElementById("ack");
  var me = document.getElementById("me");
  var offline = document.getElementById("offline");
  var phone = document.body.classList.contains("phone");
  var offset = d.now ? Number(d.now) - Date.now() : 0;
  var version = Number(d.version || 0);
  var mine = d.mine ? JSON.parse(d.mine) : null;
  var ticking = null;

  function all(root, selector) { return Array.prototype.slice.call(root.querySelectorAll(selector)); }

  function fill() {
    all(live, 'input[name="csrf"]').forEach(function (input) { input.value = d.csrf || ""; });
  }

  function mark() {
    all(live, "form.choice button.option").forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.value === mine));
    });
    if (Array.isArray(mine)) {
      mine.forEach(function (key, i) {
        all(live, 'form.match input[name="svar' + i + '"]').forEach(function (r) { r.checked = r.value === key; });
      });
    }
  }

  function closed() {
    all(live, "form.answer button, form.answer input, form.answer textarea").forEach(function (el) { el.disabled = true; });
  }

  function tick() {
    var timers = all(live, ".timer[data-deadline]");
    timers.forEach(function (timer) {
      var left = Math.ceil((Number(timer.dataset.deadline) - (Date.now() + offset)) / 1000);
      var secs = timer.querySelector(".secs");
      var unit = timer.querySelector(".unit");
      var up = timer.querySelector(".up");
      if (left > 0) {
        secs.textContent = String(left);
        return;
      }
      secs.hidden = true;
      if (unit) { unit.hidden = true; }
      if (up.hidden) {
        up.hidden = false;
        timer.classList.add("over");
        timer.setAttribute("role", "status");
        if (phone) { closed(); }
      }
    });
    if (!timers.length && ticking) { clearInterval(ticking); ticking = null; }
  }

  function counters() {
    all(live, "form.text textarea").forEach(function (area) {
      var count = document.getElementById(area.getAttribute("aria-describedby"));
      var update = function () {
        count.textContent = count.dataset.template.replace("{count}", String(area.value.length));
      };
      area.addEventListener("input", update);
      update();
    });
  }

  function bind() {
    fill();
    mark();
    counters();
    if (!ticking && live.querySelector(".timer[data-deadline]")) { ticking = setInterval(tick, 250); }
    tick();
  }

  function mine_of(form, submitter) {
    if (form.classList.contains("choice")) { return submitter ? submitter.value : null; }
    if (form.classList.contains("match")) {
      return all(form, "fieldset").map(function (set) {
        var on = set.querySelector("input:checked");
        return on ? on.value : "";
      });
    }
    return null;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("answer")) { return; }
    event.preventDefault();
    var data = new FormData(form);
    var submitter = event.submitter;
    if (submitter && submitter.name) { data.set(submitter.name, submitter.value); }
    var chosen = mine_of(form, submitter);
    if (ack) { ack.innerHTML = "<p>" + (d.sending || "…") + "</p>"; }
    // URL-encoded (not multipart): the server reads it with a fraction of the work.
    fetch(form.action, {
      method: "POST", body: new URLSearchParams(data), credentials: "same-origin", headers: { Accept: "application/json" }
    })
      .then(function (r) { return r.json(); })
      .then(function (got) {
        if (ack) { ack.innerHTML = got.html || ""; }
        if (got.ok) {
          if (chosen !== null) { mine = chosen; mark(); }
          if (form.classList.contains("text")) {
            var area = form.querySelector("textarea");
            area.value = "";
            area.dispatchEvent(new Event("input"));
          }
        }
      })
      .catch(function () { if (ack && offline) { ack.innerHTML = "<p class=\"problem\">" + offline.textContent + "</p>"; } });
  });

  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (!form || !form.classList.contains("match")) { return; }
    var sets = all(form, "fieldset");
    if (sets.every(function (set) { return set.querySelector("input:checked"); })) {
      if (form.requestSubmit) { form.requestSubmit(); }
    }
  });

  bind();
  if (!d.stream || !window.EventSource) { return; }
  var source = new EventSource(d.stream);
  source.addEventListener("room", function (event) {
    var got = JSON.parse(event.data);
    if (offline) { offline.hidden = true; }
    if (phone && got.v === version) { return; }
    var moved = got.v !== version;
    var before = live.dataset.index;
    version = got.v;
    live.dataset.index = String(got.index);
    live.innerHTML = got.html;
    if (phone && moved) {
      if (got.state === "question" && before !== String(got.index)) {
        mine = null;
        if (ack) { ack.innerHTML = ""; }
        if (me) { me.innerHTML = ""; }
      }
    }
    bind();
  });
  // The phone's own part (its answer, its place) comes right behind the room's message after a reveal.
  source.addEventListener("me", function (event) {
    var got = JSON.parse(event.data);
    if (got.gone) { window.location.reload(); return; }
    if (got.v !== version) { return; }
    if (me) { me.innerHTML = got.me || ""; }
    if (ack) { ack.innerHTML = got.ack || ""; }
    if (got.mine !== undefined && got.mine !== null) { mine = got.mine; mark(); }
  });
  source.addEventListener("error", function () {
    if (offline && source.readyState !== EventSource.OPEN) { offline.hidden = false; }
  });
  source.addEventListener("open", function () { if (offline) { offline.hidden = true; } });
}());
