// Behaviour the markup used to carry inline, which the Content-Security-Policy now forbids
// (script-src 'self', style-src 'self': no hx-on handlers, no style attributes).
(function () {
  "use strict";

  function each(root, selector, fn) {
    if (root.matches && root.matches(selector)) fn(root);
    if (root.querySelectorAll) root.querySelectorAll(selector).forEach(fn);
  }

  htmx.onLoad(function (root) {
    // A click inside a panel marked data-keep-click (the QA warnings' "dismiss" boxes) works
    // the panel and must not also reach the row around it, which would open or close it.
    each(root, "[data-keep-click]", function (el) {
      if (el.dataset.keepClickBound) return;
      el.dataset.keepClickBound = "1";
      el.addEventListener("click", function (ev) { ev.stopPropagation(); });
    });
    // Bar parts sized in percent (the progress by state); set through the CSSOM, which the
    // policy allows, where a style attribute would be refused.
    each(root, "[data-share]", function (el) {
      el.style.width = el.dataset.share + "%";
    });
  });
})();
