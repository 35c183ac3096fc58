// What the control API needs of the domain, built in the composition root (src/app.ts).
import type { StorageState } from '../../domain/ports.js';
import type { CallbackDispatcher } from '../../domain/callbacks/callback-dispatcher.js';
import type { MethodCatalogue } from '../../domain/catalogue/methods.js';
import type { ScenarioCatalogue } from '../../domain/catalogue/scenarios.js';
import type { ClockControl } from '../../domain/clock/clock-control.js';
import type { Clock } from '../../domain/clock/clock.js';
import type { OutcomeRules } from '../../domain/payments/outcomes.js';
import type { PaymentLookup } from '../../domain/payments/payment-lookup.js';
import type { ProjectDirectory } from '../../domain/projects/project-directory.js';
import type { RequestRate } from '../../domain/projects/request-rate.js';
import type { AuditTrail } from '../../domain/tools/audit-trail.js';
import type { MerchantConformance } from '../../domain/tools/merchant-conformance.js';
import type { SandboxTools } from '../../domain/tools/sandbox-tools.js';
import type { DashboardSessions } from '../../domain/tools/dashboard-sessions.js';
import type { CardRecurring } from '../../domain/payments/card-recurring.js';
import type { ListenRelay } from '../../domain/callbacks/listen-relay.js';

export interface SandboxApiDeps {
  tools: SandboxTools;
  sessions: DashboardSessions;
  savedCards: CardRecurring;
  lookup: PaymentLookup;
  callbacks: CallbackDispatcher;
  projects: ProjectDirectory;
  clock: Clock;
  clockControl: ClockControl;
  scenarios: ScenarioCatalogue;
  /** The payment methods, for the family a forced outcome's codes must fit. */
  methods: MethodCatalogue;
  outcomes: OutcomeRules;
  audit: AuditTrail;
  conformance: MerchantConformance;
  requestRate: RequestRate;
  adminToken: string | undefined;
  listen: ListenRelay;
  /** The headers a callback is POSTed with, handed to listeners to forward as they are. */
  callbackHeaders: Record<string, string>;
  callbackTimeoutMs: number;
  instanceId: string;
  /** What GET /_sandbox/health reports besides the status; `storage_state` is `ok` while the storage takes writes. */
  health: () => Promise<Record<string, unknown> & { storage_state: StorageState }>;
}
