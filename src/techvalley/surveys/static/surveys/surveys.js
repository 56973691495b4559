/* Surveys: display conditions on the answer form, confirmations, copyable links, self-sending selects.
   No inline script: the pages load this file (the Content-Security-Policy allows only the site's own scripts). */
(function () {
  "use strict";

  /* The answer form: show or hide each question as its display condition says (the server checks again). */
  function conditions() {
    var data = document.getElementById("survey-conditions");
    var form = document.querySelector(".answer-form form");
    if (!data || !form) return;
    var conds = JSON.parse(data.textContent);
    function values(code) {
      var out = [];
      form.querySelectorAll('[name="' + code + '"]').forEach(function (el) {
        if ((el.type === "radio" || el.type === "checkbox") ? el.checked : el.value !== "") out.push(el.value);
      });
      form.querySelectorAll('select[name^="' + code + '."]').forEach(function (el) { if (el.value) out.push(el.value); });
      return out;
    }
    function shown(c) {
      var block = document.getElementById("q-" + c.question);
      if (block && block.hidden) return false;
      var got = values(c.question), want = [].concat(c.value === undefined ? [] : c.value).map(String), op = c.op || "equals";
      if (op === "answered") return got.length > 0;
      if (!got.length) return false;
      var any = got.some(function (g) { return want.indexOf(g) >= 0; });
      if (op === "equals" || op === "in" || op === "contains") return any;
      if (op === "not_equals" || op === "not_in") return !any;
      var n = parseFloat(got[0]), b = parseFloat(want[0]);
      return op === "gte" ? n >= b : n <= b;
    }
    function update() {
      Object.keys(conds).forEach(function (code) {
        var el = document.getElementById("q-" + code);
        if (el) el.hidden = !shown(conds[code]);
      });
    }
    form.addEventListener("change", update);
    form.addEventListener("input", update);
    update();
  }

  /* <form data-confirm="…">: ask before sending (deleting a question or a record). */
  function confirmations() {
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
      });
    });
  }

  /* <input data-select-on-click>: a survey link selected whole on a click, ready to copy. */
  function selectable() {
    document.querySelectorAll("input[data-select-on-click]").forEach(function (input) {
      input.addEventListener("click", function () { input.select(); });
    });
  }

  /* <select data-autosubmit>: choosing sends the form (the results' breakdown). */
  function autosubmit() {
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
  }

  function start() { conditions(); confirmations(); selectable(); autosubmit(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
