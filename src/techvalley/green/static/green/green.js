/* The energy pages' little behaviour, as a static file (the Content-Security-Policy allows no
   inline script): <form data-confirm="…"> asks before it is sent (deleting a measure). */
(function () {
  "use strict";
  function ready() {
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
