// The map's toggles: switching a layer or a category hides or shows its points at once (the
// form still works without this script: "Apply filters" reloads the page with the same choice).
(function () {
  "use strict";
  function apply(form) {
    var layersOn = {};
    form.querySelectorAll('input[name="layer"]').forEach(function (box) { layersOn[box.value] = box.checked; });
    var catsOn = {};
    form.querySelectorAll('input[name="cat"]').forEach(function (box) { catsOn[box.value] = box.checked; });
    document.querySelectorAll(".layered-map .pt").forEach(function (pt) {
      var layer = pt.getAttribute("data-layer");
      var on = layersOn[layer] !== false && catsOn[layer + ":" + pt.getAttribute("data-cat")] !== false;
      pt.classList.toggle("off", !on);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("map-controls");
    if (!form) { return; }
    form.addEventListener("change", function () { apply(form); });
  });
})();
