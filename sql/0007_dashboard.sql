-- The web dashboard: staff who log in with a password, their sessions, and a feed of live events
-- (calls and appointments as they change) that every node's event streams follow through
-- LISTEN/NOTIFY and replay from on reconnect.

ALTER TYPE staff_role ADD VALUE IF NOT EXISTS 'viewer';

-- Argon2id hashes in libsodium's string form (crypto_pwhash_str): algorithm, limits and salt inside.
ALTER TABLE staff_users ADD COLUMN password_hash text;
ALTER TABLE staff_users ADD COLUMN disabled_at timestamptz;
-- A login names only an email (an address may have an account at more than one business).
CREATE INDEX staff_users_login ON staff_users (lower(email));

-- A session is stored only as SHA-256 of its cookie's token, like the API tokens.
CREATE TABLE staff_sessions (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  business_id  uuid NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
  user_id      uuid NOT NULL REFERENCES staff_users(id) ON DELETE CASCADE,
  token_sha256 bytea NOT NULL UNIQUE CHECK (length(token_sha256) = 32),
  csrf_token   text NOT NULL CHECK (length(csrf_token) >= 32),
  remote       text NOT NULL DEFAULT '',
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  revoked_at   timestamptz
);
CREATE INDEX staff_sessions_user ON staff_sessions (user_id);

ALTER TABLE staff_sessions ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON staff_sessions TO frontdesk_app
  USING (business_id = current_business()) WITH CHECK (business_id = current_business());
GRANT SELECT, INSERT, UPDATE, DELETE ON staff_sessions TO frontdesk_app;

-- Logging in crosses tenants (the email names the business): the hash and ids, nothing else.
CREATE FUNCTION staff_login_lookup(login text)
  RETURNS TABLE (user_id uuid, business_id uuid, password_hash text)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT id, business_id, password_hash FROM staff_users
        WHERE lower(email) = lower(login) AND disabled_at IS NULL AND password_hash IS NOT NULL $$;
REVOKE ALL ON FUNCTION staff_login_lookup(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION staff_login_lookup(text) TO frontdesk_app;

-- A request's cookie names its session only through the token's hash.
CREATE FUNCTION staff_session_lookup(sha256 bytea, at timestamptz)
  RETURNS TABLE (session_id uuid, user_id uuid, business_id uuid, role text, email text,
                 csrf_token text, expires_at timestamptz)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT s.id, u.id, s.business_id, u.role::text, u.email, s.csrf_token, s.expires_at
        FROM staff_sessions s JOIN staff_users u ON u.id = s.user_id
        WHERE s.token_sha256 = sha256 AND s.revoked_at IS NULL AND s.expires_at > at
          AND u.disabled_at IS NULL $$;
REVOKE ALL ON FUNCTION staff_session_lookup(bytea, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION staff_session_lookup(bytea, timestamptz) TO frontdesk_app;

-- The dashboard's pages list a business's appointments by start.
CREATE INDEX appointments_business_start ON appointments (business_id, lower(during));

-- Live events: a row per change of a call or an appointment, kept an hour for reconnecting
-- streams (Last-Event-ID), and a notification on 'frontdesk_live' carrying the row.
CREATE TABLE live_events (
  id          bigserial PRIMARY KEY,
  business_id uuid NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
  kind        text NOT NULL CHECK (kind IN ('call', 'appointment')),
  data        jsonb NOT NULL,
  at          timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX live_events_business ON live_events (business_id, id);
ALTER TABLE live_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON live_events TO frontdesk_app
  USING (business_id = current_business()) WITH CHECK (business_id = current_business());
GRANT SELECT ON live_events TO frontdesk_app;

-- Runs as the owner: the application role may read its business's events, never write them.
CREATE FUNCTION publish_live_event(b uuid, k text, d jsonb) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  n bigint;
BEGIN
  INSERT INTO live_events (business_id, kind, data) VALUES (b, k, d) RETURNING id INTO n;
  IF n % 1000 = 0 THEN
    DELETE FROM live_events WHERE at < clock_timestamp() - interval '1 hour';
  END IF;
  PERFORM pg_notify('frontdesk_live',
                    json_build_object('id', n, 'business_id', b, 'kind', k, 'data', d)::text);
END
$$;

CREATE FUNCTION live_call_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM publish_live_event(NEW.business_id, 'call', jsonb_build_object(
    'id', NEW.id, 'status', NEW.status, 'caller', NEW.caller, 'started_at', NEW.started_at,
    'ended_at', NEW.ended_at, 'outcome', NEW.outcome, 'booked', NEW.appointment_booked,
    'turns', jsonb_array_length(NEW.transcript),
    'last_role', NEW.transcript -> -1 ->> 'role',
    'last_text', left(NEW.transcript -> -1 ->> 'text', 300)));
  RETURN NEW;
END
$$;
CREATE TRIGGER calls_live AFTER INSERT OR UPDATE ON calls
  FOR EACH ROW EXECUTE FUNCTION live_call_event();

CREATE FUNCTION live_appointment_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.status = NEW.status AND OLD.during = NEW.during THEN
    RETURN NEW;
  END IF;
  PERFORM publish_live_event(NEW.business_id, 'appointment', jsonb_build_object(
    'id', NEW.id, 'status', NEW.status, 'start', lower(NEW.during), 'end', upper(NEW.during),
    'customer_name', left(NEW.customer_name, 200), 'service', left(NEW.service, 200),
    'call_id', NEW.call_id));
  RETURN NEW;
END
$$;
CREATE TRIGGER appointments_live AFTER INSERT OR UPDATE ON appointments
  FOR EACH ROW EXECUTE FUNCTION live_appointment_event();
