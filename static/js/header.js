/* The site header's menu on a phone (templates/base.html). Without JavaScript the "Menu" link
 * opens the menu through #site-menu (:target) and "Close the menu" closes it; here the link
 * becomes a disclosure button (aria-expanded) and Escape closes the menu. */
(function () {
  'use strict';
  var link = document.querySelector('[data-menu-toggle]');
  var menu = document.getElementById('site-menu');
  if (!link || !menu) { return; }
  var button = document.createElement('button');
  button.type = 'button';
  button.className = link.className;
  button.textContent = link.textContent;
  button.setAttribute('aria-controls', 'site-menu');
  button.setAttribute('aria-expanded', 'false');
  button.setAttribute('data-testid', 'menu-button');
  link.replaceWith(button);
  var close = menu.querySelector('[data-menu-close]');
  if (close) { close.hidden = true; }

  function setOpen(open) {
    button.setAttribute('aria-expanded', open ? 'true' : 'false');
    menu.classList.toggle('is-open', open);
  }
  button.addEventListener('click', function () {
    setOpen(button.getAttribute('aria-expanded') !== 'true');
  });
  document.addEventListener('keydown', function (event) {
    if (event.key === 'Escape' && button.getAttribute('aria-expanded') === 'true') {
      setOpen(false);
      button.focus();
    }
  });
})();
