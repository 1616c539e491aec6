// Import pages: drop files to upload them with progress; on the review page, show the text a field came from.
(function () {
  "use strict";

  var form = document.getElementById("upload-form");
  if (form) {
    var zone = document.getElementById("drop-zone");
    var input = document.getElementById("files");
    var list = document.getElementById("upload-progress");
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.add("drop-active"); });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () { zone.classList.remove("drop-active"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      input.files = event.dataTransfer.files;
    });
    form.addEventListener("submit", function (event) {
      if (!window.FormData || !input.files.length) { return; }
      event.preventDefault();
      var data = new FormData(form);
      var request = new XMLHttpRequest();
      var line = document.createElement("li");
      line.id = "upload-status";
      list.replaceChildren(line);
      request.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) { line.textContent = "Загрузка: " + Math.round(e.loaded / e.total * 100) + "%"; }
      });
      request.addEventListener("load", function () {
        // The answer is the page the upload leads to, with its messages: show it as it came.
        window.history.replaceState(null, "", request.responseURL);
        document.open();
        document.write(request.responseText);
        document.close();
      });
      request.addEventListener("error", function () { line.textContent = "Не удалось загрузить файлы."; });
      line.textContent = "Загрузка: 0% (файлов: " + input.files.length + ")";
      request.open("POST", form.dataset.action);
      request.send(data);
    });
  }

  var source = document.getElementById("source-text");
  if (source) {
    document.getElementById("document-form").addEventListener("focusin", function (event) {
      // a picker's box stands for its hidden id; Tom Select's box («…-ts-control») for its select
      var target = event.target;
      var picker = target.closest("[data-picker]");
      var name = picker ? picker.querySelector('input[type="hidden"]').name
        : target.name || (target.id || "").replace(/-ts-control$/, "");
      source.querySelectorAll("mark.active").forEach(function (m) { m.classList.remove("active"); });
      if (!name) { return; }
      var marks = source.querySelectorAll('mark[data-field="' + name + '"]');
      marks.forEach(function (m) { m.classList.add("active"); });
      if (marks.length) { marks[0].scrollIntoView({block: "nearest"}); }
    });
  }
})();
