// Sends the whole window to the same-site address in data-to (quiz.ui.session.redirect). A file of
// the app's own, so the Content-Security-Policy allows it without 'unsafe-inline' for scripts.
(function () {
  var script = document.currentScript;
  var to = script && script.getAttribute("data-to");
  if (to && to.charAt(0) === "/" && to.charAt(1) !== "/" && to.indexOf("\\") < 0) {
    window.parent.location.href = to;
  }
})();
