// What `npm start` prints once listening: where each surface is and the default project's credentials.
import { DEFAULT_PROJECT, type SandboxConfig } from './config.js';
import type { Project } from './domain/model.js';
import type { Sandbox } from './sandbox.js';
import { describeLocation } from './storage/open-storage.js';
import { sign } from './signature/signer.js';

/** A ready-made signed Payment Page link, as an SDK would build it. */
export function paymentPageLink(base: string, projectId: number, secret: string): string {
  const params = {
    project_id: String(projectId),
    payment_id: `demo-${Date.now().toString(36)}`,
    payment_amount: '50000',
    payment_currency: 'PHP',
    customer_id: 'demo-customer',
    customer_email: 'juan@example.ph',
    payment_description: 'Sandbox demo order',
    force_payment_method: 'paymaya-wallet',
  };
  const query = new URLSearchParams(params).toString();
  return `${base}/payment?${query}&signature=${encodeURIComponent(sign(params, secret))}`;
}

export function startBanner(config: SandboxConfig, sandbox: Sandbox, projects: Project[], port: number): string {
  const base = config.port === 0 ? config.publicUrl.replace(/:0$/, `:${port}`) : config.publicUrl;
  const lines = [
    '',
    `ecommpay-sandbox is listening on http://${config.host}:${port} (public URL ${base})`,
    `  database: ${describeLocation(config.databasePath)} (${sandbox.storageKind})   clock: ${sandbox.clock.mode}${config.seed === undefined ? '' : `   seed: ${config.seed}`}${config.workers > 1 ? `   workers: ${config.workers}` : ''}`,
    `  Gate API:      POST ${base}/v2/payment/wallet/paymaya/sale | /payout, POST ${base}/v2/payment/status`,
    `  Control API:   ${base}/_sandbox/health, /_sandbox/clock, /_sandbox/callbacks, /_sandbox/inbox`,
    '  Projects:',
    // Only the built-in default project's secret is printed; secrets from a config file stay out of output.
    ...projects.map((p) => {
      const secret = config.configFile === undefined && p.projectId === DEFAULT_PROJECT.project_id ? `  secret_key ${p.secretKey}` : '';
      return `    project_id ${p.projectId}${secret}  callbacks → ${p.callbackUrl ?? `built-in inbox (${base}/_sandbox/inbox)`}`;
    }),
    ...(config.configFile === undefined ? ['', `  Try it: open ${paymentPageLink(base, DEFAULT_PROJECT.project_id, DEFAULT_PROJECT.secret_key)}`] : []),
    '',
  ];
  return `${lines.join('\n')}\n`;
}
