(function () {
  "use strict";
  var box = document.getElementById("only-substantive");
  var edits = document.getElementById("all-edits");
  if (!box) { return; }
  function apply(on) {
    document.body.classList.toggle("substantive-only", on);
    var rows = document.querySelectorAll('[data-substantive="false"]');
    for (var i = 0; i < rows.length; i++) {
      if (on) { rows[i].setAttribute("hidden", ""); } else { rows[i].removeAttribute("hidden"); }
    }
    var note = document.getElementById("filter-note");
    if (note) { note.hidden = !on; }
  }
  window.addEventListener("beforeprint", function () {
    var all = document.querySelectorAll("details.evidence");
    for (var i = 0; i < all.length; i++) { all[i].open = true; }
  });
  box.addEventListener("change", function () { apply(box.checked); });
  if (edits) {
    edits.addEventListener("change", function () {
      document.body.classList.toggle("all-edits", edits.checked);
    });
  }
  var query = new URLSearchParams(window.location.search);
  if (query.get("substantive") === "1") { box.checked = true; }
  if (edits && query.get("edits") === "all") { edits.checked = true; }
  apply(box.checked);
  if (edits) { document.body.classList.toggle("all-edits", edits.checked); }
  var current = -1;
  function findings() {
    var all = document.querySelectorAll(".finding");
    var out = [];
    for (var i = 0; i < all.length; i++) {
      if (all[i].offsetParent !== null) { out.push(all[i]); }
    }
    return out;
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var tag = (event.target && event.target.tagName) || "";
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") { return; }
    var step = { j: 1, n: 1, k: -1, p: -1 }[event.key];
    if (!step) { return; }
    var list = findings();
    if (!list.length) { return; }
    var at = list.indexOf(document.activeElement);
    current = at >= 0 ? at + step : (step > 0 ? 0 : list.length - 1);
    current = Math.max(0, Math.min(list.length - 1, current));
    list[current].focus();
    list[current].scrollIntoView({ block: "center" });
    event.preventDefault();
  });
})();
