/* The RACI matrix filter: role, team, letter and text, on the static page, no server. */
(function () {
  "use strict";

  function setup(box) {
    var table = box.parentNode.querySelector("table.pb-matrix");
    if (!table) { return; }
    var controls = {};
    box.querySelectorAll("[data-filter]").forEach(function (el) { controls[el.dataset.filter] = el; });
    var count = box.querySelector(".pb-count");
    var total = Number(box.dataset.total);
    var teamOf = {};
    table.querySelectorAll("thead th[data-role]").forEach(function (th) { teamOf[th.dataset.role] = th.dataset.team; });
    var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr[id]"));

    function cellMatches(td, role, team, letter) {
      var letters = (td.dataset.letters || "").split(" ").filter(Boolean);
      if (!letters.length) { return false; }
      if (role && td.dataset.role !== role) { return false; }
      if (team && teamOf[td.dataset.role] !== team) { return false; }
      return !letter || letters.indexOf(letter) !== -1;
    }

    function apply() {
      var role = controls.role.value, team = controls.team.value, letter = controls.letter.value;
      var words = controls.text.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      rows.forEach(function (tr) {
        var ok = true;
        if (role || team || letter) {
          ok = Array.prototype.some.call(tr.querySelectorAll("td[data-role]"), function (td) {
            return cellMatches(td, role, team, letter);
          });
        }
        if (ok && words.length) {
          var hay = tr.dataset.search || "";
          ok = words.every(function (w) { return hay.indexOf(w) !== -1; });
        }
        tr.hidden = !ok;
        if (ok) { shown += 1; }
      });
      table.querySelectorAll("tbody").forEach(function (tb) {
        var any = tb.querySelector("tr[id]:not([hidden])");
        var head = tb.querySelector("tr.pb-area");
        if (head) { head.hidden = !any; }
      });
      count.textContent = shown + " of " + total + " activities";
    }

    Object.keys(controls).forEach(function (key) {
      controls[key].addEventListener(key === "text" ? "input" : "change", apply);
    });
    box.hidden = false;
    apply();
  }

  function init() {
    /* Material's search dialog has no accessible name; give it one. */
    document.querySelectorAll(".md-search[role=dialog]:not([aria-label])").forEach(function (el) {
      el.setAttribute("aria-label", "Search");
    });
    document.querySelectorAll(".pb-filter").forEach(setup);
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
