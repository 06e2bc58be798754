/* Fields that only matter in some cases: an element with data-show-if="control=a|b" is
   shown only while the form field named `control` has one of those values (and is itself
   shown). Without JavaScript every field stays visible, its hint saying when it applies. */
(function () {
  "use strict";

  function valueOf(form, name) {
    var checked = form.querySelector('[name="' + name + '"]:checked');
    if (checked) return checked.value;
    var field = form.querySelector('[name="' + name + '"]');
    if (!field || field.type === "radio" || field.type === "checkbox") return "";
    return field.value;
  }

  function wrapperOf(form, name) {
    var field = form.querySelector('[name="' + name + '"]');
    return field ? field.closest("[data-show-if]") : null;
  }

  function update(form) {
    var items = form.querySelectorAll("[data-show-if]");
    // Two passes: a field whose control is itself hidden must hide too.
    for (var pass = 0; pass < 3; pass++) {
      items.forEach(function (item) {
        var parts = item.getAttribute("data-show-if").split("=");
        var control = parts[0];
        var wanted = parts[1].split("|");
        var controlWrapper = wrapperOf(form, control);
        var controlShown = !controlWrapper || !controlWrapper.hidden;
        item.hidden = !(controlShown && wanted.indexOf(valueOf(form, control)) !== -1);
      });
    }
  }

  document.querySelectorAll("form").forEach(function (form) {
    if (!form.querySelector("[data-show-if]")) return;
    form.addEventListener("change", function () { update(form); });
    update(form);
  });
})();
