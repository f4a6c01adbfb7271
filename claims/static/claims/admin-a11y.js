// Accessible names for select2's comboboxes, which do not take the label of the <select>
// they replace: its <label>, its aria-label, or the title of the list filter it sits in.
(function () {
  "use strict";

  function nameOf(select) {
    if (select.id) {
      var label = document.querySelector('label[for="' + select.id + '"]');
      if (label && label.textContent.trim()) return label.textContent.trim();
    }
    if (select.getAttribute("aria-label")) return select.getAttribute("aria-label");
    var filter = select.closest("details, div");
    var heading = filter && filter.querySelector("h3, summary");
    return heading ? heading.textContent.trim() : select.name;
  }

  function label(root) {
    root.querySelectorAll("select.select2-hidden-accessible").forEach(function (select) {
      var container = select.nextElementSibling;
      if (!container || !container.classList.contains("select2")) return;
      container.querySelectorAll('[role="combobox"], [role="textbox"]').forEach(function (box) {
        if (!box.hasAttribute("aria-label")) box.setAttribute("aria-label", nameOf(select));
      });
    });
    root.querySelectorAll(".select2-search__field").forEach(function (field) {
      if (!field.hasAttribute("aria-label")) field.setAttribute("aria-label", "Type to search");
    });
  }

  function start() {
    label(document);
    new MutationObserver(function () { label(document); }).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
