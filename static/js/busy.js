/* Slow forms: <form data-busy="正在生成告知书…"> — on submit its submit buttons are
   disabled, the button pressed shows the text with a spinner, and a second submit (a
   double click, Enter twice) is dropped. With data-busy-reset="8" the form is usable
   again after 8 s (a download leaves the page where it is). The browser's back/forward
   cache restores a page as it was left: a restored page is usable again.
   <a data-busy="…"> (an export link) works the same way for 8 s.
   No inline script anywhere (CSP): this file is loaded by base.html. */
(function () {
  "use strict";
  function reset(form) {
    delete form.dataset.busySubmitted;
    form.querySelectorAll("button.busy").forEach(function (button) {
      if (button.dataset.busyLabel !== undefined) { button.innerHTML = button.dataset.busyLabel; }
      button.classList.remove("busy");
      button.removeAttribute("aria-busy");
    });
    form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]").forEach(function (b) {
      b.disabled = false;
    });
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-busy")) { return; }
    if (form.dataset.busySubmitted) { event.preventDefault(); return; }
    if (event.defaultPrevented) { return; }  // another handler (a confirmation) said no
    form.dataset.busySubmitted = "1";
    var submitter = event.submitter || form.querySelector("button[type=submit], button:not([type])");
    // Disabled after the submission has read the pressed button's name and value.
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]").forEach(function (b) {
        b.disabled = true;
      });
      if (submitter && submitter.tagName === "BUTTON") {
        submitter.dataset.busyLabel = submitter.innerHTML;
        submitter.classList.add("busy");
        submitter.setAttribute("aria-busy", "true");
        var spinner = document.createElement("span");
        spinner.className = "spinner";
        spinner.setAttribute("aria-hidden", "true");
        submitter.replaceChildren(spinner, document.createTextNode(form.getAttribute("data-busy") || ""));
      }
      var seconds = parseFloat(form.getAttribute("data-busy-reset") || "");
      if (seconds > 0) { window.setTimeout(function () { reset(form); }, seconds * 1000); }
    }, 0);
  });
  // <a data-busy="正在导出…"> (a download link): a second click within 8 s is dropped.
  document.addEventListener("click", function (event) {
    var link = event.target instanceof Element ? event.target.closest("a[data-busy]") : null;
    if (!link) { return; }
    if (link.dataset.busySubmitted) { event.preventDefault(); return; }
    link.dataset.busySubmitted = "1";
    var label = link.innerHTML;
    link.classList.add("busy");
    link.setAttribute("aria-busy", "true");
    var spinner = document.createElement("span");
    spinner.className = "spinner";
    spinner.setAttribute("aria-hidden", "true");
    link.replaceChildren(spinner, document.createTextNode(link.getAttribute("data-busy") || ""));
    window.setTimeout(function () {
      link.innerHTML = label;
      link.classList.remove("busy");
      link.removeAttribute("aria-busy");
      delete link.dataset.busySubmitted;
    }, 8000);
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) { document.querySelectorAll("form[data-busy]").forEach(reset); }
  });
})();
