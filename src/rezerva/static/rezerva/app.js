/* Rezerva's only script, loaded with defer on every page. The Content-Security-Policy allows
   scripts from our own origin only (no inline code, no eval), so behaviour lives here and pages
   opt in with data- attributes. Listeners sit on the document, so htmx-swapped parts work too. */
(function () {
  "use strict";

  // "Select everyone on this page": ticks the row boxes that belong to the bulk form.
  document.addEventListener("change", function (event) {
    if (!event.target.matches("[data-select-all]")) return;
    document.querySelectorAll('input[name="booking_ids"][form="bulk"]').forEach(function (box) {
      box.checked = event.target.checked;
    });
  });

  // <form data-confirm="Question?"> asks before submitting; with data-confirm-action="cancel"
  // it asks only when the form's "action" field has that value.
  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      var question = form.getAttribute("data-confirm");
      if (!question) return;
      var only = form.getAttribute("data-confirm-action");
      if (only) {
        var field = form.elements.namedItem("action");
        if (!field || field.value !== only) return;
      }
      if (!window.confirm(question)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true
  );
})();
