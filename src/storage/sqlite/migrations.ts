// SQLite's versioned schema changes, applied in order at start; `user_version` records the last one applied.
export const MIGRATIONS: string[] = [
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE projects (
    project_id INTEGER PRIMARY KEY,
    secret_key TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    callback_url TEXT,
    origin TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE payments (
    row_id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL,
    payment_id TEXT NOT NULL,
    method TEXT NOT NULL,
    type TEXT NOT NULL,
    status TEXT NOT NULL,
    interface TEXT NOT NULL,
    amount INTEGER NOT NULL,
    currency TEXT NOT NULL,
    converted_amount INTEGER NOT NULL,
    converted_currency TEXT NOT NULL,
    description TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    customer TEXT NOT NULL,
    account TEXT NOT NULL,
    return_url TEXT NOT NULL,
    callback_url TEXT,
    callback_delay INTEGER NOT NULL,
    callbacks_disabled INTEGER NOT NULL,
    checkout_token TEXT NOT NULL UNIQUE,
    provider_payment_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    base_due_at INTEGER NOT NULL,
    limit_due_at INTEGER NOT NULL,
    extras TEXT NOT NULL DEFAULT '{}',
    UNIQUE (project_id, payment_id)
  );
  CREATE INDEX payments_customer ON payments (project_id, customer_id, type, status);
  CREATE TABLE operations (
    id INTEGER PRIMARY KEY,
    payment_row_id INTEGER NOT NULL REFERENCES payments (row_id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    type TEXT NOT NULL,
    status TEXT NOT NULL,
    code TEXT NOT NULL,
    message TEXT NOT NULL,
    request_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    initial_amount INTEGER NOT NULL,
    initial_currency TEXT NOT NULL,
    converted_amount INTEGER NOT NULL,
    converted_currency TEXT NOT NULL,
    provider_date INTEGER,
    auth_code TEXT NOT NULL
  );
  CREATE INDEX operations_payment ON operations (payment_row_id, idx);
  CREATE TABLE callbacks (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL,
    payment_id TEXT NOT NULL,
    payment_row_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    url TEXT,
    body TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    first_attempt_at INTEGER,
    next_attempt_at INTEGER,
    delivered_at INTEGER,
    replay_of INTEGER
  );
  CREATE INDEX callbacks_payment ON callbacks (payment_row_id, id);
  CREATE INDEX callbacks_state ON callbacks (state);
  CREATE TABLE callback_attempts (
    id INTEGER PRIMARY KEY,
    callback_id INTEGER NOT NULL REFERENCES callbacks (id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    at INTEGER NOT NULL,
    url TEXT NOT NULL,
    http_status INTEGER,
    error TEXT,
    latency_ms INTEGER NOT NULL,
    response_excerpt TEXT NOT NULL
  );
  CREATE INDEX callback_attempts_callback ON callback_attempts (callback_id, number);
  CREATE TABLE inbox (
    id INTEGER PRIMARY KEY,
    callback_id INTEGER NOT NULL,
    project_id INTEGER NOT NULL,
    payment_id TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    body TEXT NOT NULL
  );
  CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    ref INTEGER NOT NULL,
    due_at INTEGER NOT NULL,
    payload TEXT NOT NULL DEFAULT '',
    project_id INTEGER NOT NULL,
    UNIQUE (kind, ref)
  );
  CREATE INDEX jobs_due ON jobs (due_at, id);
  `,
  `
  ALTER TABLE callbacks ADD COLUMN faults TEXT NOT NULL DEFAULT '{}';
  ALTER TABLE projects ADD COLUMN frequency_limits TEXT NOT NULL DEFAULT '[]';
  CREATE INDEX payments_frequency ON payments (project_id, customer_id, created_at);
  `,
  `
  CREATE TABLE mail (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL,
    payment_id TEXT NOT NULL,
    sent_at INTEGER NOT NULL,
    sender TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL
  );
  CREATE INDEX mail_payment ON mail (project_id, payment_id);
  `,
  `
  CREATE INDEX payments_created ON payments (created_at);
  CREATE INDEX operations_created ON operations (created_at);
  CREATE TABLE batches (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL,
    file_name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    total INTEGER NOT NULL,
    processed INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL
  );
  CREATE TABLE batch_rows (
    batch_id INTEGER NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
    row_number INTEGER NOT NULL,
    payment_id TEXT NOT NULL,
    request TEXT NOT NULL,
    error TEXT,
    PRIMARY KEY (batch_id, row_number)
  );
  `,
  `
  ALTER TABLE jobs ADD COLUMN payment_row_id INTEGER;
  ALTER TABLE jobs ADD COLUMN lease_owner TEXT;
  ALTER TABLE jobs ADD COLUMN lease_until INTEGER;
  DROP INDEX jobs_due;
  CREATE INDEX jobs_due ON jobs (due_at, lease_until);
  CREATE INDEX jobs_lease ON jobs (lease_until) WHERE lease_until IS NOT NULL;
  UPDATE jobs SET payment_row_id = ref WHERE kind IN ('limit', 'outcome');
  UPDATE jobs SET payment_row_id = (SELECT c.payment_row_id FROM callbacks c WHERE c.id = jobs.ref) WHERE kind = 'callback';
  CREATE TABLE sequences (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
  INSERT INTO sequences (name, value) SELECT 'operation', coalesce(max(id), 0) FROM operations;
  `,
  `
  ALTER TABLE callbacks ADD COLUMN lease_owner TEXT;
  ALTER TABLE callbacks ADD COLUMN lease_until INTEGER;
  DROP INDEX callbacks_state;
  CREATE INDEX callbacks_due ON callbacks (next_attempt_at, lease_until) WHERE state = 'scheduled';
  CREATE INDEX callbacks_lease ON callbacks (lease_until) WHERE lease_until IS NOT NULL;
  ALTER TABLE payments ADD COLUMN limit_timer_at INTEGER;
  ALTER TABLE payments ADD COLUMN lease_owner TEXT;
  ALTER TABLE payments ADD COLUMN lease_until INTEGER;
  UPDATE payments SET limit_timer_at = (SELECT j.due_at FROM jobs j WHERE j.kind = 'limit' AND j.ref = payments.row_id);
  UPDATE callbacks SET next_attempt_at = (SELECT j.due_at FROM jobs j WHERE j.kind = 'callback' AND j.ref = callbacks.id)
    WHERE EXISTS (SELECT 1 FROM jobs j WHERE j.kind = 'callback' AND j.ref = callbacks.id);
  DELETE FROM jobs WHERE kind IN ('callback', 'limit');
  CREATE INDEX payments_limit_timer ON payments (limit_timer_at, lease_until) WHERE limit_timer_at IS NOT NULL;
  CREATE INDEX payments_lease ON payments (lease_until) WHERE lease_until IS NOT NULL;
  DROP INDEX payments_customer;
  `,
  `
  ALTER TABLE callbacks ADD COLUMN signed INTEGER NOT NULL DEFAULT 1;
  `,
  `
  DROP INDEX payments_created;
  `,
  `
  CREATE TABLE locks (name TEXT PRIMARY KEY, owner TEXT NOT NULL, until INTEGER NOT NULL);
  `,
  `
  ALTER TABLE projects ADD COLUMN callback_options TEXT NOT NULL DEFAULT '{}';
  CREATE TABLE conformance_runs (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    callback_url TEXT NOT NULL,
    probe_url TEXT,
    passed INTEGER NOT NULL,
    failed INTEGER NOT NULL,
    report TEXT NOT NULL
  );
  CREATE INDEX conformance_runs_project ON conformance_runs (project_id, id);
  `,
  `
  CREATE TABLE clocks (project_id INTEGER PRIMARY KEY, at INTEGER NOT NULL);
  INSERT INTO clocks (project_id, at) SELECT p.project_id, CAST(m.value AS INTEGER) FROM projects p, meta m WHERE m.key = 'manual_clock_at';
  `,
  `
  ALTER TABLE projects ADD COLUMN token_hash TEXT;
  CREATE UNIQUE INDEX projects_token ON projects (token_hash) WHERE token_hash IS NOT NULL;
  ALTER TABLE projects ADD COLUMN quotas TEXT NOT NULL DEFAULT '{}';
  ALTER TABLE projects ADD COLUMN stored_payments INTEGER NOT NULL DEFAULT 0;
  UPDATE projects SET stored_payments = (SELECT count(*) FROM payments p WHERE p.project_id = projects.project_id);
  CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    project_id INTEGER,
    action TEXT NOT NULL,
    details TEXT NOT NULL
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
  ALTER TABLE projects ADD COLUMN card_options TEXT NOT NULL DEFAULT '{}';
  `,
  // Saved cards (COF registrations) with what a later debit needs, and status requests by request id.
  `
  CREATE TABLE recurring (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL,
    customer_id TEXT NOT NULL,
    payment_row_id INTEGER NOT NULL,
    payment_id TEXT NOT NULL,
    method TEXT NOT NULL,
    account TEXT NOT NULL,
    card TEXT NOT NULL,
    currency TEXT NOT NULL,
    type TEXT NOT NULL,
    valid_thru INTEGER NOT NULL,
    status TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX recurring_customer ON recurring (project_id, customer_id, id);
  CREATE INDEX operations_request ON operations (request_id);
  `,
  // Dashboard sessions kept on the server: a random id in the cookie, its hash here, an expiry and a revocation.
  `
  CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    actor TEXT NOT NULL,
    project_id INTEGER,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
  );
  CREATE INDEX sessions_expiry ON sessions (expires_at);
  `,
  // Listeners (`ecommpay-sandbox listen`) by instance, and the callbacks handed over to them.
  `
  CREATE TABLE listeners (id TEXT PRIMARY KEY, project_id INTEGER NOT NULL, instance TEXT NOT NULL, seen_at INTEGER NOT NULL);
  CREATE INDEX listeners_project ON listeners (project_id, seen_at);
  CREATE TABLE listen_handoffs (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL,
    callback_id INTEGER NOT NULL,
    payment_id TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    body TEXT NOT NULL,
    offered_at INTEGER NOT NULL,
    listener_id TEXT,
    answer TEXT
  );
  CREATE INDEX listen_handoffs_open ON listen_handoffs (project_id, id) WHERE listener_id IS NULL;
  CREATE INDEX listen_handoffs_listener ON listen_handoffs (listener_id) WHERE answer IS NULL;
  `,
];
