import t from 'tap';
import { loadMethods } from '../../src/catalogue-loader.js';
import { checkRequiredFields, type PaymentMethod } from '../../src/domain/catalogue/methods.js';

t.test('each method file keeps its own required request fields: PayMaya asks a Gate sale for e-mail and return URL', async (t) => {
  const methods = loadMethods();
  t.same(methods.find('paymaya')?.operations.sale?.required_fields, { gate: ['customer.email', 'return_url.success'] });
  t.same(methods.find('paymaya')?.operations.payout?.required_fields, {
    gate: ['customer.ip_address', 'account.number', 'account.customer_name'],
    dashboard: ['account.number', 'account.customer_name'],
  });
  for (const sibling of ['gcash', 'grabpay', 'coinsph']) t.same(methods.find(sibling)?.operations.sale?.required_fields, { gate: [] }, sibling);
});

t.test('a required field list naming an interface the operation lacks, or a path outside the request sections, is refused', async (t) => {
  const paymaya = loadMethods().find('paymaya') as PaymentMethod;
  const withFields = (fields: Record<string, string[]>): PaymentMethod => ({
    ...paymaya, operations: { sale: { ...paymaya.operations.sale!, required_fields: fields } },
  });
  t.throws(() => checkRequiredFields(withFields({ dashboard: ['customer.email'] })), { message: /paymaya\.json: operations\.sale\.required_fields\.dashboard: the operation is not offered through dashboard/ });
  for (const path of ['email', 'general.payment_id', 'customer.', 'customer.billing.city']) {
    t.throws(() => checkRequiredFields(withFields({ gate: [path] })), { message: new RegExp(`"${path.replace('.', '\\.')}" is not a section\\.member path`) }, path);
  }
  t.doesNotThrow(() => checkRequiredFields(withFields({ gate: ['payment.description', 'account.number'] })));
});
