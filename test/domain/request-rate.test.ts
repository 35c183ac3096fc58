import t from 'tap';
import { RequestRate } from '../../src/domain/projects/request-rate.js';

t.test('a project may make its quota of requests per second, refilled as time passes, apart from other projects', async (t) => {
  let now = 0;
  const rate = new RequestRate(() => now);
  t.same([rate.take(1, 2), rate.take(1, 2), rate.take(1, 2)], [true, true, false], 'two in the same instant, not three');
  t.equal(rate.take(2, 2), true, 'another project has its own bucket');
  now = 499;
  t.equal(rate.take(1, 2), false, 'a request comes back after half a second');
  now = 500;
  t.equal(rate.take(1, 2), true);
  now = 10_000;
  t.same([rate.take(1, 2), rate.take(1, 2), rate.take(1, 2)], [true, true, false], 'an idle project saves no more than one second of requests');
});

t.test('an admitted request passes; one over the quota is refused with 601 naming the field', async (t) => {
  const rate = new RequestRate(() => 0);
  const project = { projectId: 7, quotas: { requests_per_second: 1 } } as Parameters<RequestRate['admit']>[0];
  rate.admit(project, 'general.project_id');
  t.throws(() => rate.admit(project, 'general.project_id'), { name: 'Refusal', code: '601', fields: [{ field: 'general.project_id' }] });
  rate.admit({ ...project, projectId: 8, quotas: {} }, 'general.project_id');
  t.pass('a project without a quota is never refused');
});
