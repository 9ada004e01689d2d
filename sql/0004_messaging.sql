-- Messaging: the outbox as a crash-safe work queue, SMS confirmations and reminders, inbound SMS.
--
-- An outbox row goes pending -> sending (claimed by one worker, with a lease and a claim token)
-- -> done | failed (a final vendor refusal) | dead (out of attempts) | dropped (an operator, or
-- nothing left to send). A row left 'sending' by a worker that died is reconciled by the next
-- claimant: for an SMS it first asks the vendor whether the message went, then sends only if not.

ALTER TABLE outbox DROP CONSTRAINT outbox_status_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_status_check
  CHECK (status IN ('pending', 'sending', 'done', 'failed', 'dead', 'dropped'));
ALTER TABLE outbox
  ADD COLUMN claimed_by    text,
  ADD COLUMN claim_token   bigint,
  ADD COLUMN lease_until   timestamptz,
  ADD COLUMN sending_since timestamptz,
  ADD COLUMN provider_ref  text,
  ADD COLUMN updated_at    timestamptz NOT NULL DEFAULT now();
CREATE INDEX outbox_sending ON outbox (lease_until) WHERE status = 'sending';
-- The rows the figures look at; done rows (nearly all, in time) stay out of the scan.
CREATE INDEX outbox_open ON outbox (status, next_attempt_at) WHERE status IN ('pending', 'sending', 'dead');
CREATE SEQUENCE outbox_claim_tokens;

-- Per business: quiet hours (local wall time) and how long before an appointment reminders go.
ALTER TABLE businesses
  ADD COLUMN quiet_start       time NOT NULL DEFAULT '21:00',
  ADD COLUMN quiet_end         time NOT NULL DEFAULT '08:00',
  ADD COLUMN reminder_minutes  integer[] NOT NULL DEFAULT '{1440,120}';

ALTER TABLE sms_log
  ADD COLUMN encoding   text CHECK (encoding IN ('GSM-7', 'UCS-2')),
  ADD COLUMN segments   integer,
  ADD COLUMN outbox_id  bigint,
  ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
CREATE UNIQUE INDEX sms_log_provider_sid ON sms_log (business_id, direction, provider_sid)
  WHERE provider_sid IS NOT NULL;
CREATE INDEX sms_log_to ON sms_log (business_id, to_number, created_at);

ALTER TABLE sms_opt_outs ADD COLUMN source text NOT NULL DEFAULT 'keyword';

ALTER TABLE reminders DROP CONSTRAINT reminders_status_check;
ALTER TABLE reminders ADD CONSTRAINT reminders_status_check
  CHECK (status IN ('pending', 'sent', 'cancelled', 'skipped'));
ALTER TABLE reminders
  ADD COLUMN for_start      timestamptz,
  ADD COLUMN offset_minutes integer;

-- What an SMS conversation is waiting for: after "R", the three slots offered (a reply 1-3 moves).
CREATE TABLE sms_conversations (
  business_id    uuid NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
  phone          text NOT NULL,
  appointment_id uuid NOT NULL REFERENCES appointments(id) ON DELETE CASCADE,
  offered        timestamptz[] NOT NULL,
  expires_at     timestamptz NOT NULL,
  PRIMARY KEY (business_id, phone)
);

-- Things a person at the business should do (e.g. "replied CANCEL: opted out; confirm by phone").
CREATE TABLE staff_tasks (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  business_id    uuid NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
  kind           text NOT NULL,
  phone          text,
  appointment_id uuid REFERENCES appointments(id) ON DELETE SET NULL,
  note           text NOT NULL DEFAULT '',
  created_at     timestamptz NOT NULL DEFAULT now(),
  done_at        timestamptz
);

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['sms_conversations', 'staff_tasks']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant ON %I TO frontdesk_app
                      USING (business_id = current_business())
                      WITH CHECK (business_id = current_business())', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO frontdesk_app', t);
  END LOOP;
END
$$;

-- The workers act for every business: they claim across tenants through these functions only,
-- then write each row's results as that row's business.

