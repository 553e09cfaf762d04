// Progressive enhancements only: every page works without JavaScript.
(function () {
  // Commune picker: reload the communes when the province changes (post-2025 units, served locally).
  document.querySelectorAll("[data-address]").forEach(function (box) {
    var province = box.querySelector("[data-province]");
    var ward = box.querySelector("[data-ward]");
    if (!province || !ward) return;
    province.addEventListener("change", function () {
      ward.innerHTML = '<option value="">— Chọn —</option>';
      if (!province.value) return;
      fetch("/api/v1/divisions/" + encodeURIComponent(province.value) + "/wards")
        .then(function (r) { return r.ok ? r.json() : { wards: [] }; })
        .then(function (data) {
          data.wards.forEach(function (w) {
            var option = document.createElement("option");
            option.value = w.code; option.textContent = w.name; ward.appendChild(option);
          });
        });
    });
  });
  // A print button (shown only where it works): the browser's own print dialog.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
  // An irreversible action asks first (registered before data-once, which must not lock a form that
  // was not sent).
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
    });
  });
  // A form marked data-once is sent once: a double click does not send it twice (the server also guards).
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (event.defaultPrevented) return;
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; b.textContent = "Đang gửi…"; });
    });
  });
  // Registration: show the fields of the chosen account type.
  var types = document.querySelectorAll("input[name=account_type]");
  function toggle() {
    var chosen = document.querySelector("input[name=account_type]:checked");
    document.querySelectorAll("[data-show-for]").forEach(function (el) {
      el.hidden = chosen && el.getAttribute("data-show-for") !== chosen.value;
    });
  }
  types.forEach(function (t) { t.addEventListener("change", toggle); });
  if (types.length) toggle();
  // Exemptions: the evidence the school keeps for the chosen category, under the list.
  document.querySelectorAll("select[data-evidence-select]").forEach(function (select) {
    var hint = select.parentNode.querySelector("[data-evidence-hint]");
    function show() {
      var option = select.options[select.selectedIndex];
      var evidence = option && option.getAttribute("data-evidence");
      hint.textContent = evidence ? "Minh chứng cần lưu: " + evidence : "";
    }
    select.addEventListener("change", show);
    show();
  });
})();

// A long job's progress bar: <progress data-poll="url"> asks the url (JSON {status, processed, total})
// until the job is no longer running, then reloads the page to show the outcome.
document.querySelectorAll("progress[data-poll]").forEach(function (bar) {
  var text = document.querySelector("[data-progress-text]");
  (function poll() {
    fetch(bar.dataset.poll, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (progress) {
        bar.max = progress.total || 1;
        bar.value = progress.processed;
        if (text) { text.textContent = progress.processed + "/" + progress.total; }
        if (progress.status === "importing") { setTimeout(poll, 700); } else { location.reload(); }
      })
      .catch(function () { setTimeout(poll, 2000); });
  })();
});

// Copy buttons: <button data-copy="text" hidden> are shown only where they can work (JavaScript and
// the clipboard), and say so in their own live region once copied.
document.querySelectorAll("button[data-copy]").forEach(function (button) {
  if (!navigator.clipboard) return;
  var label = button.textContent;
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(button.getAttribute("data-copy")).then(function () {
      button.textContent = "Đã sao chép";
      setTimeout(function () { button.textContent = label; }, 2000);
    });
  });
});
