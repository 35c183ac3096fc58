// Messaging script of Payment Page and wallet pages inside the checkout widget: tells the shop page what happens and answers its embedded-mode requests.
// @ts-check
(() => {
  'use strict';

  const script = document.currentScript;
  if (!(script instanceof HTMLScriptElement) || window.parent === window) return;
  /** @type {{ mode: string, parent_origin: string, events: Array<{ message: string, data?: unknown }> }} */
  let state;
  try {
    state = JSON.parse(script.dataset.frame ?? '');
  } catch {
    return;
  }
  const parentOrigin = state.parent_origin;

  /** @param {string} message @param {unknown} [data] */
  function post(message, data) {
    window.parent.postMessage(JSON.stringify({ message, data, from_another_domain: true }), parentOrigin);
  }

  /**
   * The page's one form the shop may check and send (`data-epframe`): `checkout` (the method form), `card` (the card
   * form), `sheet` (a card wallet's sheet) or `acs` (the sandbox bank's 3-D Secure page). Pages without one (error,
   * result) answer that nothing is wrong and send nothing.
   * @type {HTMLFormElement | null}
   */
  const form = document.querySelector('form[data-epframe]');
  const kind = form?.dataset.epframe ?? '';
  const email = form?.querySelector('input[name="customer_email"]');

  /** @typedef {{ code: string, field: string, message: string }} Problem */

  /** @param {string} name */
  function valueOf(name) {
    const input = form?.elements.namedItem(name);
    return input instanceof HTMLInputElement ? input.value.trim() : '';
  }

  /** The Luhn check, as the page's server makes it. @param {string} digits */
  function passesLuhn(digits) {
    let sum = 0;
    for (let i = 0; i < digits.length; i++) {
      let digit = Number(digits[digits.length - 1 - i]);
      if (i % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
      sum += digit;
    }
    return sum % 10 === 0;
  }

  /** The card form's problems with the codes the server gives them; only the server knows the sandbox's month. */
  function cardProblems() {
    /** @type {Problem[]} */
    const found = [];
    const pan = valueOf('pan').replace(/[\s-]/g, '');
    if (pan === '') found.push({ code: '2004', field: 'pan', message: 'Enter the card number' });
    else if (!/^\d{12,19}$/.test(pan) || !passesLuhn(pan)) found.push({ code: '2004', field: 'pan', message: 'Enter a valid card number (12 to 19 digits that pass the Luhn check)' });
    const expiry = /^(\d{1,2})\s*\/?\s*(\d{2}|\d{4})$/.exec(valueOf('expiry'));
    if (expiry === null || Number(expiry[1]) < 1 || Number(expiry[1]) > 12) found.push({ code: '2004', field: 'expiry', message: 'Enter the expiry as MM/YY' });
    const cvv = valueOf('cvv');
    if (cvv === '') found.push({ code: '3141', field: 'cvv', message: 'Enter the CVV: the 3 or 4 digits on the card' });
    else if (!/^\d{3,4}$/.test(cvv)) found.push({ code: '2004', field: 'cvv', message: 'The CVV has 3 or 4 digits' });
    if (valueOf('card_holder') === '') found.push({ code: '3162', field: 'card_holder', message: 'Enter the name as it is on the card' });
    return found;
  }

  /** @param {boolean} emptyEmailAllowed @returns {Problem[]} */
  function checkoutProblems(emptyEmailAllowed) {
    /** @type {Problem[]} */
    const found = [];
    if (form === null) return found;
    if (form.querySelector('input[name="method"]:checked') === null) {
      found.push({ code: '2004', field: 'method', message: 'Choose a payment method.' });
    }
    if (email instanceof HTMLInputElement) {
      if (email.value.trim() === '') {
        if (!emptyEmailAllowed) found.push({ code: '2004', field: 'customer_email', message: 'Enter your e-mail address.' });
      } else if (!email.checkValidity()) found.push({ code: '2426', field: 'customer_email', message: 'Enter a valid e-mail address.' });
    }
    return found;
  }

  /**
   * The form's problems with ECommPay's codes: the same checks the page makes when it is submitted. Before
   * onCheckSubmit an empty e-mail may pass: the shop can still send its checkout's e-mail with the submit.
   * A card payment does without an e-mail.
   * @returns {Problem[]}
   */
  function problems(emptyEmailAllowed = false) {
    switch (kind) {
      case 'checkout': return checkoutProblems(emptyEmailAllowed);
      case 'card': return cardProblems();
      case 'sheet': return form?.querySelector('input[name="wallet_card"]:checked') ? [] : [{ code: '2004', field: 'wallet_card', message: 'Choose a card in the wallet' }];
      case 'acs': return valueOf('code') === '' ? [{ code: '2004', field: 'code', message: 'Enter the one-time code' }] : [];
      default: return [];
    }
  }

  /**
   * Shows the problems in the frame as well: each named input says its message (the browser's bubble for the
   * first) until the customer changes it. The method form has the browser's own constraints instead.
   * @param {Problem[]} found
   */
  function show(found) {
    if (form === null) return;
    if (kind !== 'checkout') {
      for (const element of form.elements) {
        if (!(element instanceof HTMLInputElement) || element.type === 'hidden') continue;
        const problem = found.find((p) => p.field === element.name);
        element.setCustomValidity(problem?.message ?? '');
        if (problem === undefined) element.removeAttribute('aria-invalid');
        else element.setAttribute('aria-invalid', 'true');
      }
    }
    form.reportValidity();
  }

  // A field the customer changes is no longer marked: the next check says what is still wrong.
  form?.addEventListener('input', (event) => {
    if (!(event.target instanceof HTMLInputElement) || kind === 'checkout') return;
    event.target.setCustomValidity('');
    event.target.removeAttribute('aria-invalid');
  });

  /** @param {Problem[]} found */
  function refuse(found) {
    post('epframe.validation_error', envelope(found));
    show(found);
  }

  /** @param {Problem[]} found */
  function envelope(found) {
    const first = found[0];
    return first === undefined ? { errors: [] } : { code: first.code, message: first.message, errors: found };
  }

  /**
   * Sends the form once it is valid; fields from the shop (its checkout's e-mail) fill what the customer left
   * empty. On the bank's page the shop's button approves with the code typed.
   * @param {unknown} fields
   */
  function submit(fields) {
    if (form === null) return;
    if (fields && typeof fields === 'object' && email instanceof HTMLInputElement && email.value.trim() === '') {
      const record = /** @type {Record<string, unknown>} */ (fields);
      const given = record.customer_email ?? record['BillingInfo[customer_email]'];
      if (typeof given === 'string') email.value = given;
    }
    const found = problems();
    if (found.length > 0) {
      refuse(found);
      return;
    }
    const approve = form.querySelector('button[name="action"][value="approve"]');
    form.requestSubmit(approve instanceof HTMLButtonElement ? approve : null);
  }

  /** trySubmit: a valid form asks the shop (onCheckSubmit) before it is sent; the bank's page needs no second word. */
  function trySubmit() {
    if (form === null) return;
    const found = problems(true);
    if (found.length > 0) {
      refuse(found);
      return;
    }
    if (kind === 'acs') {
      submit(undefined);
      return;
    }
    const params = new URLSearchParams(valueOf('request'));
    const checked = form.querySelector('input[name="method"]:checked');
    post('epframe.embedded_mode.check_submit', {
      payment_id: params.get('payment_id'),
      method: checked instanceof HTMLInputElement ? checked.value : valueOf('method'),
      customer_email: email instanceof HTMLInputElement ? email.value.trim() : '',
    });
  }

  /** @param {unknown} raw */
  function parse(raw) {
    try {
      const value = typeof raw === 'string' ? JSON.parse(raw) : raw;
      return value && typeof value === 'object' && typeof value.message === 'string' ? value : undefined;
    } catch {
      return undefined;
    }
  }

  window.addEventListener('message', (event) => {
    if (event.source !== window.parent || event.origin !== parentOrigin) return;
    const request = parse(event.data);
    if (request === undefined) return;
    switch (request.message) {
      case 'epframe.embedded_mode.check_validation':
        post('epframe.embedded_mode.check_validation_response', envelope(problems()));
        break;
      case 'epframe.embedded_mode.try_submit':
        trySubmit();
        break;
      case 'epframe.embedded_mode.submit':
        submit(request.fields);
        break;
      default:
        break;
    }
  });

  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') post('epframe.escape');
    if (event.key !== 'Enter' || !(event.target instanceof HTMLInputElement) || event.target.form === null) return;
    post('epframe.enter_key_pressed');
    // Embedded, the shop's own button submits (after its checks); Enter must not bypass it. The bank's page keeps
    // its own buttons, so Enter there approves as on any bank's page.
    if (state.mode === 'embedded' && form !== null && event.target.form === form && kind !== 'acs') event.preventDefault();
  });

  document.addEventListener('submit', () => post('epframe.show_loader'));

  const resize = () => post('epframe.resize', { height: Math.ceil(document.documentElement.getBoundingClientRect().height) });
  new ResizeObserver(resize).observe(document.documentElement);

  post('epframe.loaded', { mode: state.mode });
  for (const event of state.events) post(event.message, event.data);
})();
