(function () {
  "use strict";
  var box = document.getElementById("only-substantive");
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
    var all = document.querySelectorAll("details");
    for (var i = 0; i < all.length; i++) { all[i].open = true; }
  });
  box.addEventListener("change", function () { apply(box.checked); });
  var query = new URLSearchParams(window.location.search);
  if (query.get("substantive") === "1") { box.checked = true; }
  apply(box.checked);
})();
