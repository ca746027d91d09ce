// The recovery codes page: "Download" saves the codes shown on the page as a text file,
// built in the browser so the server never keeps them.
(function () {
  var link = document.getElementById("mfa-download-codes");
  if (!link) return;
  var codes = Array.prototype.map.call(document.querySelectorAll(".recovery-code"), function (el) {
    return el.textContent.trim();
  });
  link.href = URL.createObjectURL(new Blob([codes.join("\n") + "\n"], { type: "text/plain" }));
})();
