// The receipt's print button: shown only where script runs (otherwise the hint stays).
document.addEventListener("DOMContentLoaded", function () {
  var button = document.getElementById("print-receipt");
  var hint = document.getElementById("print-hint");
  if (!button) { return; }
  button.hidden = false;
  if (hint) { hint.hidden = true; }
  button.addEventListener("click", function () { window.print(); });
});
