// Sends the whole window to the same-site address in data-to (quiz.ui.session.redirect). A file of
// the app's own, so the Content-Security-Policy allows it without 'unsafe-inline' for scripts.
// With data-method="post" it submits a form instead (sign-out: a state change is never a GET).
(function () {
  var script = document.currentScript;
  var to = script && script.getAttribute("data-to");
  if (!to || to.charAt(0) !== "/" || to.charAt(1) === "/" || to.indexOf("\\") >= 0) {
    return;
  }
  if (script.getAttribute("data-method") === "post") {
    var top = window.parent.document;
    var form = top.createElement("form");
    form.method = "post";
    form.action = to;
    form.target = "_top";
    form.style.display = "none";
    top.body.appendChild(form);
    form.submit();
  } else {
    window.parent.location.href = to;
  }
})();
