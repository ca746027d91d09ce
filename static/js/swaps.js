// After an HTMX swap: focus stays with the control that caused it, and the filter form's
// markup follows what the user chose.
//
// htmx gives focus back to an element of the new content with the focused element's id,
// so every control that swaps content has a stable id (type-police, sort-deployed,
// quick-2025-10-02, page-older). When that control is gone (the "Older" link on the last
// page), focus goes to the element its data-focus-fallback names, else to the results:
// never to <body>, where a keyboard or screen-reader user would have to start over.
(() => {
  "use strict";

  let caused = null; // the focused control when the request went out

  document.addEventListener("htmx:beforeRequest", () => {
    const active = document.activeElement;
    caused = active && active !== document.body ? active : null;
  });

  function focusable(element) {
    if (element.tabIndex < 0 && !element.hasAttribute("tabindex")) element.tabIndex = -1;
    return element;
  }

  document.addEventListener("htmx:afterSettle", () => {
    reflectFilterForms();
    if (!caused) return;
    const control = caused;
    caused = null;
    const active = document.activeElement;
    if (active && active !== document.body && document.contains(active)) return;
    const target =
      (document.contains(control) && control) ||
      (control.id && document.getElementById(control.id)) ||
      (control.dataset.focusFallback && document.getElementById(control.dataset.focusFallback)) ||
      document.getElementById("results");
    if (target) focusable(target).focus();
  });

  // htmx keeps history as the page's markup, where a control shows its attributes, not
  // what was typed or picked since: write the controls' state back into the attributes
  // of a form the swap left in place, so Back shows the choices of that page.
  function reflectFilterForms() {
    for (const form of document.querySelectorAll("form.filters")) {
      for (const control of form.elements) {
        if (control instanceof HTMLSelectElement) {
          for (const option of control.options) option.toggleAttribute("selected", option.selected);
        } else if (control instanceof HTMLInputElement) {
          if (control.type === "radio" || control.type === "checkbox") {
            control.toggleAttribute("checked", control.checked);
          } else if (control.type !== "submit" && control.type !== "button") {
            control.setAttribute("value", control.value);
          }
        }
      }
    }
  }
})();
