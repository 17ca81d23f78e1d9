// Switching the language reloads the page: keep what the student typed but has not sent yet.
// On the language form's submit, the visible fields of the page's other forms are kept in
// sessionStorage for the page the switch lands on; that page puts them back once and forgets them.
// (A draft the server already holds after a refused form comes back through ?draft=; this covers
// text that was never sent.) A static file, as the CSP allows no inline script.
(function () {
  "use strict";

  var KEY = "p42-language-draft";
  var SKIP = { hidden: 1, password: 1, file: 1, submit: 1, button: 1, reset: 1, image: 1 };

  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && !SKIP[el.type] && el.name !== "csrfmiddlewaretoken";
    });
  }

  function formKey(form, index) {
    return (form.getAttribute("action") || "") + "#" + index;
  }

  function otherForms() {
    return Array.prototype.filter.call(document.forms, function (form) {
      return !form.classList.contains("language-switch");
    });
  }

  function save(target) {
    var draft = {};
    otherForms().forEach(function (form, index) {
      var values = {};
      var changed = false;
      fields(form).forEach(function (el) {
        if (el.type === "checkbox" || el.type === "radio") {
          if (el.checked !== el.defaultChecked) changed = true;
          if (el.checked) (values[el.name] = values[el.name] || []).push(el.value);
        } else if (el.tagName === "SELECT") {
          var selected = Array.prototype.filter.call(el.options, function (option) {
            if (option.selected !== option.defaultSelected) changed = true;
            return option.selected;
          });
          values[el.name] = selected.map(function (option) { return option.value; });
        } else {
          if (el.value !== el.defaultValue) changed = true;
          values[el.name] = [el.value];
        }
      });
      if (changed) draft[formKey(form, index)] = values;
    });
    if (Object.keys(draft).length === 0) return;
    try {
      sessionStorage.setItem(KEY, JSON.stringify({ path: target, forms: draft }));
    } catch (e) { /* storage full or disabled: the switch goes on without the draft */ }
  }

  function restore() {
    var saved;
    try {
      saved = JSON.parse(sessionStorage.getItem(KEY) || "null");
      sessionStorage.removeItem(KEY);
    } catch (e) { return; }
    if (!saved || saved.path !== window.location.pathname) return;
    otherForms().forEach(function (form, index) {
      var values = saved.forms[formKey(form, index)];
      if (!values) return;
      fields(form).forEach(function (el) {
        var wanted = values[el.name];
        if (!wanted) {
          if (el.type === "checkbox" || el.type === "radio") el.checked = false;
          return;
        }
        if (el.type === "checkbox" || el.type === "radio") {
          el.checked = wanted.indexOf(el.value) !== -1;
        } else if (el.tagName === "SELECT") {
          Array.prototype.forEach.call(el.options, function (option) {
            option.selected = wanted.indexOf(option.value) !== -1;
          });
        } else {
          el.value = wanted[0];
        }
      });
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.classList.contains("language-switch")) return;
    var next = form.querySelector('input[name="next"]');
    var target = new URL((next && next.value) || window.location.pathname, window.location.href);
    save(target.pathname);
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", restore);
  } else {
    restore();
  }
})();
