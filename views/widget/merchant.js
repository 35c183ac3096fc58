// EPayWidget: opens the sandbox's Payment Page from a shop page as a full-page redirect, a modal, an iframe or embedded in its form.
// @ts-check
(() => {
  'use strict';

  const currentScript = document.currentScript;
  const scriptOrigin = currentScript instanceof HTMLScriptElement && currentScript.src !== ''
    ? new URL(currentScript.src, window.location.href).origin
    : window.location.origin;

  /** @typedef {Record<string, unknown>} Config */
  /** @typedef {{ message: string, data?: any, fields?: any }} FrameMessage */
  /** @typedef {{ code?: string, field: string, message: string }} Problem */

  /** @type {Set<Widget>} */
  const widgets = new Set();
  let frameCounter = 0;

  /** @param {unknown} value */
  function truthy(value) {
    return value === true || value === 1 || value === '1' || value === 'true' || value === 'True';
  }

  /** @param {unknown} error */
  function report(error) {
    if (typeof window.reportError === 'function') window.reportError(error);
    else console.error(error);
  }

  /** @param {unknown} raw @returns {FrameMessage | undefined} */
  function parseMessage(raw) {
    let value = raw;
    if (typeof raw === 'string') {
      try {
        value = JSON.parse(raw);
      } catch {
        return undefined;
      }
    }
    if (typeof value !== 'object' || value === null) return undefined;
    const message = /** @type {{ message?: unknown }} */ (value).message;
    return typeof message === 'string' ? /** @type {FrameMessage} */ (value) : undefined;
  }

  /**
   * The parameters the Payment Page gets: every config value but the handlers, as text, so a set signed with
   * them (WooCommerce signs baseUrl and target_element) still verifies; plus `_referrer`, the shop's origin,
   * unsigned like every `_…` parameter, which the page needs to know whom it may talk to.
   * @param {Config} config @param {string | undefined} frameMode
   */
  function parametersOf(config, frameMode) {
    /** @type {Record<string, string>} */
    const params = {};
    for (const [key, value] of Object.entries(config)) {
      if (value === undefined || value === null || typeof value === 'function') continue;
      if (typeof value === 'object') {
        // JSON-valued parameters (payment_methods_options, recurring) may come as objects; elements and the like are not parameters.
        const plain = Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype;
        if (plain) params[key] = JSON.stringify(value);
        continue;
      }
      params[key] = String(value);
    }
    if (frameMode !== undefined) params.frame_mode = frameMode;
    params._referrer = window.location.origin;
    return params;
  }

  /** @param {unknown} data @returns {Problem[]} */
  function problemsOf(data) {
    const errors = data && typeof data === 'object' ? /** @type {{ errors?: unknown }} */ (data).errors : undefined;
    return Array.isArray(errors) ? errors.filter((e) => e && typeof e.field === 'string') : [];
  }

  /** Plugins read validation errors as {field: message}; the codes stay in the second argument. @param {Problem[]} problems */
  function byField(problems) {
    /** @type {Record<string, string>} */
    const map = {};
    for (const problem of problems) if (!(problem.field in map)) map[problem.field] = String(problem.message);
    return map;
  }

  /** @param {unknown} target */
  function elementOf(target) {
    if (target instanceof Element) return target;
    if (typeof target === 'string' && target !== '') return document.getElementById(target);
    return null;
  }

  class Widget {
    /** @param {Config} config @param {'GET' | 'POST'} method @param {string | undefined} mode */
    constructor(config, method, mode) {
      this.config = config;
      this.method = method;
      this.mode = mode;
      this.baseUrl = String(config.baseUrl || scriptOrigin).replace(/\/+$/, '');
      this.origin = new URL(this.baseUrl, window.location.href).origin;
      /** @type {HTMLIFrameElement | null} */
      this.frame = null;
      /** @type {HTMLElement | null} */
      this.overlay = null;
      /** @type {Element | null} */
      this.target = null;
      /** @type {Element | null} */
      this.returnFocus = null;
      /** The shop page's elements made inert while the modal is open (those inert already stay so). @type {HTMLElement[]} */
      this.inerted = [];
      this.loaded = false;
      this.loaderShown = false;
      /** @type {FrameMessage[]} */
      this.pending = [];
      /** @type {Set<string>} */
      this.announced = new Set();
    }

    /** @param {string} name @param {...unknown} args */
    emit(name, ...args) {
      const handler = this.config[name];
      if (typeof handler !== 'function') return;
      try {
        handler(...args);
      } catch (error) {
        report(error);
      }
    }

    open() {
      if (this.mode === undefined) {
        this.navigate('_self');
        return;
      }
      const frame = document.createElement('iframe');
      frameCounter += 1;
      frame.name = `epw-frame-${frameCounter}`;
      frame.title = 'Payment page';
      frame.className = 'epw-frame';
      frame.setAttribute('allow', 'payment');
      this.frame = frame;
      if (this.mode === 'popup') {
        this.openModal(frame);
      } else {
        const target = elementOf(this.config.target_element);
        if (target === null) {
          throw new Error(`EPayWidget: target_element ${JSON.stringify(this.config.target_element)} is not an element on this page`);
        }
        for (const widget of widgets) if (widget.target === target) widget.destroy();
        this.target = target;
        target.appendChild(frame);
      }
      widgets.add(this);
      this.navigate(frame.name);
    }

    /** @param {HTMLIFrameElement} frame */
    openModal(frame) {
      for (const widget of widgets) if (widget.mode === 'popup') widget.destroy();
      this.returnFocus = document.activeElement;
      const overlay = document.createElement('div');
      overlay.className = 'epw-overlay';
      // css_modal_wrap: the shop's own class(es) on the modal's wrapper.
      const extra = typeof this.config.css_modal_wrap === 'string' ? this.config.css_modal_wrap.split(/\s+/).filter((c) => /^[A-Za-z_-][\w-]*$/.test(c)) : [];
      overlay.classList.add(...extra);
      const modal = document.createElement('div');
      modal.className = 'epw-modal';
      modal.setAttribute('role', 'dialog');
      modal.setAttribute('aria-modal', 'true');
      modal.setAttribute('aria-label', 'Payment');
      const bar = document.createElement('div');
      bar.className = 'epw-bar';
      const close = document.createElement('button');
      close.type = 'button';
      close.className = 'epw-close';
      close.setAttribute('aria-label', 'Close the payment window');
      close.textContent = '\u00d7';
      close.addEventListener('click', () => this.exit());
      bar.appendChild(close);
      const loading = document.createElement('p');
      loading.className = 'epw-loading';
      loading.setAttribute('role', 'status');
      loading.textContent = 'Loading the payment page\u2026';
      modal.append(bar, loading, frame);
      // Focus stays in the modal: Tab past the frame's last field comes back to ×, Shift+Tab before × goes to the frame.
      const guard = (/** @type {() => void} */ onFocus) => {
        const element = document.createElement('span');
        element.className = 'epw-guard';
        element.tabIndex = 0;
        element.addEventListener('focus', onFocus);
        return element;
      };
      overlay.append(guard(() => frame.focus()), modal, guard(() => close.focus()));
      if (truthy(this.config.close_on_missclick)) {
        overlay.addEventListener('click', (event) => {
          if (event.target === overlay) this.exit();
        });
      }
      overlay.addEventListener('keydown', (event) => {
        if (event.key === 'Escape') this.exit();
      });
      document.body.appendChild(overlay);
      document.documentElement.classList.add('epw-open');
      // The shop page behind is out of reach (Tab, a screen reader's browse mode) until the modal closes.
      for (const sibling of document.body.children) {
        if (sibling === overlay || !(sibling instanceof HTMLElement) || sibling.inert) continue;
        sibling.inert = true;
        this.inerted.push(sibling);
      }
      this.overlay = overlay;
      close.focus();
    }

    /** @param {string} targetName */
    navigate(targetName) {
      const params = parametersOf(this.config, this.mode);
      const action = `${this.baseUrl}/payment`;
      if (this.method === 'GET') {
        const url = `${action}?${new URLSearchParams(params).toString()}`;
        if (this.frame !== null) this.frame.src = url;
        else window.location.assign(url);
        return;
      }
      const form = document.createElement('form');
      form.method = 'post';
      form.action = action;
      form.target = targetName;
      form.hidden = true;
      for (const [name, value] of Object.entries(params)) {
        const input = document.createElement('input');
        input.type = 'hidden';
        input.name = name;
        input.value = value;
        form.appendChild(input);
      }
      document.body.appendChild(form);
      form.submit();
      form.remove();
    }

    /** @param {FrameMessage} message */
    send(message) {
      if (this.frame === null || this.frame.contentWindow === null) return;
      if (!this.loaded) {
        this.pending.push(message);
        return;
      }
      this.frame.contentWindow.postMessage(JSON.stringify({ ...message, from_another_domain: true }), this.origin);
    }

    /** Once per payment: pages announce again when reloaded. @param {string} key */
    firstTime(key) {
      if (this.announced.has(key)) return false;
      this.announced.add(key);
      return true;
    }

    /** @param {FrameMessage} message */
    receive(message) {
      const data = message.data && typeof message.data === 'object' ? message.data : {};
      switch (message.message) {
        case 'epframe.loaded': {
          if (this.overlay !== null) this.overlay.classList.add('epw-loaded');
          if (!this.loaded) {
            this.loaded = true;
            this.emit('onLoaded');
            for (const queued of this.pending.splice(0)) this.send(queued);
          }
          if (this.loaderShown) {
            this.loaderShown = false;
            this.emit('onHideLoader');
          }
          break;
        }
        case 'epframe.resize': {
          const height = Number(data.height);
          if (this.frame !== null && Number.isFinite(height) && height > 0) this.frame.style.height = `${Math.ceil(height)}px`;
          break;
        }
        case 'epframe.show_loader':
          if (!this.loaderShown) {
            this.loaderShown = true;
            this.emit('onShowLoader');
          }
          break;
        case 'epframe.payment.sent':
          if (this.firstTime(`sent:${data.payment_id}`)) this.emit('onPaymentSent', data);
          break;
        case 'epframe.payment.success':
          if (this.firstTime(`final:${data.payment_id}`)) this.emit('onPaymentSuccess', data);
          break;
        case 'epframe.payment.fail':
          if (this.firstTime(`final:${data.payment_id}`)) this.emit('onPaymentFail', data);
          break;
        case 'epframe.validation_error':
          this.emit('onValidationError', byField(problemsOf(data)), data);
          break;
        case 'epframe.embedded_mode.check_validation_response': {
          const problems = problemsOf(data);
          this.emit('onEmbeddedModeCheckValidationResponse', byField(problems));
          if (problems.length > 0) this.emit('onValidationError', byField(problems), data);
          break;
        }
        case 'epframe.embedded_mode.check_submit':
          this.checkSubmit(data);
          break;
        case 'epframe.enter_key_pressed':
          this.emit('onEnterKeyPressed');
          break;
        case 'epframe.escape':
          if (this.mode === 'popup') this.exit();
          break;
        default:
          break;
      }
    }

    /**
     * The shop's last word before the embedded form is sent: onCheckSubmit(data, resolve, reject); resolve may
     * carry fields for the page (flat, or under additional_parameters as the block checkout sends them).
     * @param {Record<string, unknown>} data
     */
    checkSubmit(data) {
      /** @param {unknown} value */
      const submit = (value) => {
        const object = value && typeof value === 'object' ? /** @type {Record<string, unknown>} */ (value) : {};
        const nested = object.additional_parameters;
        const fields = nested && typeof nested === 'object' ? nested : object;
        this.send({ message: 'epframe.embedded_mode.submit', fields });
      };
      const handler = this.config.onCheckSubmit;
      if (typeof handler !== 'function') {
        submit({});
        return;
      }
      let settled = false;
      /** @param {unknown} value */
      const resolve = (value) => {
        if (settled) return;
        settled = true;
        submit(value);
      };
      const reject = () => {
        settled = true;
      };
      try {
        handler(data, resolve, reject);
      } catch (error) {
        reject();
        report(error);
      }
    }

    /** Closed by the customer. */
    exit() {
      this.emit('onExit');
      this.destroy();
    }

    destroy() {
      if (!widgets.has(this)) return;
      widgets.delete(this);
      if (this.overlay !== null) {
        this.overlay.remove();
        document.documentElement.classList.remove('epw-open');
        for (const element of this.inerted.splice(0)) element.inert = false;
        if (this.returnFocus instanceof HTMLElement) this.returnFocus.focus();
      } else if (this.frame !== null) {
        this.frame.remove();
      }
      this.emit('onDestroy');
    }

    api() {
      return {
        /** Validates the embedded form, asks onCheckSubmit, then sends it. */
        trySubmit: () => this.send({ message: 'epframe.embedded_mode.try_submit' }),
        /** Posts a message to the page as the plugins do ({message: 'epframe.embedded_mode.submit', fields}). */
        sendPostMessage: (/** @type {unknown} */ message) => {
          const parsed = parseMessage(message);
          if (parsed !== undefined) this.send(parsed);
        },
        destroy: () => this.destroy(),
      };
    }
  }

  /** @param {unknown} method @returns {'GET' | 'POST'} */
  function methodOf(method) {
    const value = method === undefined ? 'GET' : String(method).toUpperCase();
    if (value !== 'GET' && value !== 'POST') throw new Error(`EPayWidget: method must be 'GET' or 'POST', not ${JSON.stringify(method)}`);
    return value;
  }

  /** @param {unknown} config @returns {Config} */
  function configOf(config) {
    if (typeof config !== 'object' || config === null) throw new Error('EPayWidget: the first argument must be the configuration object');
    return /** @type {Config} */ (config);
  }

  /** @param {unknown} config @param {unknown} [method] */
  function runEmbedded(config, method) {
    const widget = new Widget(configOf(config), methodOf(method), 'embedded');
    widget.open();
    return widget.api();
  }

  /** @param {unknown} config @param {unknown} [method] */
  function run(config, method) {
    const checked = configOf(config);
    const mode = checked.frame_mode;
    if (mode === 'embedded') return runEmbedded(checked, method);
    const widget = new Widget(checked, methodOf(method), mode === 'popup' || mode === 'iframe' ? mode : undefined);
    widget.open();
    return widget.api();
  }

  /** @param {unknown} elementId @param {unknown} config @param {unknown} [method] */
  function bind(elementId, config, method) {
    const element = elementOf(elementId);
    if (element === null) throw new Error(`EPayWidget: no element ${JSON.stringify(elementId)} to bind to`);
    configOf(config);
    methodOf(method);
    element.addEventListener('click', (event) => {
      event.preventDefault();
      run(config, method);
    });
  }

  window.addEventListener('message', (event) => {
    for (const widget of widgets) {
      if (widget.frame === null || event.source !== widget.frame.contentWindow) continue;
      if (event.origin !== widget.origin) return;
      const message = parseMessage(event.data);
      if (message !== undefined) widget.receive(message);
      return;
    }
    // Plugins post embedded-mode commands to their own window (WooCommerce, Magento); they go to the newest frame.
    if (event.source !== window || event.origin !== window.location.origin) return;
    const message = parseMessage(event.data);
    if (message === undefined || !message.message.startsWith('epframe.embedded_mode.')) return;
    const framed = [...widgets].filter((w) => w.frame !== null);
    const newest = framed[framed.length - 1];
    if (newest !== undefined) newest.send(message);
  });

  /** @type {any} */ (window).EPayWidget = Object.freeze({ run, runEmbedded, bind });
})();