-- Claims up to `lim` rows: due pending rows, and rows left 'sending' whose lease ran out (their
-- worker died; `reconcile` tells the claimant to look before it sends again). Never a row that
-- another worker holds: FOR UPDATE SKIP LOCKED, and a fresh claim token per claim.
CREATE FUNCTION claim_outbox(node text, lim integer, t_now timestamptz, lease_seconds integer)
  RETURNS TABLE (id bigint, business_id uuid, kind text, payload jsonb, attempts integer,
                 reconcile boolean, claim_token bigint, sending_since timestamptz,
                 created_at timestamptz, opted_out boolean)
  LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public
  AS $$
    WITH picked AS (
      SELECT o.id, o.status = 'sending' AS reconcile FROM outbox o
       WHERE (o.status = 'pending' AND o.next_attempt_at <= t_now)
          OR (o.status = 'sending' AND o.lease_until < t_now)
       ORDER BY o.next_attempt_at, o.id
       LIMIT lim
       FOR UPDATE SKIP LOCKED)
    UPDATE outbox o SET
      status = 'sending', claimed_by = node, claim_token = nextval('outbox_claim_tokens'),
      lease_until = t_now + make_interval(secs => lease_seconds),
      attempts = o.attempts + CASE WHEN p.reconcile THEN 0 ELSE 1 END,
      sending_since = CASE WHEN p.reconcile THEN o.sending_since ELSE t_now END,
      updated_at = t_now
    FROM picked p WHERE o.id = p.id
    RETURNING o.id, o.business_id, o.kind, o.payload, o.attempts, p.reconcile, o.claim_token,
              o.sending_since, o.created_at,
              EXISTS (SELECT 1 FROM sms_opt_outs s
                       WHERE s.business_id = o.business_id AND s.phone = o.payload->>'to')
  $$;
