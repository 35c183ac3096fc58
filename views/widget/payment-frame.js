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

  /** @type {HTMLFormElement | null} */
  const form = document.querySelector('form[action="/payment/submit"]');
  const email = form?.querySelector('input[name="customer_email"]');

  /**
   * The form's problems with ECommPay's codes: the same checks the page makes when it is submitted. Before
   * onCheckSubmit an empty e-mail may pass: the shop can still send its checkout's e-mail with the submit.
   */
  function problems(emptyEmailAllowed = false) {
    /** @type {Array<{ code: string, field: string, message: string }>} */
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

  /** @param {Array<{ code: string, field: string, message: string }>} found */
  function envelope(found) {
    const first = found[0];
    return first === undefined ? { errors: [] } : { code: first.code, message: first.message, errors: found };
  }

  /** Sends the form once it is valid; fields from the shop (its checkout's e-mail) fill what the customer left empty. @param {unknown} fields */
  function submit(fields) {
    if (form === null) return;
    if (fields && typeof fields === 'object' && email instanceof HTMLInputElement && email.value.trim() === '') {
      const record = /** @type {Record<string, unknown>} */ (fields);
      const given = record.customer_email ?? record['BillingInfo[customer_email]'];
      if (typeof given === 'string') email.value = given;
    }
    const found = problems();
    if (found.length > 0) {
      post('epframe.validation_error', envelope(found));
      form.reportValidity();
      return;
    }
    form.requestSubmit();
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
      case 'epframe.embedded_mode.try_submit': {
        if (form === null) break;
        const found = problems(true);
        if (found.length > 0) {
          post('epframe.validation_error', envelope(found));
          form.reportValidity();
          break;
        }
        const params = new URLSearchParams(form.elements.namedItem('request') instanceof HTMLInputElement ? /** @type {HTMLInputElement} */ (form.elements.namedItem('request')).value : '');
        const method = form.querySelector('input[name="method"]:checked');
        post('epframe.embedded_mode.check_submit', {
          payment_id: params.get('payment_id'),
          method: method instanceof HTMLInputElement ? method.value : '',
          customer_email: email instanceof HTMLInputElement ? email.value.trim() : '',
        });
        break;
      }
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
    // Embedded, the shop's own button submits (after its checks); Enter must not bypass it.
    if (state.mode === 'embedded' && event.target.form === form) event.preventDefault();
  });

  document.addEventListener('submit', () => post('epframe.show_loader'));

  const resize = () => post('epframe.resize', { height: Math.ceil(document.documentElement.getBoundingClientRect().height) });
  new ResizeObserver(resize).observe(document.documentElement);

  post('epframe.loaded', { mode: state.mode });
  for (const event of state.events) post(event.message, event.data);
})();
