// Print carries the evidence: every note and "Why disputed" prints open (print.css also
// shows a closed one's text, for a browser that prints without these events).
(() => {
  "use strict";
  const opened = [];
  window.addEventListener("beforeprint", () => {
    for (const details of document.querySelectorAll("details:not([open])")) {
      details.open = true;
      opened.push(details);
    }
  });
  window.addEventListener("afterprint", () => {
    for (const details of opened.splice(0)) details.open = false;
  });
})();
