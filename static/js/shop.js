/* Add to cart in place on the shop (templates/orders/_shop_content.html): the form is sent with
 * fetch (its CSRF token is in it), the page neither reloads nor moves; the card's button says
 * how many are in the cart, the cart counts follow ([data-cart-count]), the card shows what
 * happened and #live-status says it. A quantity far above usual (orders.usual) is confirmed in
 * the card. Any answer that is not JSON (a network error, an expired session) falls back to
 * the plain form, which works without JavaScript (back to the card, #add-<offer>). */
(function () {
  'use strict';
  var live = document.getElementById('live-status');

  function announce(text) {
    if (!live) { return; }
    live.textContent = '';
    window.setTimeout(function () { live.textContent = text; }, 60);
  }

  function slotOf(form) {
    return form.closest('.add-zone').querySelector('[data-add-note]');
  }

  function showNote(form, kind, text) {
    var slot = slotOf(form);
    var note = document.createElement('p');
    note.className = 'add-note add-note-' + kind;
    note.textContent = text;
    slot.replaceChildren(note);
    announce(text);
  }

  function setCounts(count) {
    document.querySelectorAll('[data-cart-count]').forEach(function (el) {
      el.textContent = String(count);
    });
  }

  function askConfirmation(form, message) {
    var slot = slotOf(form);
    var offer = form.querySelector('input[name=offer_id]').value;
    var box = document.createElement('div');
    box.className = 'add-confirm';
    box.setAttribute('role', 'group');
    var text = document.createElement('p');
    text.id = 'confirm-' + offer;
    text.tabIndex = -1;
    text.textContent = message;
    box.setAttribute('aria-labelledby', text.id);
    var row = document.createElement('div');
    row.className = 'button-row';
    var yes = document.createElement('button');
    yes.type = 'button';
    yes.textContent = form.dataset.yes;
    yes.setAttribute('data-testid', 'confirm-quantity');
    var no = document.createElement('button');
    no.type = 'button';
    no.className = 'secondary';
    no.textContent = form.dataset.no;
    row.append(yes, no);
    box.append(text, row);
    slot.replaceChildren(box);
    yes.addEventListener('click', function () {
      slot.replaceChildren();
      send(form, true);
    });
    no.addEventListener('click', function () {
      slot.replaceChildren();
      var input = form.querySelector('input[name=quantity]');
      input.focus();
      input.select();
    });
    text.focus();
    announce(message);
  }

  function done(form, body) {
    var label = form.querySelector('[data-in-cart]');
    if (label) { label.textContent = body.label; }
    setCounts(body.cart_count);
    showNote(form, body.kind, body.message);
    if (body.sold_out) { form.remove(); }
  }

  function send(form, confirmed) {
    var data = new FormData(form);
    if (confirmed) { data.set('confirm', '1'); }
    var button = form.querySelector('button[type=submit]');
    form.setAttribute('aria-busy', 'true');
    button.disabled = true;
    fetch(form.action, {
      method: 'POST',
      body: data,
      credentials: 'same-origin',
      headers: {'Accept': 'application/json'}
    }).then(function (response) {
      return response.json().then(function (body) { return {ok: response.ok, body: body}; });
    }).then(function (answer) {
      form.removeAttribute('aria-busy');
      button.disabled = false;
      if (answer.ok) {
        done(form, answer.body);
      } else if (answer.body.error && answer.body.error.code === 'unusual_quantity') {
        askConfirmation(form, answer.body.error.message);
      } else if (answer.body.error) {
        showNote(form, 'error', answer.body.error.message);
      } else {
        throw new Error('unexpected answer');
      }
    }).catch(function () {
      // not an answer we can read: let the browser send the form (no JavaScript path)
      if (confirmed) {
        var flag = document.createElement('input');
        flag.type = 'hidden';
        flag.name = 'confirm';
        flag.value = '1';
        form.append(flag);
      }
      HTMLFormElement.prototype.submit.call(form);
    });
  }

  document.querySelectorAll('form[data-add-in-place]').forEach(function (form) {
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      slotOf(form).replaceChildren();
      send(form, false);
    });
  });
})();
