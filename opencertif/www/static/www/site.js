/* Small behaviours of the whole site, kept out of the templates: the Content-Security-Policy
   runs no inline script. Each one is keyed by a class or a data- attribute and the page
   works without it. */
(function () {
  "use strict";

  // A file dropped onto an .oc-dropzone fills the file input inside it; without JavaScript,
  // the input works alone.
  document.querySelectorAll(".oc-dropzone").forEach(function (zone) {
    var input = zone.querySelector("input[type=file]");
    if (!input) return;
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) {
        event.preventDefault();
        zone.classList.add("oc-dropzone--over");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () { zone.classList.remove("oc-dropzone--over"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      if (event.dataTransfer.files.length) { input.files = event.dataTransfer.files; }
    });
  });

  // A fragment swapped in by htmx (a progress zone that has just reached its end) may ask
  // for the whole page to be loaded again, to show what only the full page has (the
  // results), with data-reload-unless="<id of an element of those results>".
  document.addEventListener("htmx:load", function (event) {
    var element = event.detail.elt;
    if (element === document.body || !element.querySelectorAll) return;
    var wanted = element.matches("[data-reload-unless]")
      ? [element]
      : Array.prototype.slice.call(element.querySelectorAll("[data-reload-unless]"));
    if (wanted.some(function (item) {
      return !document.getElementById(item.getAttribute("data-reload-unless"));
    })) {
      window.location.reload();
    }
  });
})();
