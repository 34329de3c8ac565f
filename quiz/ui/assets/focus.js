// Moves the focus to the element named by data-selector, once it is on the page (quiz.ui.a11y.focus_once).
// A file of the app's own, so the Content-Security-Policy allows it without 'unsafe-inline' for scripts.
(function () {
  var script = document.currentScript;
  var selector = script && script.getAttribute("data-selector");
  if (!selector) return;
  var doc = window.parent.document;
  var tries = 0;
  function go() {
    var el = doc.querySelector(selector);
    if (el) {
      if (!el.matches("input,button,select,textarea,a[href]")) el.setAttribute("tabindex", "-1");
      el.focus();
      if (doc.activeElement === el) return;
    }
    if (++tries < 40) setTimeout(go, 50);
  }
  go();
})();
