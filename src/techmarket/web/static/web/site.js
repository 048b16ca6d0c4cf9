/* Behaviour shared by the site's pages (loaded by web/base.html; the CSP allows this site's own scripts only).

   Dependent selects: a <select data-choices-by="NAME" data-choices='{"VALUE": [["code", "label"], ...]}'> offers
   the options listed under the current value of its form's field NAME, rebuilt whenever that field changes; the
   selection is kept when it is still offered. data-blank is the empty option's label, data-blank-none its label
   while NAME has no listed value. Without this script the server's list stays, and the server checks the choice
   either way (the contract form's party roles: market/forms.py, PartyForm). */
(function () {
  "use strict";

  function rebuild(select, controller, table) {
    var options = Object.prototype.hasOwnProperty.call(table, controller.value) ? table[controller.value] : null;
    var current = select.value;
    select.replaceChildren(new Option(options ? (select.dataset.blank || "") : (select.dataset.blankNone || ""), ""));
    (options || []).forEach(function (pair) {
      select.add(new Option(pair[1], pair[0], false, pair[0] === current));
    });
  }

  document.querySelectorAll("select[data-choices-by]").forEach(function (select) {
    var controller = select.form && select.form.elements.namedItem(select.dataset.choicesBy);
    var table;
    try {
      table = JSON.parse(select.dataset.choices);
    } catch (error) {
      return;
    }
    if (!controller || !table || controller instanceof RadioNodeList) {
      return;
    }
    rebuild(select, controller, table);
    controller.addEventListener("change", function () { rebuild(select, controller, table); });
  });
})();
