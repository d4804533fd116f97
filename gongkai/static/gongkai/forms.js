/* Forms on every page (loaded from base.html): after a failed submission, move the focus
   to the error summary so that keyboard and screen-reader users land on what to fix
   instead of the top of the page. The summary is the shared partial
   includes/error_summary.html ([data-error-summary]); in the back office an older
   "errors" alert box counts as one too. */
(function () {
  "use strict";

  function focusErrors() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary && document.body && document.body.classList.contains("staff")) {
      summary = document.querySelector('.errors[role="alert"]');
    }
    if (!summary) {
      return;
    }
    if (!summary.hasAttribute("tabindex")) {
      summary.setAttribute("tabindex", "-1");
    }
    summary.focus();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusErrors);
  } else {
    focusErrors();
  }
})();
