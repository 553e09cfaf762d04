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
  // A form marked data-once is sent once: a double click does not send it twice (the server also guards).
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; b.textContent = "Đang gửi…"; });
    });
  });
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
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
})();
