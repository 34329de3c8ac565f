// Streamlit's own fixed words in the reader's language, and the side menu that closes on a phone.
// Loaded once from index.html (quiz.ui.server.middleware.rewrite_index), which puts the catalogue's
// words for the person's language in data-words (JSON: Streamlit's English -> ours). Streamlit draws
// these texts in its bundled script, out of reach of the app's catalogue; this swaps them as they appear.
(function () {
  var script = document.currentScript;
  var words = {};
  try {
    words = JSON.parse((script && script.getAttribute("data-words")) || "{}");
  } catch (e) {
    words = {};
  }
  var LABELS = ["aria-label", "title"];
  var MATCHES = /^Select (\d+) matches$/;
  var TOO_BIG = /^File must be ([\d.]+)MB or smaller\.$/;

  function swapText(node) {
    var text = node.nodeValue;
    if (!text) return;
    var trimmed = text.trim();
    if (words[trimmed]) {
      node.nodeValue = text.replace(trimmed, words[trimmed]);
    } else if (words["Select {n} matches"] && MATCHES.test(trimmed)) {
      node.nodeValue = words["Select {n} matches"].replace("{n}", trimmed.match(MATCHES)[1]);
    } else if (words["File must be {n}MB or smaller."] && TOO_BIG.test(trimmed)) {
      node.nodeValue = words["File must be {n}MB or smaller."].replace("{n}", trimmed.match(TOO_BIG)[1]);
    }
  }

  function swap(root) {
    if (root.nodeType === 3) return swapText(root);
    if (root.nodeType !== 1) return;
    LABELS.forEach(function (name) {
      var value = root.getAttribute(name);
      if (value && words[value]) root.setAttribute(name, words[value]);
    });
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
    var node;
    while ((node = walker.nextNode())) {
      if (node.nodeType === 3) swapText(node);
      else
        LABELS.forEach(function (name) {
          var value = node.getAttribute(name);
          if (value && words[value]) node.setAttribute(name, words[value]);
        });
    }
  }

  new MutationObserver(function (changes) {
    changes.forEach(function (change) {
      if (change.type === "characterData") swapText(change.target);
      else if (change.type === "attributes") swap(change.target);
      else change.addedNodes.forEach(swap);
    });
  }).observe(document.body, {
    childList: true,
    subtree: true,
    characterData: true,
    attributes: true,
    attributeFilter: LABELS,
  });
  swap(document.body);

  // On a phone the menu lies over the page: close it once a page is chosen (Streamlit closes it
  // only for a phone's user agent, not for a narrow window).
  document.addEventListener(
    "click",
    function (event) {
      var link = event.target.closest && event.target.closest('[data-testid="stSidebarNavLink"]');
      if (!link || !window.matchMedia("(max-width: 640px)").matches) return;
      setTimeout(function () {
        var sidebar = document.querySelector('[data-testid="stSidebar"]');
        var close = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
        if (sidebar && sidebar.getAttribute("data-collapsed") === "false" && close) close.click();
      }, 0);
    },
    true
  );
})();
