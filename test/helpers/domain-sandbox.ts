// The domain without HTTP: the services of a sandbox on a real database (a temporary SQLite file, or with
// SANDBOX_TEST_DB=postgres a fresh PostgreSQL database) and a manual clock, its scheduler running, torn down
// after the test. Domain tests call the services directly, through the storage ports.
import type { SandboxConfig } from '../../src/config.js';
import type { PaymentRequest } from '../../src/domain/payments/payment-lifecycle.js';
import type { Project } from '../../src/domain/model.js';
import { createSandbox, type Sandbox } from '../../src/sandbox.js';
import { freshDatabase, PROJECT_ID, testConfig } from './sandbox.js';

interface Tap { teardown(fn: () => unknown): void }

const silentLog = { info() {}, warn() {}, error() {} };

export async function buildDomainSandbox(t: Tap, config: Partial<SandboxConfig> = {}): Promise<Sandbox> {
  const sandbox = await createSandbox({ ...testConfig(await freshDatabase(t)), ...config } as SandboxConfig, silentLog);
  sandbox.scheduler.start();
  t.teardown(() => sandbox.close());
  return sandbox;
}

export async function testProject(sandbox: Sandbox, projectId = PROJECT_ID): Promise<Project> {
  const project = await sandbox.projects.find(projectId);
  if (project === undefined) throw new Error(`no project ${projectId}`);
  return project;
}

/** A request as a surface hands it to the lifecycle: a PHP purchase through the Gate, to the built-in inbox. */
export function paymentRequest(project: Project, paymentId: string, changes: Partial<PaymentRequest> = {}): PaymentRequest {
  return {
    project,
    paymentId,
    methodCode: 'paymaya',
    interface: 'gate',
    sum: { amount: 50_000, currency: 'PHP' },
    description: 'Order',
    customer: { id: 'customer-1', email: 'juan@example.ph', ip_address: '203.0.113.7' },
    account: {},
    returnUrl: { success: 'https://shop.example/ok' },
    callbackUrl: undefined,
    callbackDelaySeconds: 0,
    callbacksDisabled: false,
    ...changes,
  };
}

/** A payout request of a customer with a PH-wallet purchase (or not): the account a payout needs. */
export function payoutRequest(project: Project, paymentId: string, changes: Partial<PaymentRequest> = {}): PaymentRequest {
  return paymentRequest(project, paymentId, {
    sum: { amount: 10_000, currency: 'PHP' },
    account: { number: '09171234567', customer_name: 'Juan dela Cruz' },
    returnUrl: {},
    ...changes,
  });
}
