// What the dashboard needs of the domain, built in the composition root (src/app.ts).
import type { CallbackDispatcher } from '../../domain/callbacks/callback-dispatcher.js';
import type { Currencies } from '../../domain/catalogue/currencies.js';
import type { MethodCatalogue } from '../../domain/catalogue/methods.js';
import type { ScenarioCatalogue } from '../../domain/catalogue/scenarios.js';
import type { Clock } from '../../domain/clock/clock.js';
import type { PaymentLookup } from '../../domain/payments/payment-lookup.js';
import type { PayoutBatches } from '../../domain/payments/payout-batches.js';
import type { ProjectDirectory } from '../../domain/projects/project-directory.js';
import type { PaymentListing } from '../../domain/reports/payment-listing.js';
import type { AuditTrail } from '../../domain/tools/audit-trail.js';
import type { MerchantConformance } from '../../domain/tools/merchant-conformance.js';
import type { SandboxTools } from '../../domain/tools/sandbox-tools.js';
import type { DashboardSessions } from '../../domain/tools/dashboard-sessions.js';

export interface DashboardDeps {
  tools: SandboxTools;
  sessions: DashboardSessions;
  listing: PaymentListing;
  lookup: PaymentLookup;
  callbacks: CallbackDispatcher;
  methods: MethodCatalogue;
  scenarios: ScenarioCatalogue;
  projects: ProjectDirectory;
  batches: PayoutBatches;
  conformance: MerchantConformance;
  audit: AuditTrail;
  clock: Clock;
  currencies: Currencies;
  adminToken: string | undefined;
}
