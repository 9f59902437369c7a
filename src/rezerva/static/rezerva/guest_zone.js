// Beside each time in the business timezone, the guest's own time when her browser is
// elsewhere (A7). Plain times stay as they are without JavaScript.
(function () {
  var note = document.querySelector("[data-business-zone]");
  if (!note || !window.Intl) return;
  var mine = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!mine || mine === note.getAttribute("data-business-zone")) return;
  var format = new Intl.DateTimeFormat(undefined, {
    hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  });
  note.textContent = " · in brackets: your time (" + mine + ")";
  note.hidden = false;
  document.querySelectorAll("[data-utc]").forEach(function (el) {
    var at = new Date(el.getAttribute("data-utc"));
    if (!isNaN(at)) el.textContent += " (" + format.format(at) + ")";
  });
})();
