/* Card payment of an order with Stripe.js (production: js.stripe.com/v3; tests: localstripe's
 * stand-in served at <STRIPE_API_BASE>/js.stripe.com/v3/).
 *
 * 1. Stripe.js turns the card fields into a PaymentMethod (the card number never reaches us).
 * 2. Our server attaches it to the order's PaymentIntent and confirms it (POST confirm_url).
 * 3. If the bank asks for 3-D Secure, stripe.confirmCardPayment(client_secret) runs it.
 * 4. Only the verified webhook marks the order paid: we poll status_url, then show the
 *    confirmation page.
 */
(function () {
  'use strict';
  var form = document.getElementById('payment-form');
  if (!form) { return; }
  var message = document.getElementById('payment-message');
  var button = document.getElementById('pay-button');
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute('content');

  function show(text) { message.textContent = text || ''; }

  if (typeof window.Stripe !== 'function') {
    show(form.dataset.msgUnavailable);
    button.disabled = true;
    return;
  }
  var options = {};
  if (form.dataset.stripeAccount) { options.stripeAccount = form.dataset.stripeAccount; }
  var stripe = window.Stripe(form.dataset.publishableKey, options);
  var elements = stripe.elements();
  var card = elements.create('card', {hidePostalCode: true});
  card.mount('#card-element');

  async function paymentMethodId() {
    var result = null;
    if (typeof stripe.createPaymentMethod === 'function') {
      result = await stripe.createPaymentMethod({type: 'card', card: card});
    }
    if (result && result.error) { throw new Error(result.error.message); }
    if (result && result.paymentMethod) { return result.paymentMethod.id; }
    // localstripe's stand-in has no createPaymentMethod: its card tokens carry a card_ id
    // that its PaymentIntents accept as a payment method.
    var token = await stripe.createToken(card);
    if (token.error) { throw new Error(token.error.message || form.dataset.msgFailed); }
    return token.token.card.id;
  }

  async function confirmOnServer(pm) {
    var response = await fetch(form.dataset.confirmUrl, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {'Content-Type': 'application/json', 'X-CSRFToken': csrf},
      body: JSON.stringify({payment_method: pm})
    });
    var body = await response.json().catch(function () { return {}; });
    if (!response.ok) {
      throw new Error((body.error && body.error.message) || form.dataset.msgFailed);
    }
    return body;
  }

  function sleep(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }

  async function waitForWebhook() {
    for (var i = 0; i < 40; i++) {
      var r = await fetch(form.dataset.statusUrl, {credentials: 'same-origin'});
      var s = await r.json().catch(function () { return {}; });
      if (s.paid || (s.status && s.status !== 'pending_payment')) { break; }
      await sleep(i < 10 ? 500 : 1500);
    }
    window.location.assign(form.dataset.confirmationUrl);
  }

  form.addEventListener('submit', async function (event) {
    event.preventDefault();
    if (button.disabled) { return; }
    button.disabled = true;
    show('');
    try {
      var pm = await paymentMethodId();
      var result = await confirmOnServer(pm);
      if (result.status === 'requires_action') {
        var auth = await stripe.confirmCardPayment(result.client_secret);
        if (auth.error) { throw new Error(auth.error.message || form.dataset.msgFailed); }
        if (auth.paymentIntent && auth.paymentIntent.status === 'requires_payment_method') {
          throw new Error(form.dataset.msgFailed);
        }
      } else if (result.status === 'requires_payment_method') {
        throw new Error(form.dataset.msgFailed);
      }
      show(form.dataset.msgWaiting);
      await waitForWebhook();
    } catch (err) {
      show(err && err.message ? err.message : form.dataset.msgFailed);
      button.disabled = false;
    }
  });
})();
