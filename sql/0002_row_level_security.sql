-- Row-level security. The application connects as a member of frontdesk_app, which owns nothing;
-- every tenant table lets it see and write only the rows of the business named by the
-- transaction-local setting app.business_id (set by the store's "as business X" transactions).

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'frontdesk_app') THEN
    CREATE ROLE frontdesk_app NOLOGIN;
  END IF;
END
$$;

-- The current business, or NULL when no business scope is set (then no tenant row is visible).
CREATE FUNCTION current_business() RETURNS uuid
  LANGUAGE sql STABLE
  AS $$ SELECT nullif(current_setting('app.business_id', true), '')::uuid $$;

GRANT USAGE ON SCHEMA public TO frontdesk_app;
GRANT EXECUTE ON FUNCTION current_business() TO frontdesk_app;

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['business_hours', 'business_hour_overrides', 'staff_users', 'api_tokens',
                           'calls', 'appointments', 'knowledge', 'calendar_links', 'calendar_busy',
                           'outbox', 'sms_log', 'sms_opt_outs', 'reminders']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant ON %I TO frontdesk_app
                      USING (business_id = current_business())
                      WITH CHECK (business_id = current_business())', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO frontdesk_app', t);
  END LOOP;
END
$$;

ALTER TABLE businesses ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON businesses TO frontdesk_app
  USING (id = current_business()) WITH CHECK (id = current_business());
GRANT SELECT, INSERT, UPDATE, DELETE ON businesses TO frontdesk_app;

-- The one lookup that must cross tenants: which business owns a dialled number (the voice webhook
-- knows only the number). It returns the id and nothing else.
CREATE FUNCTION business_for_number(number text) RETURNS uuid
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT id FROM businesses WHERE phone_number = number $$;
REVOKE ALL ON FUNCTION business_for_number(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION business_for_number(text) TO frontdesk_app;

-- A Twilio status callback names only the CallSid.
CREATE FUNCTION business_for_call_sid(sid text) RETURNS uuid
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT business_id FROM calls WHERE call_sid = sid $$;
REVOKE ALL ON FUNCTION business_for_call_sid(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION business_for_call_sid(text) TO frontdesk_app;

-- Background workers (outbox, reminders) find which businesses have due work, then act as each.
CREATE FUNCTION businesses_with_due_outbox(until timestamptz) RETURNS SETOF uuid
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT DISTINCT business_id FROM outbox WHERE status = 'pending' AND next_attempt_at <= until $$;
REVOKE ALL ON FUNCTION businesses_with_due_outbox(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION businesses_with_due_outbox(timestamptz) TO frontdesk_app;

-- An API token names its business only through its hash.
CREATE FUNCTION business_for_token(sha256 bytea) RETURNS uuid
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT business_id FROM api_tokens WHERE token_sha256 = sha256 AND revoked_at IS NULL $$;
REVOKE ALL ON FUNCTION business_for_token(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION business_for_token(bytea) TO frontdesk_app;
