// Date filter fields that wait for a whole date.
//
// Chromium's date field reports a complete value after every keystroke that leaves one:
// typing 01042025 gives 0002-01-04, 0020-01-04, 0202-01-04 and then 2025-01-04, each with
// a `change` event the filter form (hx-trigger="change, submit") would send. This script
// stands between the field and the form: a date is sent only when it is whole, real and
// in the field's range (from `min`, which the server enforces too), and only
//   - at once when it is picked in the calendar or pasted;
//   - when typing completes the year, where the locale writes the year last (en-US, en-GB,
//     fr: month or day first): the year is the last part typed, and the only part whose
//     intermediate values (0002, 0020, 0202) are out of range, so its completion is seen;
//   - on Enter, or on leaving the field, after any other typing (a day or month changed
//     alone, a year typed first in a year-first locale).
// A partial or impossible date leaves the page as it was and says why in the field's hint
// (templates/dashboards/_date_field.html). Without JavaScript the browser's own form
// validation holds such a date back and the form submits as a plain GET.
(() => {
  "use strict";

  const isDateField = (element) =>
    element instanceof HTMLInputElement && element.type === "date" && element.form;

  // Where the locale puts the year: Chromium lays the field out in the same order.
  const yearIsLast = (() => {
    const parts = new Intl.DateTimeFormat(navigator.language || undefined, {
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
    }).formatToParts(new Date(2025, 0, 4));
    const order = parts.filter((part) => part.type !== "literal").map((part) => part.type);
    return order[order.length - 1] === "year";
  })();

  // What is wrong with the field's date: "partial", "range", "order", or "" (nothing; an
  // empty field is fine: it means the default date).
  function problem(field) {
    if (field.validity.badInput) return "partial";
    if (!field.value) return "";
    if (field.validity.rangeUnderflow || field.validity.rangeOverflow) return "range";
    const before = field.dataset.notBefore && field.form.elements.namedItem(field.dataset.notBefore);
    if (before && before.value && !before.validity.badInput && field.value < before.value) {
      return "order";
    }
    return "";
  }

  function hintOf(field) {
    return document.getElementById(`${field.id}-hint`);
  }

  function showHint(field, reason) {
    const hint = hintOf(field);
    const message = (hint && hint.dataset[reason]) || "";
    if (hint && hint.textContent !== message) hint.textContent = message;
    if (reason) field.setAttribute("aria-invalid", "true");
    else field.removeAttribute("aria-invalid");
  }

  // The value the page shows, by field (a field drawn anew shows its value attribute):
  // nothing to send while the field still holds it.
  const shownValues = new WeakMap();
  const shown = (field) =>
    shownValues.has(field) ? shownValues.get(field) : field.defaultValue;

  function send(field) {
    const reason = problem(field);
    showHint(field, reason);
    if (reason || field.value === shown(field)) return;
    shownValues.set(field, field.value);
    field.form.requestSubmit();
  }

  // The field a key was pressed in, until the browser has handled that key: its `change`
  // (if any) is a typed one.
  let typingIn = null;
  // Each field's state before the latest change: a date that just became whole is sent.
  const before = new WeakMap();

  document.addEventListener(
    "keydown",
    (event) => {
      const field = event.target;
      if (!isDateField(field)) return;
      if (!before.has(field)) before.set(field, problem(field));
      if (event.key === "Enter") {
        event.preventDefault(); // no implicit submission of a partial date
        send(field);
        return;
      }
      typingIn = field;
      setTimeout(() => {
        if (typingIn === field) typingIn = null;
      });
    },
    true,
  );

  document.addEventListener(
    "change",
    (event) => {
      const field = event.target;
      if (!isDateField(field)) return;
      // The form must not see this change: only send() decides what is sent.
      event.stopImmediatePropagation();
      const reason = problem(field);
      const previous = before.has(field) ? before.get(field) : "";
      before.set(field, reason);
      if (typingIn !== field) {
        send(field); // picked in the calendar, pasted, or set by a script
        return;
      }
      if (!reason) showHint(field, "");
      const whole = reason !== "partial" && reason !== "range";
      if (whole && previous === "range" && yearIsLast) send(field); // the year was just completed
    },
    true,
  );

  // Leaving the field sends what it holds, or says what is missing.
  document.addEventListener("focusout", (event) => {
    const field = event.target;
    if (!isDateField(field)) return;
    if (event.relatedTarget && event.relatedTarget === field) return;
    send(field);
  });

  // Pasting an ISO date (2025-01-04) fills the field whatever the locale's order.
  document.addEventListener("paste", (event) => {
    const field = event.target;
    if (!isDateField(field) || !event.clipboardData) return;
    const text = event.clipboardData.getData("text").trim();
    if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return;
    event.preventDefault();
    field.value = text;
    if (field.value !== text) {
      showHint(field, "partial"); // an impossible date (2025-02-30): the field refused it
      return;
    }
    before.set(field, problem(field));
    send(field);
  });

  // The Show button (or Enter in another field) with a date that is not whole: the hint
  // says why instead of the browser's bubble, and focus goes to the field.
  document.addEventListener(
    "invalid",
    (event) => {
      const field = event.target;
      if (!isDateField(field)) return;
      event.preventDefault();
      showHint(field, problem(field) || "partial");
      field.focus();
    },
    true,
  );

  document.addEventListener(
    "submit",
    (event) => {
      const form = event.target;
      const fields = [...form.elements].filter(isDateField);
      const wrong = fields.find((field) => problem(field));
      if (wrong) {
        event.preventDefault();
        event.stopImmediatePropagation();
        showHint(wrong, problem(wrong));
        wrong.focus();
        return;
      }
      for (const field of fields) {
        showHint(field, "");
        shownValues.set(field, field.value);
      }
    },
    true,
  );
})();
