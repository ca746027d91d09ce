// Import CSV: refuse a file over the size limit before sending it, and show the upload's
// progress. Without JavaScript the form posts as usual and the server checks the size.
(function () {
  "use strict";
  var form = document.getElementById("csv-upload-form");
  if (!form || !window.XMLHttpRequest || !window.FormData) return;
  var input = form.querySelector('input[type="file"]');
  var status = document.getElementById("csv-upload-status");
  var bar = document.getElementById("csv-upload-progress");
  var button = form.querySelector('[type="submit"]');
  var maxBytes = parseInt(form.dataset.maxBytes, 10);
  var decimal = (1.5).toLocaleString(document.documentElement.lang || undefined).charAt(1);

  // The words come from the page (data-* attributes, translated), never from this file.
  function message(name, values) {
    return (form.dataset[name] || "").replace(/\{(\w+)\}/g, function (all, key) {
      return key in values ? values[key] : all;
    });
  }

  function megabytes(bytes) {
    var number = (bytes / 1024 / 1024).toFixed(1).replace(".", decimal);
    return message("megabytes", {number: number});
  }

  function say(text, isError) {
    status.hidden = false;
    status.textContent = text;
    status.classList.toggle("errornote", Boolean(isError));
  }

  function tooLarge() {
    var file = input.files && input.files[0];
    if (file && maxBytes && file.size > maxBytes) {
      say(message("tooLarge", {size: megabytes(file.size), limit: megabytes(maxBytes)}), true);
      return true;
    }
    return false;
  }

  input.addEventListener("change", function () {
    status.hidden = true;
    button.disabled = tooLarge();
  });

  form.addEventListener("submit", function (event) {
    if (tooLarge()) {
      event.preventDefault();
      return;
    }
    event.preventDefault();
    var request = new XMLHttpRequest();
    request.open("POST", form.action || window.location.href);
    request.upload.addEventListener("progress", function (progress) {
      if (!progress.lengthComputable) return;
      bar.hidden = false;
      bar.max = progress.total;
      bar.value = progress.loaded;
      say(message("progress", {done: megabytes(progress.loaded), total: megabytes(progress.total)}));
    });
    request.addEventListener("load", function () {
      if (request.responseURL && request.responseURL !== window.location.href) {
        window.location.assign(request.responseURL);  // the import's progress page
      } else {
        document.open();
        document.write(request.responseText);  // the form again, with what was wrong
        document.close();
      }
    });
    request.addEventListener("error", function () {
      button.disabled = false;
      say(message("failed", {}), true);
    });
    button.disabled = true;
    say(message("uploading", {}));
    request.send(new FormData(form));
  });
})();
