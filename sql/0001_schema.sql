-- Frontdesk's data model, phase 1. Times are UTC instants (timestamptz); each business's IANA zone
-- turns them into local wall time in the application.

CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE businesses (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name                text NOT NULL CHECK (name <> ''),
  phone_number        text NOT NULL UNIQUE CHECK (phone_number ~ '^\+[1-9][0-9]{6,14}$'),
  timezone            text NOT NULL CHECK (timezone <> ''),
  greeting            text NOT NULL DEFAULT '',
  voice               text NOT NULL DEFAULT 'kal16',
  personality         text NOT NULL DEFAULT '',
  address             text NOT NULL DEFAULT '',
  transfer_number     text,
  appointment_minutes integer NOT NULL DEFAULT 30 CHECK (appointment_minutes BETWEEN 5 AND 1440),
  buffer_minutes      integer NOT NULL DEFAULT 0 CHECK (buffer_minutes BETWEEN 0 AND 1440),
  min_notice_minutes  integer NOT NULL DEFAULT 120 CHECK (min_notice_minutes >= 0),
  days_ahead          integer NOT NULL DEFAULT 30 CHECK (days_ahead BETWEEN 1 AND 730),
  max_live_calls      integer NOT NULL DEFAULT 10 CHECK (max_live_calls >= 1),
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now()
);

-- Weekly opening hours: any number of ranges a weekday (0 = Monday ... 6 = Sunday), local wall time.
CREATE TABLE business_hours (
  business_id uuid NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
  weekday     smallint NOT NULL CHECK (weekday BETWEEN 0 AND 6),
  opens       time NOT NULL,
  closes      time NOT NULL,
  CHECK (opens < closes),
  PRIMARY KEY (business_id, weekday, opens)
);

-- Date overrides (holidays, special hours). A row with NULL opens/closes closes the whole day.
CREATE TABLE business_hour_overrides (
  business_id uuid NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
  day         date NOT NULL,
  opens       time,
  closes      time,
  note        text NOT NULL DEFAULT '',
  CHECK ((opens IS NULL) = (closes IS NULL) AND (opens IS NULL OR opens < closes)),
  UNIQUE (business_id, day, opens)
);

CREATE TYPE staff_role AS ENUM ('owner', 'admin', 'user');

CREATE TABLE staff_users (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  business_id uuid NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
  email       text NOT NULL,
  name        text NOT NULL DEFAULT '',
  role        staff_role NOT NULL DEFAULT 'user',
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (business_id, email)
);

-- API tokens are stored only as SHA-256 of the token: a leaked table does not leak tokens.
CREATE TABLE api_tokens (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  business_id  uuid NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
  user_id      uuid NOT NULL REFERENCES staff_users(id) ON DELETE CASCADE,
  token_sha256 bytea NOT NULL UNIQUE CHECK (length(token_sha256) = 32),
  label        text NOT NULL DEFAULT '',
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at   timestamptz
);

CREATE TABLE calls (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  business_id        uuid NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
  call_sid           text NOT NULL UNIQUE,
  stream_sid         text,
  caller             text NOT NULL DEFAULT '',
  called             text NOT NULL DEFAULT '',
  node               text NOT NULL DEFAULT '',
  status             text NOT NULL DEFAULT 'ringing'
                     CHECK (status IN ('ringing', 'in-progress', 'completed', 'busy', 'no-answer',
                                       'canceled', 'failed')),
  end_reason         text,
  started_at         timestamptz NOT NULL DEFAULT now(),
  answered_at        timestamptz,
  ended_at           timestamptz,
  duration_seconds   integer,
  transcript         jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(transcript) = 'array'),
  summary            text,
  outcome            text,
  appointment_booked boolean NOT NULL DEFAULT false,
  recording_path     text,
  latencies          jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(latencies) = 'array')
);
CREATE INDEX calls_business_started ON calls (business_id, started_at DESC);

