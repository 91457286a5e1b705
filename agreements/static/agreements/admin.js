/* Clauses in the agreement form: move a clause up or down, and number them in the order shown.
   A clause left without a position is numbered after the others when saved; these buttons let
   the editor reorder without retyping numbers. Loaded as a file: the CSP allows no inline script. */
(function () {
  "use strict";

  function rows(group) {
    return Array.from(group.querySelectorAll(".inline-related:not(.empty-form)"));
  }

  function renumber(group) {
    rows(group).forEach(function (row, index) {
      var position = row.querySelector('input[name$="-position"]');
      if (position) { position.value = String(index + 1); }
    });
  }

  function addControls(group, row) {
    if (row.querySelector(".reorder")) { return; }
    var heading = row.querySelector("h3");
    if (!heading) { return; }
    var box = document.createElement("span");
    box.className = "reorder";
    [["▲", "Move this clause up", -1], ["▼", "Move this clause down", 1]].forEach(function (spec) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = spec[0];
      button.title = spec[1];
      button.setAttribute("aria-label", spec[1]);
      button.addEventListener("click", function () {
        var all = rows(group);
        var index = all.indexOf(row);
        var target = all[index + spec[2]];
        if (!target) { return; }
        if (spec[2] < 0) { target.before(row); } else { target.after(row); }
        renumber(group);
      });
      box.appendChild(button);
    });
    heading.appendChild(box);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var group = document.getElementById("clauses-group");
    if (!group) { return; }
    rows(group).forEach(function (row) { addControls(group, row); });
    document.addEventListener("formset:added", function (event) {
      if (event.detail && event.detail.formsetName === "clauses") { addControls(group, event.target); }
    });
  });
})();
