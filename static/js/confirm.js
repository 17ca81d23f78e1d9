// Ask before an irreversible action. A form marked data-confirm="question" opens the page's
// <dialog id="confirm-dialog"> instead of submitting; "confirm" sends it with confirm=1.
// Loaded as a static file (the CSP allows no inline script). Without JavaScript, or without
// <dialog>, the form is sent unconfirmed and the server answers with a confirmation page.
(function () {
  "use strict";

  function confirmed(form) {
    var flag = form.querySelector('input[name="confirm"]');
    if (!flag) {
      flag = document.createElement("input");
      flag.type = "hidden";
      flag.name = "confirm";
      form.appendChild(flag);
    }
    flag.value = "1";
    form.submit();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.confirm) return;
    var dialog = document.getElementById("confirm-dialog");
    if (!dialog || typeof dialog.showModal !== "function") return; // server-side confirmation
    event.preventDefault();
    dialog.querySelector(".confirm-dialog__question").textContent = form.dataset.confirm;
    var ok = dialog.querySelector("[data-confirm-ok]");
    if (form.dataset.confirmButton) ok.textContent = form.dataset.confirmButton;
    dialog.returnValue = "";
    dialog.addEventListener(
      "close",
      function () {
        if (dialog.returnValue === "confirm") confirmed(form);
      },
      { once: true }
    );
    dialog.showModal();
  });
})();
