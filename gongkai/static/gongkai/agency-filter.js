// The agencies index: narrow the list as the visitor types (the page works without it).
(function () {
  "use strict";
  var box = document.querySelector(".agency-filter");
  var input = document.getElementById("agency-filter-input");
  var status = document.getElementById("agency-filter-count");
  if (!box || !input) { return; }
  box.hidden = false;
  var items = Array.prototype.slice.call(document.querySelectorAll(".agency-list li[data-name]"));
  var groups = Array.prototype.slice.call(document.querySelectorAll(".agency-group"));
  input.addEventListener("input", function () {
    var text = input.value.trim();
    var shown = 0;
    items.forEach(function (li) {
      var match = !text || li.getAttribute("data-name").indexOf(text) !== -1;
      li.hidden = !match;
      if (match) { shown += 1; }
    });
    groups.forEach(function (g) { g.hidden = !g.querySelector("li[data-name]:not([hidden])"); });
    status.textContent = text ? "找到" + shown + "个机关" : "";
  });
}());
