/* Small behaviours shared by every page, declared in the markup (the Content-Security-Policy
 * allows no inline script or event handler attribute):
 *   <select data-autosubmit>               submits its form when changed
 *   <form data-confirm="Question?">        asks before submitting
 *   <button data-print>                    prints the page
 *   <input data-select-on-focus>           selects its text when focused (a token to copy)
 *   <form data-submit-once>                a second click while the first travels sends nothing
 *   <div data-poll-url="/…/status">        polls a status URL and reloads the page once the
 *                                          order is paid or no longer pending (30 tries)
 */
(function () {
  'use strict';
  document.querySelectorAll('[data-autosubmit]').forEach(function (el) {
    el.addEventListener('change', function () { el.form.submit(); });
  });
  document.querySelectorAll('form[data-confirm]').forEach(function (form) {
    form.addEventListener('submit', function (event) {
      if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
    });
  });
  document.querySelectorAll('[data-print]').forEach(function (el) {
    el.addEventListener('click', function () { window.print(); });
  });
  document.querySelectorAll('[data-select-on-focus]').forEach(function (el) {
    el.addEventListener('focus', function () { el.select(); });
  });
  document.querySelectorAll('form[data-submit-once]').forEach(function (form) {
    form.addEventListener('submit', function (event) {
      if (form.dataset.sent) { event.preventDefault(); return; }
      form.dataset.sent = '1';
    });
  });
  document.querySelectorAll('[data-poll-url]').forEach(function (el) {
    var tries = 0;
    function poll() {
      fetch(el.dataset.pollUrl, {credentials: 'same-origin'})
        .then(function (r) { return r.json(); })
        .then(function (s) {
          if (s.paid || s.status !== 'pending_payment') { window.location.reload(); }
          else if (++tries < 30) { setTimeout(poll, 2000); }
        });
    }
    setTimeout(poll, 1500);
  });
})();
