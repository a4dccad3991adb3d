/* Pickup-day checklist: ticks work offline.
 *
 * A tick is applied to the page at once and queued in localStorage; the queue is sent to the
 * server (POST JSON, CSRF header) now if online, else when the browser is back online, with a
 * growing delay after failures. Ticks still queued are re-applied when the page loads, so a
 * reload shows what was ticked even before the server has it. Without JavaScript, each button
 * is a plain form. */
(function () {
  'use strict';
  var list = document.getElementById('pickup-list');
  if (!list) { return; }
  var tickUrl = list.getAttribute('data-tick-url');
  var key = list.getAttribute('data-queue-key');
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute('content');
  var indicator = document.getElementById('pickup-queue');
  var delay = 2000;
  var timer = null;
  var sending = false;

  function valid(t) {
    return t && typeof t.order_id === 'number' && typeof t.collected === 'boolean' && typeof t.at === 'string';
  }
  function load() {
    var queue;
    try { queue = JSON.parse(window.localStorage.getItem(key)); } catch (e) { queue = null; }
    return Array.isArray(queue) ? queue.filter(valid) : [];
  }
  // "Élodie" is found by typing "elodie"
  function fold(text) {
    return (text.normalize ? text.normalize('NFD') : text).replace(/[\u0300-\u036f]/g, '').toLowerCase();
  }
  var problem = document.getElementById('pickup-problem');
  function refused(results) {
    if (!problem) { return; }
    var names = [];
    results.forEach(function (r) {
      if (r.outcome !== 'applied' && r.outcome !== 'stale') {
        var entry = entryOf(r.order_id);
        names.push(entry ? entry.querySelector('h2').textContent.trim() : '#' + r.order_id);
      }
    });
    if (!names.length) { return; }
    problem.textContent = problem.getAttribute('data-message') + ' ' + names.join(', ');
    problem.hidden = false;
  }
  function save(queue) {
    try { window.localStorage.setItem(key, JSON.stringify(queue)); } catch (e) { /* private mode: memory only */ }
  }

  function entryOf(orderId) { return document.getElementById('order-' + orderId); }

  function show(orderId, collected) {
    var entry = entryOf(orderId);
    if (!entry) { return; }
    entry.classList.toggle('is-collected', collected);
    var button = entry.querySelector('.pickup-tick');
    button.setAttribute('aria-pressed', collected ? 'true' : 'false');
    button.textContent = collected ? button.getAttribute('data-label-on') : button.getAttribute('data-label-off');
    entry.querySelector('input[name="collected"]').value = collected ? '0' : '1';
  }

  function showQueue(queue) {
    if (!indicator) { return; }
    if (!queue.length) { indicator.hidden = true; indicator.textContent = ''; return; }
    indicator.hidden = false;
    indicator.textContent = queue.length === 1 ? indicator.getAttribute('data-one')
      : indicator.getAttribute('data-many').replace('__N__', String(queue.length));
  }

  function refreshToken() {
    fetch(window.location.href, {credentials: 'same-origin'}).then(function (response) {
      return response.ok ? response.text() : '';
    }).then(function (html) {
      var found = /<meta name="csrf-token" content="([^"]+)"/.exec(html);
      if (found) { csrf = found[1]; }
    }).catch(function () { /* offline: next retry */ });
  }

  function schedule(wait) {
    if (timer) { window.clearTimeout(timer); }
    timer = window.setTimeout(flush, wait);
  }

  function flush() {
    timer = null;
    var queue = load();
    if (!queue.length || sending) { showQueue(queue); return; }
    if (navigator.onLine === false) { showQueue(queue); return; }
    sending = true;
    var batch = queue.slice(0, 200);
    fetch(tickUrl, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {'Content-Type': 'application/json', 'X-CSRFToken': csrf, 'Accept': 'application/json'},
      body: JSON.stringify({ticks: batch})
    }).then(function (response) {
      if (response.status === 400) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          var code = data && data.error && data.error.code;
          // a body the server will never accept: drop it rather than block the queue
          if (code === 'invalid_ticks' || code === 'too_many_ticks') { return {results: []}; }
          // most likely a stale CSRF token (the session changed): fetch a fresh one, retry
          refreshToken();
          throw new Error('HTTP 400');
        });
      }
      if (!response.ok) { throw new Error('HTTP ' + response.status); }
      return response.json();
    }).then(function (data) {
      // the server answered for every tick of the batch: drop them, keep what was added since
      var rest = load().slice(batch.length);
      save(rest);
      (data.results || []).forEach(function (r) {
        if (typeof r.collected === 'boolean' && !rest.some(function (t) { return t.order_id === r.order_id; })) {
          show(r.order_id, r.collected);
        }
      });
      refused(data.results || []);
      delay = 2000;
      sending = false;
      showQueue(rest);
      if (rest.length) { schedule(0); }
    }).catch(function () {
      sending = false;
      showQueue(load());
      delay = Math.min(delay * 2, 60000);
      schedule(delay);
    });
  }

  list.addEventListener('submit', function (event) {
    var form = event.target;
    if (!form.classList.contains('pickup-toggle')) { return; }
    event.preventDefault();
    var orderId = parseInt(form.querySelector('input[name="order_id"]').value, 10);
    var collected = form.querySelector('input[name="collected"]').value === '1';
    var queue = load();
    queue.push({order_id: orderId, collected: collected, at: new Date().toISOString()});
    save(queue);
    show(orderId, collected);
    showQueue(queue);
    schedule(0);
  });

  var filter = document.getElementById('pickup-filter');
  if (filter) {
    filter.addEventListener('input', function () {
      var words = fold(filter.value).trim();
      Array.prototype.forEach.call(list.querySelectorAll('.pickup-entry'), function (entry) {
        entry.hidden = words !== '' && fold(entry.getAttribute('data-search')).indexOf(words) === -1;
      });
    });
  }

  window.addEventListener('online', function () { delay = 2000; schedule(0); });
  // ticks made offline and not sent yet win over the state the server rendered
  load().forEach(function (t) { show(t.order_id, t.collected); });
  showQueue(load());
  schedule(0);
}());
