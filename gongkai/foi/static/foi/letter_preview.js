/* Letter preview: on any form with data-letter-preview="<url>", post the form's fields
   (debounced, on input) and put the returned fragment into the element marked
   [data-letter-preview-target] (inside the form, else the first on the page). A button
   with data-letter-preview-button (or formaction = the url) refreshes it instead of
   leaving the page; without JavaScript that button posts to the same url. */
(function () {
  "use strict";

  var DELAY_MS = 400;

  function targetFor(form) {
    return form.querySelector("[data-letter-preview-target]") ||
      document.querySelector("[data-letter-preview-target]");
  }

  function setup(form) {
    var url = form.getAttribute("data-letter-preview");
    var target = targetFor(form);
    if (!url || !target) { return; }
    target.setAttribute("aria-live", "polite");
    var timer = null;
    var controller = null;

    function refresh(overrideUrl) {
      if (controller) { controller.abort(); }
      controller = typeof AbortController === "function" ? new AbortController() : null;
      fetch(typeof overrideUrl === "string" ? overrideUrl : url, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { "X-Letter-Preview": "1" },
        signal: controller ? controller.signal : undefined
      }).then(function (response) {
        return response.text();
      }).then(function (html) {
        target.innerHTML = html;
      }).catch(function (error) {
        if (error && error.name === "AbortError") { return; }
        target.textContent = "预览暂不可用，请稍后再试。";
      });
    }

    function later() {
      if (timer) { clearTimeout(timer); }
      timer = setTimeout(function () { refresh(); }, DELAY_MS);
    }

    form.addEventListener("input", later);
    form.addEventListener("change", later);
    form.addEventListener("click", function (event) {
      var button = event.target.closest ? event.target.closest("button, input[type=submit]") : null;
      if (!button) { return; }
      if (button.hasAttribute("data-letter-preview-button") || button.getAttribute("formaction") === url) {
        event.preventDefault();
        refresh(button.getAttribute("formaction") || url);
      }
    });
  }

  function init() {
    var forms = document.querySelectorAll("form[data-letter-preview]");
    for (var i = 0; i < forms.length; i++) { setup(forms[i]); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
