/* Progress of a long import step (products/_progress.html): a form with data-progress posts
   through XMLHttpRequest: the upload progress, then the JSON lines the server streams
   ({"phase","done","total"}, then {"redirect"} or {"error"}). Without JavaScript the form
   posts normally. */
(function () {
  var box = document.getElementById('import-progress');
  if (!box) { return; }
  var T = {
    upload: box.dataset.msgUpload,
    check: box.dataset.msgCheck,
    apply: box.dataset.msgApply,
    rows: box.dataset.msgRows,
    failed: box.dataset.msgFailed
  };
  document.querySelectorAll('form[data-progress]').forEach(function (form) {
    form.addEventListener('submit', function (event) {
      if (!window.XMLHttpRequest || !window.FormData) { return; }
      event.preventDefault();
      var bar = document.getElementById('import-progress-bar');
      var label = document.getElementById('import-progress-label');
      var text = document.getElementById('import-progress-text');
      var buttons = form.querySelectorAll('button, input[type=submit]');
      buttons.forEach(function (b) { b.disabled = true; });
      box.hidden = false;
      var xhr = new XMLHttpRequest();
      var seen = 0;
      var buffer = '';
      function fail(message) {
        label.textContent = message; text.textContent = '';
        label.className = 'field-error';
        buttons.forEach(function (b) { b.disabled = false; });
      }
      function handle(line) {
        if (!line.trim()) { return; }
        var msg = JSON.parse(line);
        if (msg.redirect) { window.location.assign(msg.redirect); return; }
        if (msg.error) { fail(msg.error); return; }
        label.textContent = T[msg.phase] || T.check;
        bar.max = Math.max(msg.total, 1); bar.value = msg.done;
        text.textContent = T.rows.replace('{done}', msg.done).replace('{total}', msg.total);
      }
      xhr.upload.addEventListener('progress', function (e) {
        if (e.lengthComputable) { label.textContent = T.upload; bar.max = e.total; bar.value = e.loaded; }
      });
      xhr.addEventListener('progress', function () {
        buffer += xhr.responseText.slice(seen); seen = xhr.responseText.length;
        var lines = buffer.split('\n'); buffer = lines.pop();
        lines.forEach(handle);
      });
      xhr.addEventListener('load', function () {
        buffer += xhr.responseText.slice(seen); seen = xhr.responseText.length;
        var ctype = xhr.getResponseHeader('Content-Type') || '';
        if (ctype.indexOf('ndjson') === -1) {
          document.open(); document.write(xhr.responseText); document.close(); return;
        }
        buffer.split('\n').forEach(handle); buffer = '';
      });
      xhr.addEventListener('error', function () { fail(T.failed); });
      xhr.open('POST', form.action || window.location.href);
      xhr.setRequestHeader('X-Progress', 'ndjson');
      xhr.send(new FormData(form));
    });
  });
})();