REVOKE ALL ON FUNCTION claim_outbox(text, integer, timestamptz, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION claim_outbox(text, integer, timestamptz, integer) TO frontdesk_app;

-- A node that starts again under its name knows its old claims died with it: they become
-- reconcilable at once instead of when their lease runs out.
CREATE FUNCTION expire_outbox_claims(node text, t_now timestamptz) RETURNS integer
  LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public
  AS $$
    WITH x AS (UPDATE outbox SET lease_until = t_now - interval '1 second'
                WHERE status = 'sending' AND claimed_by = node RETURNING 1)
    SELECT count(*)::integer FROM x
  $$;
REVOKE ALL ON FUNCTION expire_outbox_claims(text, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION expire_outbox_claims(text, timestamptz) TO frontdesk_app;

-- Moves due reminders into the outbox, once each (the dedupe key is the reminder's id). When a
-- node was down and several reminders of one appointment fell due, only the latest goes; the
-- others are marked skipped. Reminders of appointments that are no longer booked at the planned
-- time, or have started, are skipped too.
CREATE FUNCTION enqueue_due_reminders(t_now timestamptz, lim integer) RETURNS integer
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public
  AS $$
  DECLARE
    n integer := 0;
    r record;
  BEGIN
    FOR r IN
      SELECT rm.id, rm.business_id, rm.appointment_id, rm.send_at, rm.for_start,
             a.status = 'booked' AND lower(a.during) = rm.for_start AND lower(a.during) > t_now AS live,
             EXISTS (SELECT 1 FROM reminders later
                      WHERE later.appointment_id = rm.appointment_id AND later.status = 'pending'
                        AND later.send_at <= t_now AND later.send_at > rm.send_at) AS superseded
        FROM reminders rm JOIN appointments a ON a.id = rm.appointment_id
       WHERE rm.status = 'pending' AND rm.send_at <= t_now
       ORDER BY rm.send_at
       LIMIT lim
       FOR UPDATE OF rm SKIP LOCKED
    LOOP
      IF r.live AND NOT r.superseded THEN
        INSERT INTO outbox (business_id, kind, payload, dedupe_key, next_attempt_at, created_at)
          VALUES (r.business_id, 'sms.reminder',
                  json_build_object('appointment_id', r.appointment_id, 'reminder_id', r.id,
                                    'for_start', r.for_start),
                  'reminder:' || r.id, t_now, t_now)
          ON CONFLICT DO NOTHING;
        UPDATE reminders SET status = 'sent', sent_at = t_now WHERE id = r.id;
        n := n + 1;
      ELSE
        UPDATE reminders SET status = 'skipped' WHERE id = r.id;
      END IF;
    END LOOP;
    RETURN n;
  END
  $$;
REVOKE ALL ON FUNCTION enqueue_due_reminders(timestamptz, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION enqueue_due_reminders(timestamptz, integer) TO frontdesk_app;

-- Figures for metrics and /ready: rows waiting, the oldest due row's age, rows stuck sending.
CREATE FUNCTION outbox_stats(t_now timestamptz)
  RETURNS TABLE (depth bigint, due bigint, oldest_due_seconds double precision,
                 stuck_sending bigint, dead bigint)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$
    SELECT count(*) FILTER (WHERE status IN ('pending', 'sending')),
           count(*) FILTER (WHERE status = 'pending' AND next_attempt_at <= t_now),
           coalesce(extract(epoch FROM t_now - min(next_attempt_at)
                              FILTER (WHERE status = 'pending' AND next_attempt_at <= t_now)),
                    0)::double precision,
           count(*) FILTER (WHERE status = 'sending' AND lease_until < t_now),
           count(*) FILTER (WHERE status = 'dead')
      FROM outbox WHERE status IN ('pending', 'sending', 'dead')
  $$;
REVOKE ALL ON FUNCTION outbox_stats(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION outbox_stats(timestamptz) TO frontdesk_app;

-- Operators' view: `frontdesk outbox list|retry|drop`.
CREATE FUNCTION outbox_list(want text, lim integer)
  RETURNS TABLE (id bigint, business_id uuid, kind text, status text, attempts integer,
                 next_attempt_at timestamptz, last_error text, dedupe_key text, payload jsonb)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$
    SELECT id, business_id, kind, status, attempts, next_attempt_at, last_error, dedupe_key, payload
      FROM outbox WHERE want = '' OR status = want ORDER BY id DESC LIMIT lim
  $$;
REVOKE ALL ON FUNCTION outbox_list(text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION outbox_list(text, integer) TO frontdesk_app;

-- A dead, failed or dropped row (or a waiting one) goes again now, with a fresh count.
CREATE FUNCTION outbox_retry(row_id bigint, t_now timestamptz) RETURNS boolean
  LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public
  AS $$
    WITH x AS (UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = t_now,
                                 updated_at = t_now
                WHERE id = row_id AND status IN ('pending', 'dead', 'failed', 'dropped')
                RETURNING 1)
    SELECT count(*) = 1 FROM x
  $$;
REVOKE ALL ON FUNCTION outbox_retry(bigint, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION outbox_retry(bigint, timestamptz) TO frontdesk_app;

-- A row that should not go: never one that a worker holds right now.
CREATE FUNCTION outbox_drop(row_id bigint, t_now timestamptz) RETURNS boolean
  LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public
  AS $$
    WITH x AS (UPDATE outbox SET status = 'dropped', last_error = coalesce(last_error, '') ||
                                 CASE WHEN last_error IS NULL THEN '' ELSE '; ' END || 'dropped by operator',
                                 updated_at = t_now
                WHERE id = row_id AND status IN ('pending', 'dead', 'failed')
                RETURNING 1)
    SELECT count(*) = 1 FROM x
  $$;
REVOKE ALL ON FUNCTION outbox_drop(bigint, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION outbox_drop(bigint, timestamptz) TO frontdesk_app;

-- A message status callback names only the MessageSid.
CREATE FUNCTION business_for_message_sid(sid text) RETURNS uuid
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT business_id FROM sms_log WHERE provider_sid = sid AND direction = 'outbound' LIMIT 1 $$;
REVOKE ALL ON FUNCTION business_for_message_sid(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION business_for_message_sid(text) TO frontdesk_app;
