-- After a text is handed to the vendor: missed status callbacks are made good by polling the
-- message, carrier failures are acted on per code, and retried webhooks are handled once.

-- Outbound texts still on their way are polled when no final callback came: the first look
-- `after` seconds after the last change, then at doubling intervals, at most `max_checks` times.
-- Inbound texts keep the reply they got, so a webhook Twilio retries is answered the same way.
ALTER TABLE sms_log
  ADD COLUMN status_checks     integer NOT NULL DEFAULT 0,
  ADD COLUMN status_checked_at timestamptz,
  ADD COLUMN reply             text;
CREATE INDEX sms_log_unsettled ON sms_log (id)
  WHERE direction = 'outbound' AND provider_sid IS NOT NULL
    AND status IN ('accepted', 'scheduled', 'queued', 'sending', 'sent');

-- Numbers the carrier said cannot take texts (30005 unknown handset, 30006 landline). Nothing is
-- queued for them until the number texts the business itself.
CREATE TABLE sms_unusable_numbers (
  business_id uuid NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
  phone       text NOT NULL,
  error_code  integer NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (business_id, phone)
);

-- Twilio sends I-Twilio-Idempotency-Token with each webhook and the same token on its retries.
CREATE TABLE twilio_webhook_receipts (
  business_id uuid NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
  token       text NOT NULL,
  route       text NOT NULL,
  message_sid text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (business_id, token)
);
CREATE INDEX twilio_webhook_receipts_age ON twilio_webhook_receipts (created_at);

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['sms_unusable_numbers', 'twilio_webhook_receipts']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant ON %I TO frontdesk_app
                      USING (business_id = current_business())
                      WITH CHECK (business_id = current_business())', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO frontdesk_app', t);
  END LOOP;
END
$$;

-- Claims up to `lim` outbound texts whose final status is overdue, for one poller: each claim
-- counts as a look and pushes the next one back, so pollers on several nodes never look at one
-- text together (FOR UPDATE SKIP LOCKED).
CREATE FUNCTION claim_sms_status_checks(t_now timestamptz, lim integer, after_seconds integer,
                                        max_checks integer)
  RETURNS TABLE (id bigint, business_id uuid, provider_sid text, status text, checks integer)
  LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public
  AS $$
    WITH picked AS (
      SELECT l.id FROM sms_log l
       WHERE l.direction = 'outbound' AND l.provider_sid IS NOT NULL
         AND l.status IN ('accepted', 'scheduled', 'queued', 'sending', 'sent')
         AND l.status_checks < max_checks
         AND coalesce(l.status_checked_at, l.updated_at)
             + make_interval(secs => after_seconds * power(2, l.status_checks)) <= t_now
       ORDER BY l.id
       LIMIT lim
       FOR UPDATE SKIP LOCKED)
    UPDATE sms_log l SET status_checks = l.status_checks + 1, status_checked_at = t_now
      FROM picked p WHERE l.id = p.id
    RETURNING l.id, l.business_id, l.provider_sid, l.status, l.status_checks
  $$;
REVOKE ALL ON FUNCTION claim_sms_status_checks(timestamptz, integer, integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION claim_sms_status_checks(timestamptz, integer, integer, integer) TO frontdesk_app;

-- Webhook receipts are needed only while Twilio may still retry (hours): older ones go.
CREATE FUNCTION purge_webhook_receipts(before timestamptz) RETURNS integer
  LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public
  AS $$
    WITH x AS (DELETE FROM twilio_webhook_receipts WHERE created_at < before RETURNING 1)
    SELECT count(*)::integer FROM x
  $$;
REVOKE ALL ON FUNCTION purge_webhook_receipts(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION purge_webhook_receipts(timestamptz) TO frontdesk_app;
