/* "Add another variant" without a round trip (the chosen photo is kept); without JavaScript the
   button posts the form and the server adds the row. */
(function () {
  var button = document.getElementById('add_variant');
  var box = document.getElementById('variants');
  if (!button || !box) { return; }
  button.addEventListener('click', function (event) {
    var sets = box.querySelectorAll('.variant-fieldset');
    if (sets.length >= 20) { return; }
    event.preventDefault();
    var last = sets[sets.length - 1];
    var from = Number(last.dataset.index), to = from + 1;
    var copy = last.cloneNode(true);
    copy.dataset.index = String(to);
    copy.querySelector('legend').textContent = box.dataset.legend.replace('{n}', to + 1);
    copy.querySelectorAll('.field-error').forEach(function (e) { e.remove(); });
    copy.querySelectorAll('.has-error').forEach(function (e) { e.classList.remove('has-error'); });
    copy.querySelectorAll('[name], [id], [for], [aria-describedby]').forEach(function (el) {
      ['name', 'id', 'for', 'aria-describedby'].forEach(function (attr) {
        var value = el.getAttribute(attr);
        if (value) { el.setAttribute(attr, value.replace('variants-' + from + '-', 'variants-' + to + '-')); }
      });
      el.removeAttribute('aria-invalid');
      if (el.type === 'text') { el.value = ''; }
      if (el.type === 'checkbox') { el.checked = /-active$/.test(el.name); }
    });
    copy.querySelector('[name$="-stock"]').value = '0';
    copy.querySelector('[name$="-unit_value"]').value = '1';
    box.appendChild(copy);
    copy.querySelector('input[type=text]').focus();
  });
})();
