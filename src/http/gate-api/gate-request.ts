// Turns a parsed Gate body into domain input: schema check, project lookup and signature check.
import { Refusal } from '../../domain/errors.js';
import { checkedBody, checkSignature } from '../signed-request.js';
import type { Project } from '../../domain/model.js';
import type { PaymentRequest } from '../../domain/payments/payment-lifecycle.js';
import type { ProjectDirectory } from '../../domain/projects/project-directory.js';

export interface GateBody {
  general: { project_id: number; payment_id: string; signature?: string; merchant_callback_url?: string };
  payment?: { amount: number; currency: string; description?: string };
  customer?: Record<string, unknown> & { id: string };
  account?: Record<string, unknown>;
  return_url?: Record<string, string>;
  callback?: { delay?: number; force_disable?: number | boolean | string };
  [key: string]: unknown;
}

export function echoOf(body: unknown): { project_id?: number; payment_id?: string } {
  if (typeof body !== 'object' || body === null) return {};
  const general = (body as { general?: unknown }).general;
  if (typeof general !== 'object' || general === null) return {};
  const { project_id: projectId, payment_id: paymentId } = general as Record<string, unknown>;
  return {
    // Only a project id as the document describes one (an integer) is echoed; 1.5 or 1e300 is not.
    ...(typeof projectId === 'number' && Number.isSafeInteger(projectId) ? { project_id: projectId } : {}),
    ...(typeof paymentId === 'string' ? { payment_id: paymentId } : {}),
  };
}

export function validateGateBody(schemaId: string, body: unknown): GateBody {
  return checkedBody<GateBody>(schemaId, body);
}

/** Finds the project and checks `general.signature` over the body without it (docs/protocol-notes.md §1.1). */
export async function authenticate(body: GateBody, projects: ProjectDirectory): Promise<Project> {
  const project = await projects.find(body.general.project_id);
  if (project === undefined) {
    throw new Refusal('unknown-project', [{ field: 'general.project_id', message: `Project ${body.general.project_id} is not configured in this sandbox` }]);
  }
  const { signature, ...general } = body.general;
  const card = (body.card ?? {}) as { pan?: unknown; cvv?: unknown };
  const hidden = [card.pan, card.cvv].filter((value): value is string => typeof value === 'string');
  checkSignature({ ...body, general }, signature, project.secretKey, 'general.signature', hidden);
  return project;
}

export function toPaymentRequest(body: GateBody, project: Project, methodCode: string, scenario: string | undefined): PaymentRequest {
  const payment = body.payment as NonNullable<GateBody['payment']>;
  const forceDisable = body.callback?.force_disable;
  return {
    project,
    paymentId: body.general.payment_id,
    methodCode,
    interface: 'gate',
    sum: { amount: payment.amount, currency: payment.currency },
    description: payment.description ?? '',
    customer: { ...(body.customer ?? {}) },
    account: { ...(body.account ?? {}) },
    returnUrl: { ...(body.return_url ?? {}) },
    callbackUrl: body.general.merchant_callback_url,
    callbackDelaySeconds: body.callback?.delay ?? 0,
    callbacksDisabled: forceDisable === 1 || forceDisable === true || forceDisable === '1',
    ...(scenario === undefined ? {} : { scenario }),
  };
}
