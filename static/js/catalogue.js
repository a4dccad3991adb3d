/* A producer's catalogue (products/index.html): the stock field follows "on demand"; the
   quick forms (price, stock) save without leaving the page. */
(function () {
  document.querySelectorAll('input[data-role="on-demand"]').forEach(function (box) {
    box.addEventListener('change', function () {
      var stock = document.getElementById(box.getAttribute('form') + '-stock');
      stock.disabled = box.checked;
    });
  });
  document.querySelectorAll('form.quick-form').forEach(function (form) {
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var status = form.querySelector('.quick-status');
      var data = new FormData(form);
      status.textContent = '…';
      fetch(form.action, {method: 'POST', body: data, headers: {'Accept': 'application/json'}, credentials: 'same-origin'})
        .then(function (r) { return r.json(); })
        .then(function (body) {
          status.textContent = body.message;
          status.className = 'quick-status ' + (body.ok ? 'ok' : 'field-error');
          if (body.ok) {
            var seen = form.elements.namedItem('stock_seen');
            if (seen) { seen.value = body.on_demand ? '' : body.stock; }
            var cell = document.querySelector('#variant-' + form.id.slice(2) + ' [data-role="price"]');
            if (cell) { cell.innerHTML = body.price_html; }
          }
        })
        .catch(function () { status.textContent = form.dataset.msgNetwork; });
    });
  });
})();
