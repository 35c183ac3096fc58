// buildApp: the composition root of the HTTP side; registers one plugin per surface on one Fastify server.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import { gateApi } from './http/gate-api/plugin.js';
import { dataApi } from './http/data-api/plugin.js';
import { dashboard } from './http/dashboard/plugin.js';
import { paymayaEmulator } from './http/paymaya-emulator/plugin.js';
import { acsPage } from './http/acs/plugin.js';
import { paymentPage } from './http/payment-page/plugin.js';
import { refuseNul } from './http/nul-guard.js';
import { logRequests } from './http/request-log.js';
import { securityHeaders } from './http/security-headers.js';
import { sandboxApi } from './http/sandbox-api/plugin.js';
import { callbackHeaders } from './outbound/callback-transport.js';
import { checkoutWidget } from './http/widget/plugin.js';
import { homePage } from './http/home/plugin.js';
import { StorageFault } from './domain/ports.js';
import { fromRoot } from './project-root.js';
import { views } from './http/views.js';
import { openApiDocument } from './openapi.js';
import type { Sandbox } from './sandbox.js';

export const BODY_LIMIT_BYTES = 1024 * 1024;

export async function buildApp(sandbox: Sandbox, options: { loggerInstance?: FastifyBaseLogger } = {}): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.loggerInstance === undefined ? { logger: false } : { loggerInstance: options.loggerInstance }),
    // Fastify's two lines per request give way to one (request-log.ts).
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
  }) as unknown as FastifyInstance;
  if (options.loggerInstance !== undefined) logRequests(app);
  const stylesheet = readFileSync(fromRoot('views', 'assets', 'sandbox.css'));
  app.get('/assets/sandbox.css', async (_request, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'max-age=300').send(stylesheet));
  // The contract, generated from schemas/ once, at the first request for it.
  let contract: string | undefined;
  app.get('/openapi.json', async (_request, reply) => reply.type('application/json; charset=utf-8').send(contract ??= JSON.stringify(openApiDocument())));
  securityHeaders(app);
  refuseNul(app);
  // Another instance may have moved a shared manual clock: every request starts from the time it set.
  // A database that cannot be reached leaves the time last read: reads and health answer, writes are refused anyway.
  if (sandbox.sharedClock.shared) {
    app.addHook('onRequest', async () => {
      await sandbox.sharedClock.sync().catch((error: unknown) => {
        if (!(error instanceof StorageFault)) throw error;
      });
    });
  }
  await registerSurfaces(app, sandbox);
  app.setNotFoundHandler((request, reply) => {
    const message = `No route ${request.method} ${request.url.split('?')[0]}`;
    // A person who mistyped an address gets a page with a way home; API clients keep the JSON envelope.
    if (request.method === 'GET' && (request.headers.accept ?? '').includes('text/html')) {
      return reply.code(404).type('text/html; charset=utf-8').send(views.render('./error', { code: '404', message, errors: [], home: true }));
    }
    return reply.code(404).send({ status: 'error', code: '404', message, errors: [] });
  });
  return app;
}

/** One plugin per surface, each given the services it needs and nothing more. */
async function registerSurfaces(app: FastifyInstance, sandbox: Sandbox): Promise<void> {
  const { rules, lifecycle, lookup, links, projects, requestRate, clock, catalogue, tools, callbacks, config } = sandbox;
  const { methods, scenarios, currencies } = catalogue;
  await app.register(gateApi, { rules, lifecycle, cards: sandbox.cards, cardParts: sandbox.cardParts, testCards: catalogue.cards, clock, lookup, projects, requestRate });
  await app.register(paymentPage, { rules, lifecycle, cardPayments: sandbox.cards, cardParts: sandbox.cardParts, testCards: catalogue.cards, lookup, links, projects, methods, clock, requestRate, currencies });
  await app.register(dataApi, { dataApi: sandbox.dataApi });
  await app.register(paymayaEmulator, { lifecycle, lookup, links, methods, projects, currencies });
  await app.register(acsPage, { cardPayments: sandbox.cards, cardParts: sandbox.cardParts, testCards: catalogue.cards, lookup, links, projects, currencies });
  await app.register(sandboxApi, {
    tools, sessions: sandbox.sessions, savedCards: sandbox.cardParts.recurring, lookup, callbacks, projects, clock, clockControl: sandbox.clockControl, scenarios, methods, outcomes: sandbox.outcomes, audit: sandbox.audit,
    conformance: sandbox.conformance, requestRate, adminToken: config.adminToken, listen: sandbox.listen, instanceId: sandbox.instanceId,
    callbackHeaders: callbackHeaders(config.callbacks.userAgent), callbackTimeoutMs: config.callbacks.timeoutMs,
    health: async () => ({
      clock: clock.mode, now: new Date(clock.now()).toISOString(), storage: sandbox.storageKind, storage_state: await sandbox.storageState(), instance: sandbox.instanceId,
    }),
  });
  await app.register(dashboard, {
    tools, sessions: sandbox.sessions, listing: sandbox.listing, lookup, callbacks, methods, cards: catalogue.cards, machine: sandbox.machine, scenarios, projects,
    savedCards: sandbox.cardParts.recurring, batches: sandbox.batches, conformance: sandbox.conformance, audit: sandbox.audit, clock, currencies, adminToken: config.adminToken,
  });
  await app.register(checkoutWidget);
  await app.register(homePage, { config, projects, clockMode: clock.mode, storageKind: sandbox.storageKind, lookup, links, tools });
}
