// What a Payment Page sale carries besides its parameters: the scenario header of tests and tools, the customer
// as the page knows them, and the shop's URLs for the customer's way back.
import type { FastifyRequest } from 'fastify';
import type { PaymentPageParams } from './params.js';

/** A catalogue scenario picked by name for this sale (tests and tools; a browser sends no such header). */
export function scenarioHeader(request: FastifyRequest): { scenario?: string } {
  const value = request.headers['x-sandbox-scenario'];
  return typeof value === 'string' && value !== '' ? { scenario: value } : {};
}

export function customerOf(params: PaymentPageParams, email: string, ip: string): Record<string, unknown> {
  const customer: Record<string, unknown> = { id: params.customer_id, email, ip_address: ip };
  for (const name of ['first_name', 'last_name', 'phone', 'country', 'city']) {
    const value = params[`customer_${name}`];
    if (value !== undefined && value !== '') customer[name] = value;
  }
  return customer;
}

export function merchantUrls(params: PaymentPageParams): Record<string, string> {
  const urls: Record<string, string> = {};
  for (const name of ['merchant_success_url', 'merchant_fail_url', 'merchant_return_url', 'redirect_success_url', 'redirect_fail_url']) {
    const value = params[name];
    if (value !== undefined && value !== '') urls[name] = value;
  }
  return urls;
}
