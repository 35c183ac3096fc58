// PostgreSQL's versioned schema changes, applied in order at start inside one transaction under an advisory
// lock, so instances that start together do not race; `schema_migrations` records the versions applied.
export const MIGRATIONS: string[] = [
  `
  CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL);
  CREATE TABLE projects (
    project_id bigint PRIMARY KEY,
    secret_key text NOT NULL,
    name text NOT NULL DEFAULT '',
    callback_url text,
    origin text NOT NULL,
    created_at bigint NOT NULL,
    frequency_limits text NOT NULL DEFAULT '[]'
  );
  CREATE TABLE payments (
    row_id bigserial PRIMARY KEY,
    project_id bigint NOT NULL,
    payment_id text NOT NULL,
    method text NOT NULL,
    type text NOT NULL,
    status text NOT NULL,
    interface text NOT NULL,
    amount bigint NOT NULL,
    currency text NOT NULL,
    converted_amount bigint NOT NULL,
    converted_currency text NOT NULL,
    description text NOT NULL,
    customer_id text NOT NULL,
    customer text NOT NULL,
    account text NOT NULL,
    return_url text NOT NULL,
    callback_url text,
    callback_delay integer NOT NULL,
    callbacks_disabled integer NOT NULL,
    checkout_token text NOT NULL UNIQUE,
    provider_payment_id text NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    base_due_at bigint NOT NULL,
    limit_due_at bigint NOT NULL,
    extras text NOT NULL DEFAULT '{}',
    UNIQUE (project_id, payment_id)
  );
  CREATE INDEX payments_customer ON payments (project_id, customer_id, type, status);
  CREATE INDEX payments_frequency ON payments (project_id, customer_id, created_at);
  CREATE INDEX payments_created ON payments (created_at);
  CREATE SEQUENCE operation_ids;
  CREATE TABLE operations (
    id bigint PRIMARY KEY,
    payment_row_id bigint NOT NULL REFERENCES payments (row_id) ON DELETE CASCADE,
    idx integer NOT NULL,
    type text NOT NULL,
    status text NOT NULL,
    code text NOT NULL,
    message text NOT NULL,
    request_id text NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    initial_amount bigint NOT NULL,
    initial_currency text NOT NULL,
    converted_amount bigint NOT NULL,
    converted_currency text NOT NULL,
    provider_date bigint,
    auth_code text NOT NULL
  );
  CREATE INDEX operations_payment ON operations (payment_row_id, idx);
  CREATE INDEX operations_created ON operations (created_at);
  CREATE TABLE callbacks (
    id bigserial PRIMARY KEY,
    project_id bigint NOT NULL,
    payment_id text NOT NULL,
    payment_row_id bigint NOT NULL,
    kind text NOT NULL,
    url text,
    body text NOT NULL,
    state text NOT NULL,
    attempts integer NOT NULL DEFAULT 0,
    created_at bigint NOT NULL,
    first_attempt_at bigint,
    next_attempt_at bigint,
    delivered_at bigint,
    replay_of bigint,
    faults text NOT NULL DEFAULT '{}'
  );
  CREATE INDEX callbacks_payment ON callbacks (payment_row_id, id);
  CREATE INDEX callbacks_state ON callbacks (state);
  CREATE TABLE callback_attempts (
    id bigserial PRIMARY KEY,
    callback_id bigint NOT NULL REFERENCES callbacks (id) ON DELETE CASCADE,
    number integer NOT NULL,
    at bigint NOT NULL,
    url text NOT NULL,
    http_status integer,
    error text,
    latency_ms integer NOT NULL,
    response_excerpt text NOT NULL
  );
  CREATE INDEX callback_attempts_callback ON callback_attempts (callback_id, number);
  CREATE TABLE inbox (
    id bigserial PRIMARY KEY,
    callback_id bigint NOT NULL,
    project_id bigint NOT NULL,
    payment_id text NOT NULL,
    received_at bigint NOT NULL,
    body text NOT NULL
  );
  CREATE TABLE jobs (
    id bigserial PRIMARY KEY,
    kind text NOT NULL,
    ref bigint NOT NULL,
    due_at bigint NOT NULL,
    payload text NOT NULL DEFAULT '',
    project_id bigint NOT NULL,
    payment_row_id bigint,
    lease_owner text,
    lease_until bigint,
    UNIQUE (kind, ref)
  );
  CREATE INDEX jobs_due ON jobs (due_at, lease_until);
  CREATE INDEX jobs_lease ON jobs (lease_until) WHERE lease_until IS NOT NULL;
  CREATE TABLE mail (
    id bigserial PRIMARY KEY,
    project_id bigint NOT NULL,
    payment_id text NOT NULL,
    sent_at bigint NOT NULL,
    sender text NOT NULL,
    recipient text NOT NULL,
    subject text NOT NULL,
    body text NOT NULL
  );
  CREATE INDEX mail_payment ON mail (project_id, payment_id);
  CREATE TABLE batches (
    id bigserial PRIMARY KEY,
    project_id bigint NOT NULL,
    file_name text NOT NULL,
    created_at bigint NOT NULL,
    total integer NOT NULL,
    processed integer NOT NULL DEFAULT 0,
    status text NOT NULL
  );
  CREATE TABLE batch_rows (
    batch_id bigint NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
    row_number integer NOT NULL,
    payment_id text NOT NULL,
    request text NOT NULL,
    error text,
    PRIMARY KEY (batch_id, row_number)
  );
  `,
  `
  ALTER TABLE callbacks ADD COLUMN lease_owner text;
  ALTER TABLE callbacks ADD COLUMN lease_until bigint;
  DROP INDEX callbacks_state;
  CREATE INDEX callbacks_due ON callbacks (next_attempt_at, lease_until) WHERE state = 'scheduled';
  CREATE INDEX callbacks_lease ON callbacks (lease_until) WHERE lease_until IS NOT NULL;
  ALTER TABLE payments ADD COLUMN limit_timer_at bigint;
  ALTER TABLE payments ADD COLUMN lease_owner text;
  ALTER TABLE payments ADD COLUMN lease_until bigint;
  UPDATE payments p SET limit_timer_at = j.due_at FROM jobs j WHERE j.kind = 'limit' AND j.ref = p.row_id;
  UPDATE callbacks c SET next_attempt_at = j.due_at FROM jobs j WHERE j.kind = 'callback' AND j.ref = c.id;
  DELETE FROM jobs WHERE kind IN ('callback', 'limit');
  CREATE INDEX payments_limit_timer ON payments (limit_timer_at, lease_until) WHERE limit_timer_at IS NOT NULL;
  CREATE INDEX payments_lease ON payments (lease_until) WHERE lease_until IS NOT NULL;
  DROP INDEX payments_customer;
  `,
  `
  ALTER TABLE callbacks ADD COLUMN signed integer NOT NULL DEFAULT 1;
  `,
  `
  DROP INDEX payments_created;
  `,
  `
  ALTER TABLE projects ADD COLUMN callback_options text NOT NULL DEFAULT '{}';
  CREATE TABLE conformance_runs (
    id bigserial PRIMARY KEY,
    project_id bigint NOT NULL,
    created_at bigint NOT NULL,
    callback_url text NOT NULL,
    probe_url text,
    passed integer NOT NULL,
    failed integer NOT NULL,
    report text NOT NULL
  );
  CREATE INDEX conformance_runs_project ON conformance_runs (project_id, id);
  `,
  `
  CREATE TABLE clocks (project_id bigint PRIMARY KEY, at bigint NOT NULL);
  INSERT INTO clocks (project_id, at) SELECT p.project_id, CAST(m.value AS bigint) FROM projects p, meta m WHERE m.key = 'manual_clock_at';
  `,
  `
  ALTER TABLE projects ADD COLUMN token_hash text;
  CREATE UNIQUE INDEX projects_token ON projects (token_hash) WHERE token_hash IS NOT NULL;
  ALTER TABLE projects ADD COLUMN quotas text NOT NULL DEFAULT '{}';
  ALTER TABLE projects ADD COLUMN stored_payments bigint NOT NULL DEFAULT 0;
  UPDATE projects SET stored_payments = (SELECT count(*) FROM payments p WHERE p.project_id = projects.project_id);
  CREATE TABLE audit (
    id bigserial PRIMARY KEY,
    at bigint NOT NULL,
    actor text NOT NULL,
    project_id bigint,
    action text NOT NULL,
    details text NOT NULL
  );
  CREATE INDEX audit_project ON audit (project_id, id);
  `,
  // Due work indexed in claim order (due time, then key): a claim reads its batch off the index instead of sorting
  // every row due at the same instant, as thousands of callbacks released by one clock move are.
  `
  DROP INDEX callbacks_due;
  CREATE INDEX callbacks_due ON callbacks (next_attempt_at, id) WHERE state = 'scheduled';
  DROP INDEX payments_limit_timer;
  CREATE INDEX payments_limit_timer ON payments (limit_timer_at, row_id) WHERE limit_timer_at IS NOT NULL;
  DROP INDEX jobs_due;
  CREATE INDEX jobs_due ON jobs (due_at, id);
  `,
  // A project's options for card payments: what happens to a hold nobody captures or cancels.
  `
  ALTER TABLE projects ADD COLUMN card_options text NOT NULL DEFAULT '{}';
  `,
  // Saved cards (COF registrations) with what a later debit needs, and status requests by request id.
  `
  CREATE TABLE recurring (
    id bigint PRIMARY KEY,
    project_id bigint NOT NULL,
    customer_id text NOT NULL,
    payment_row_id bigint NOT NULL,
    payment_id text NOT NULL,
    method text NOT NULL,
    account text NOT NULL,
    card text NOT NULL,
    currency text NOT NULL,
    type text NOT NULL,
    valid_thru bigint NOT NULL,
    status text NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL
  );
  CREATE INDEX recurring_customer ON recurring (project_id, customer_id, id);
  CREATE INDEX operations_request ON operations (request_id);
  `,
  // Dashboard sessions kept on the server: a random id in the cookie, its hash here, an expiry and a revocation.
  `
  CREATE TABLE sessions (
    id_hash text PRIMARY KEY,
    actor text NOT NULL,
    project_id bigint,
    created_at bigint NOT NULL,
    expires_at bigint NOT NULL,
    revoked_at bigint
  );
  CREATE INDEX sessions_expiry ON sessions (expires_at);
  `,
  // Listeners (`ecommpay-sandbox listen`) by instance, and the callbacks handed over to them.
  `
  CREATE TABLE listeners (id text PRIMARY KEY, project_id bigint NOT NULL, instance text NOT NULL, seen_at bigint NOT NULL);
  CREATE INDEX listeners_project ON listeners (project_id, seen_at);
  CREATE TABLE listen_handoffs (
    id bigserial PRIMARY KEY,
    project_id bigint NOT NULL,
    callback_id bigint NOT NULL,
    payment_id text NOT NULL,
    attempt bigint NOT NULL,
    body text NOT NULL,
    offered_at bigint NOT NULL,
    listener_id text,
    answer text
  );
  CREATE INDEX listen_handoffs_open ON listen_handoffs (project_id, id) WHERE listener_id IS NULL;
  CREATE INDEX listen_handoffs_listener ON listen_handoffs (listener_id) WHERE answer IS NULL;
  `,
];