CREATE TYPE appointment_status AS ENUM ('held', 'booked', 'cancelled', 'completed', 'no_show');

CREATE TABLE appointments (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  business_id       uuid NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
  during            tstzrange NOT NULL CHECK (NOT isempty(during) AND lower_inc(during)
                                              AND NOT upper_inc(during)),
  status            appointment_status NOT NULL DEFAULT 'booked',
  hold_expires_at   timestamptz,
  service           text NOT NULL DEFAULT '',
  customer_name     text NOT NULL DEFAULT '',
  customer_phone    text,
  customer_email    text,
  notes             text NOT NULL DEFAULT '',
  call_id           uuid REFERENCES calls(id) ON DELETE SET NULL,
  idempotency_key   text,
  calendar_event_id text,
  rescheduled_from  uuid REFERENCES appointments(id),
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  cancelled_at      timestamptz,
  UNIQUE (business_id, idempotency_key),
  -- The last guard against double booking: two live appointments of one business never overlap.
  CONSTRAINT appointments_no_overlap EXCLUDE USING gist (business_id WITH =, during WITH &&)
    WHERE (status IN ('held', 'booked'))
);
CREATE INDEX appointments_customer ON appointments (business_id, customer_phone);

CREATE TABLE knowledge (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  business_id uuid NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
  title       text NOT NULL DEFAULT '',
  body        text NOT NULL CHECK (body <> ''),
  tsv         tsvector GENERATED ALWAYS AS
                (to_tsvector('english', coalesce(title, '') || ' ' || body)) STORED,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX knowledge_tsv ON knowledge USING gin (tsv);
CREATE INDEX knowledge_business ON knowledge (business_id);

CREATE TABLE calendar_links (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  business_id        uuid NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
  provider           text NOT NULL DEFAULT 'google' CHECK (provider IN ('google')),
  calendar_id        text NOT NULL DEFAULT 'primary',
  refresh_token      text,
  sync_token         text,
  channel_id         text,
  channel_expires_at timestamptz,
  last_synced_at     timestamptz,
  status             text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'needs_consent', 'disabled')),
  UNIQUE (business_id, provider, calendar_id)
);

-- Busy time read from a linked calendar (not our own appointments), refreshed by sync.
CREATE TABLE calendar_busy (
  business_id uuid NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
  link_id     uuid NOT NULL REFERENCES calendar_links(id) ON DELETE CASCADE,
  event_id    text NOT NULL,
  during      tstzrange NOT NULL,
  PRIMARY KEY (link_id, event_id)
);
CREATE INDEX calendar_busy_during ON calendar_busy USING gist (business_id, during);

-- Side effects (SMS, calendar writes) are written in the same transaction as what caused them and
-- carried out later, retried until done: a failed side effect never loses or undoes a booking.
CREATE TABLE outbox (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  business_id     uuid NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
  kind            text NOT NULL,
  payload         jsonb NOT NULL,
  dedupe_key      text,
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error      text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  done_at         timestamptz,
  UNIQUE (business_id, dedupe_key)
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status = 'pending';

CREATE TABLE sms_log (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  business_id  uuid NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
  direction    text NOT NULL CHECK (direction IN ('outbound', 'inbound')),
  to_number    text NOT NULL,
  from_number  text NOT NULL,
  body         text NOT NULL,
  provider_sid text,
  status       text NOT NULL DEFAULT 'queued',
  error_code   integer,
  created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sms_opt_outs (
  business_id uuid NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
  phone       text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (business_id, phone)
);

CREATE TABLE reminders (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  business_id    uuid NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
  appointment_id uuid NOT NULL REFERENCES appointments(id) ON DELETE CASCADE,
  send_at        timestamptz NOT NULL,
  kind           text NOT NULL DEFAULT 'sms',
  status         text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'cancelled')),
  sent_at        timestamptz,
  UNIQUE (appointment_id, kind, send_at)
);
CREATE INDEX reminders_due ON reminders (send_at) WHERE status = 'pending';
