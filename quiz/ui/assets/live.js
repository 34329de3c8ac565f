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
      all(live, "form.match").forEach(function (form) {
        if (!form.dataset.ready) { return; }
        slots(form).forEach(function (slot, i) { slot.value = mine[i] || ""; });
        form.dataset.acked = "1";
        show(form, next_free(form, -1));
      });
    }
  }

  /* The match question: tap a statement (it is selected: aria-pressed), then tap where it belongs.
     The pairs live in hidden fields svar0, svar1 … (the POST the radio groups in <noscript> make
     without script); the answer is sent once every statement has a place, and again on every move. */
  function slots(form) { return all(form, 'input[type="hidden"][name^="svar"]'); }

  function next_free(form, after) {
    var values = slots(form).map(function (slot) { return slot.value; });
    for (var step = 1; step <= values.length; step++) {
      var i = (after + step) % values.length;
      if (!values[i]) { return i; }
    }
    return -1;
  }

  function show(form, selected) {
    var values = slots(form).map(function (slot) { return slot.value; });
    var targets = all(form, "button.target");
    form.dataset.sel = String(selected);
    all(form, "button.stmt").forEach(function (button, i) {
      button.setAttribute("aria-pressed", String(i === selected));
      var chosen = button.querySelector(".chosen");
      var target = targets.filter(function (t) { return t.dataset.key === values[i]; })[0];
      chosen.textContent = "";
      button.classList.toggle("done", Boolean(target));
      if (target) {
        chosen.appendChild(target.querySelector(".letter").cloneNode(true));
        chosen.appendChild(target.querySelector(".label").cloneNode(true));
      } else {
        chosen.textContent = chosen.dataset.none;
      }
    });
    targets.forEach(function (target) {
      target.setAttribute("aria-pressed", String(selected >= 0 && target.dataset.key === values[selected]));
    });
    var lead = form.querySelector(".target-lead");
    var box = form.querySelector(".targets");
    var focused = box.contains(document.activeElement);
    // With every statement placed the places step aside (the phone's screen is small) until a
    // statement is tapped again; a keyboard's focus goes to the line that says so.
    box.hidden = selected < 0;
    if (selected >= 0) {
      lead.textContent = lead.dataset.template.replace("{number}", String(selected + 1));
    } else {
      lead.textContent = form.dataset.acked ? lead.dataset.received : lead.dataset.done;
      if (focused) { lead.focus(); }
    }
    lead.classList.toggle("ok", selected < 0 && Boolean(form.dataset.acked));
    var progress = form.querySelector(".progress");
    var placed = values.filter(Boolean).length;
    progress.textContent = progress.dataset.template.replace("{placed}", String(placed));
  }

  function say(form, text) {
    var status = form.querySelector('.tap [role="status"]');
    // Emptied first: the same sentence twice (a statement placed, moved back) is announced again.
    status.textContent = "";
    setTimeout(function () { status.textContent = text; }, 50);
  }

  function enhance(form, kept) {
    if (form.dataset.ready) { return; }
    form.dataset.ready = "1";
    var count = Number(form.dataset.items);
    for (var i = 0; i < count; i++) {
      var slot = document.createElement("input");
      slot.type = "hidden";
      slot.name = "svar" + i;
      slot.value = kept && kept[i] ? kept[i] : "";
      form.appendChild(slot);
    }
    form.querySelector(".tap").hidden = false;
    show(form, next_free(form, -1));
  }

  function tapped(button) {
    var form = button.form;
    var selected = Number(form.dataset.sel);
    if (button.classList.contains("stmt")) {
      selected = Number(button.dataset.item);
      show(form, selected);
      say(form, form.querySelector('.tap [role="status"]').dataset.selected.replace("{number}", String(selected + 1)));
      var pressed = form.querySelector('button.target[aria-pressed="true"]') || form.querySelector("button.target");
      pressed.focus();
      return;
    }
    var status = form.querySelector('.tap [role="status"]');
    if (selected < 0) { say(form, status.dataset.pickFirst); return; }
    slots(form)[selected].value = button.dataset.key;
    form.dataset.acked = "";
    var label = button.dataset.letter + ". " + button.querySelector(".label").textContent.replace(/^\S+\.\s/, "");
    var next = next_free(form, selected);
    show(form, next);
    var words = status.dataset.placed.replace("{number}", String(selected + 1)).replace("{target}", label);
    if (next >= 0) {
      words += " " + status.dataset.selected.replace("{number}", String(next + 1));
      // The next statement in sight above the places (its scroll-margin clears them).
      all(form, "button.stmt")[next].scrollIntoView({ block: "nearest" });
    }
    say(form, words);
    if (next < 0 && form.requestSubmit) { form.requestSubmit(); }
  }

  function closed() {
    all(live, "form.answer button, form.answer input, form.answer textarea").forEach(function (el) { el.disabled = true; });
    // A match whose time ran out no longer asks where a statement belongs.
    all(live, "form.match[data-ready]").forEach(function (form) {
      form.querySelector(".targets").hidden = true;
      var lead = form.querySelector(".target-lead");
      lead.textContent = d.up || "";
      lead.classList.remove("ok");
    });
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

  function bind(kept) {
    fill();
    all(live, "form.match").forEach(function (form) { enhance(form, kept); });
    mark();
    counters();
    if (!ticking && live.querySelector(".timer[data-deadline]")) { ticking = setInterval(tick, 250); }
    tick();
  }

  function mine_of(form, submitter) {
    if (form.classList.contains("choice")) { return submitter ? submitter.value : null; }
    if (form.classList.contains("match")) {
      return slots(form).map(function (slot) { return slot.value; });
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
          if (form.classList.contains("match")) { form.dataset.acked = "1"; }
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

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("form.match button.stmt, form.match button.target") : null;
    if (button && !button.disabled) { tapped(button); }
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
    // A match half placed and not sent yet survives a redraw of the same question.
    var half = live.querySelector("form.match[data-ready]");
    var kept = half && got.state === "question" && before === String(got.index) ? mine_of(half) : null;
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
    bind(kept);
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
