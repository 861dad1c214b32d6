/* The portal's few behaviours, bound by data attributes: the Content-Security-Policy
   allows no inline script (no <script> blocks, no on…= attributes, no javascript: URLs).
   - <select data-autosubmit>: submits its form when changed (language, year filters).
   - <input type="checkbox" data-select-all="NAME">: ticks every checkbox named NAME. */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches("select[data-autosubmit]") && el.form) {
      el.form.submit();
    } else if (el.matches("input[type=checkbox][data-select-all]")) {
      var name = el.getAttribute("data-select-all");
      document.querySelectorAll("input[type=checkbox]").forEach(function (box) {
        if (box.name === name) { box.checked = el.checked; }
      });
    }
  });
})();
